/**
 * Turns benchmark results into tables: aligned plain text for the terminal, Markdown for
 * .bench/results.md. Both come from the same rows, so they always agree.
 */

/** Formats a number with a fixed number of decimals, or '–' when there is none. */
export function num(v, decimals = 0) {
  return v === undefined || v === null || Number.isNaN(v) ? '–' : v.toFixed(decimals);
}

/**
 * A table in either format. `columns` are { title, align: 'l' | 'r' }; `rows` are arrays of
 * strings in column order.
 */
export function table(columns, rows, format) {
  if (format === 'md') {
    rows = rows.map((r) => r.map((cell) => cell.replace(/\|/g, '\\|')));
    const head = `| ${columns.map((c) => c.title).join(' | ')} |`;
    const rule = `|${columns.map((c) => (c.align === 'r' ? '---:' : ':---')).join('|')}|`;
    return [head, rule, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  }
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells.map((s, i) => (columns[i].align === 'r' ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(columns.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function resultsTable(results, format) {
  const columns = [
    { title: 'case', align: 'l' },
    { title: 'runs', align: 'r' },
    { title: 'median ms', align: 'r' },
    { title: 'min ms', align: 'r' },
    { title: 'max ms', align: 'r' },
    { title: '× node', align: 'r' },
    { title: '× node, paired (min–max)', align: 'r' },
    { title: 'peak MiB (median)', align: 'r' },
    { title: 'peak MiB (max)', align: 'r' },
    { title: 'loads cdk8s', align: 'l' },
    { title: 'files loaded', align: 'r' },
    { title: 'code cache', align: 'l' },
  ];
  const rows = results.cases.map((c) => [
    c.label,
    String(c.runs),
    num(c.wallMs.median, 1),
    num(c.wallMs.min, 1),
    num(c.wallMs.max, 1),
    num(c.timesNode, 2),
    c.pairedTimesNode ? `${num(c.pairedTimesNode.median, 2)} (${num(c.pairedTimesNode.min, 2)}–${num(c.pairedTimesNode.max, 2)})` : '–',
    num(c.peakMiB.median, 1),
    num(c.peakMiB.max, 1),
    c.loadsCdk8s === undefined ? '?' : c.loadsCdk8s ? 'yes' : 'no',
    c.modulesLoaded === undefined ? '?' : String(c.modulesLoaded),
    c.codeCache ?? '–',
  ]);
  return table(columns, rows, format);
}

/** Which packages each nodegen command loaded, through the bundled chunks it loaded. */
function loadedTable(results, format) {
  const cases = results.cases.filter((c) => c.command.startsWith('nodegen') && c.chunks?.length && !c.cold && c.nodes === undefined);
  if (cases.length === 0) return undefined;
  const columns = [
    { title: 'case', align: 'l' },
    { title: 'chunks', align: 'r' },
    { title: 'packages in those chunks', align: 'l' },
  ];
  return table(columns, cases.map((c) => [c.label, String(c.chunks.length), c.packages.join(', ')]), format);
}

function scalingTable(results, format) {
  const columns = [
    { title: 'nodes', align: 'r' },
    { title: 'median ms', align: 'r' },
    { title: 'ms / node', align: 'r' },
    { title: 'marginal ms / node', align: 'r' },
    { title: 'exponent k', align: 'r' },
    { title: 'peak MiB', align: 'r' },
    { title: 'marginal KiB / node', align: 'r' },
  ];
  const rows = results.scaling.sizes.map((s) => [
    String(s.nodes),
    num(s.medianMs, 1),
    num(s.msPerNode, 3),
    num(s.marginalMsPerNode, 3),
    num(s.exponent, 2),
    num(s.peakMiB, 1),
    num(s.marginalKiBPerNode, 1),
  ]);
  return table(columns, rows, format);
}

function targetsTable(results, format) {
  const columns = [
    { title: 'target', align: 'l' },
    { title: 'measured', align: 'r' },
    { title: 'limit', align: 'r' },
    { title: 'met', align: 'l' },
    { title: 'distance', align: 'l' },
  ];
  const rows = results.targets.map((t) => [t.target, t.measured, t.limit, t.met === undefined ? '?' : t.met ? 'yes' : 'NO', t.distance]);
  return table(columns, rows, format);
}

function profileTables(profile, format) {
  const out = [];
  for (const p of profile) {
    out.push(format === 'md' ? `### ${p.label}` : `== ${p.label}`);
    out.push(
      '',
      `Phases: mean of ${p.runs} CPU-profiled run${p.runs === 1 ? '' : 's'}, ${num(p.wallMs, 0)} ms wall each ` +
        `(the timed runs' median without the profiler: ${num(p.medianMs, 0)} ms). Each sample counts for the innermost ` +
        'phase function on its stack (test/bench/cpuprofile.mjs, PHASES), garbage collection apart. Node start-up is the time ' +
        'from spawn to the launcher\'s first line (starting the profiler included); exit includes writing the profile.',
      '',
      table(
        [
          { title: 'phase', align: 'l' },
          { title: 'ms', align: 'r' },
          { title: 'share', align: 'r' },
        ],
        p.phases.map((r) => [r.label, num(r.ms, 1), `${num(r.share, 1)}%`]),
        format,
      ),
      '',
      `Code (self time, ${num(p.totalMs, 0)} ms sampled per run; bundled frames mapped to their original files through the chunks' source maps):`,
      '',
      table(
        [
          { title: 'where', align: 'l' },
          { title: 'ms', align: 'r' },
          { title: 'share', align: 'r' },
        ],
        p.buckets.slice(0, 16).map((b) => [b.name, num(b.ms, 1), `${num(b.share, 1)}%`]),
        format,
      ),
      '',
      'Hottest functions (self time):',
      '',
      table(
        [
          { title: 'function', align: 'l' },
          { title: 'ms', align: 'r' },
        ],
        p.top.slice(0, 12).map((f) => [f.fn, num(f.ms, 1)]),
        format,
      ),
      '',
      `Profile: ${p.cpuProfile} (open in Chrome DevTools or speedscope).`,
    );
    out.push('');
  }
  return out.join('\n');
}

/** The floor under `synth --all` (bench.mjs, floorSummary): what start-up leaves for the work. */
function floorSection(f, format) {
  const times = (v) => `${num(v, 2)} ×`;
  const rows = [
    ["bare Node start (`node -e ''`)", num(f.nodeMs, 0), times(1)],
    ['start-up and loading: the launcher and every file `synth --all` loads, then exit (paired)', num(f.loadMs, 0), times(f.loadTimesNode)],
    ["the command's own work, its code loaded: first run in a process (cold code, as every command runs; paired)", num(f.firstRunMs, 0), times(f.firstRunTimesNode)],
    ['the same work, later runs in that process (warm code; paired)', num(f.warmRunMs, 0), times(f.warmRunTimesNode)],
    ['`synth --all` if its code ran warm from the start: loading + warm work', '–', times(f.warmBestTimesNode)],
    ['`synth --all` as measured (paired)', '–', times(f.synthAllTimesNode)],
  ];
  return [
    table(
      [
        { title: 'what', align: 'l' },
        { title: 'ms (median)', align: 'r' },
        { title: '× node', align: 'r' },
      ],
      rows,
      format,
    ),
    '',
    `For \`synth --all\` to take 2.5 × a bare start, its work would have to fit in ${num(f.budgetMsAt2_5, 0)} ms once Node has ` +
      `started and loaded the code; it takes ${num(f.firstRunMs, 0)} ms cold and ${num(f.warmRunMs, 0)} ms warm ` +
      `(cold/warm ${num(f.coldOverWarm, 1)} ×; one process of ${f.runsPerProcess} runs a round, ${f.processes} in all, test/bench/floor.cjs). ` +
      "Warm runs reuse the parse of environment files that did not change (nodegen keeps it for the process's life), " +
      'so the warm rows are lower bounds.',
    '',
  ].join('\n');
}

/** The whole report in `format` ('md' or 'text'). */
export function renderReport(results, format) {
  const h = (level, text) => (format === 'md' ? `${'#'.repeat(level)} ${text}` : `${text}\n${(level === 1 ? '=' : '-').repeat(text.length)}`);
  const m = results.meta;
  const parts = [
    h(1, 'nodegen benchmark'),
    '',
    `${m.date} · Node ${m.node} · ${m.cpus} × ${m.cpuModel} · ${m.memGiB} GiB · commit ${m.commit}${m.dirty ? ' (uncommitted changes)' : ''}`,
    `Whole-process runs of \`node bin/nodegen.js\` in a temporary copy of the project; ${m.warmup} warm-up run per case, ` +
      `then ${m.runs} timed runs (${m.runsLarge} for ${m.largeFrom}+ nodes), interleaved case by case. ` +
      (m.bundled
        ? 'The CLI runs bundled (lib/cli) and is measured with a warm V8 code cache (lib/.cache, written by the warm-up run; ' +
          'the code cache column shows what V8 took in a check run), as users run it after their first command; the row ' +
          '"first run after the build" runs `node bin/build.js` (what `npm ci` runs) before each run, and the row marked COLD ' +
          'empties the cache before each run. '
        : 'The CLI runs unbundled from lib/src, without a code cache (lib/cli was not built). ') +
      `Peak memory: ${m.memorySource}.`,
    '',
    h(2, 'Results'),
    '',
    resultsTable(results, format),
    '',
    ...(() => {
      const loaded = loadedTable(results, format);
      return loaded ? [h(2, 'Code each command loads'), '', loaded, ''] : [];
    })(),
    h(2, 'Growth with fleet size'),
    '',
    scalingTable(results, format),
    '',
    results.scaling.note,
    '',
    h(2, 'Targets'),
    '',
    targetsTable(results, format),
    '',
  ];
  if (results.floor) parts.push(h(2, 'The floor under `synth --all`'), '', floorSection(results.floor, format));
  if (results.profile.length > 0) parts.push(h(2, 'Where the time goes'), '', profileTables(results.profile, format));
  if (results.notes.length > 0) parts.push(h(2, 'Notes'), '', ...results.notes.map((n) => `- ${n}`), '');
  return parts.join('\n');
}
