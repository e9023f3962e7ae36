/**
 * Reads V8 CPU profiles (`node --cpu-prof`) of nodegen runs and says where the time went, two ways:
 *
 * - phases: each sample goes to the phase of the innermost well-known function on its stack
 *   (PHASES below; inclusive time, so `render` is renderEnvironment minus the buildFleet it calls);
 * - code: each sample's own frame goes to the package or nodegen folder its code comes from. The
 *   CLI runs bundled (lib/cli/*.js), so frames in a chunk are mapped through the chunk's source map
 *   (`<chunk>.js.map`, read with node:module's SourceMap) back to the original file.
 *
 * Function names survive bundling (rolldown does not minify the CLI), so the same names find the
 * phases in the bundle and in the unbundled lib/src fallback.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The phases of a run, in the order of the report. `markers` are function names, optionally
 * `name@path-suffix` to accept the function only from a file whose path ends so. The labels are
 * quoted by the README's Performance section: keep them plain.
 */
export const PHASES = [
  { id: 'startup', label: 'Node start-up' },
  { id: 'launcher', label: 'launcher check', markers: ['ensureFresh@/bin/build.js'] },
  {
    id: 'load',
    label: 'module load (code cache)',
    // Node's loader for every require but the main script's own load (see isMainLoad), and the
    // launcher's code-cache compile hook (compile-cache.js) with what it runs: module bodies.
    markers: ['Module._load@node:internal/modules/cjs/loader', 'wrapSafe', 'install@/bin/compile-cache.js', 'compileWithCache@/bin/compile-cache.js'],
  },
  { id: 'env', label: 'environment load + validate', markers: ['loadEnvironment'] },
  { id: 'build', label: 'construct build', markers: ['buildFleet'] },
  // renderSelected only calls loadEnvironment and renderEnvironment; its own few samples count here.
  { id: 'render', label: 'render (JSON, YAML)', markers: ['renderEnvironment', 'renderSelected'] },
  { id: 'gate', label: 'validation gate', markers: ['renderChecked'] },
  { id: 'write', label: 'write', markers: ['writeFolderAtomically', 'compareFolder'] },
  { id: 'gc', label: 'garbage collection', markers: ['(garbage collector)'] },
  { id: 'other', label: 'other (argument parsing, output, Node and V8 internals)' },
  { id: 'exit', label: 'exit (incl. writing the CPU profile)' },
];

/** The label `module load` gets when the CLI ran unbundled from lib/src (no lib/cli, no code cache). */
export const UNBUNDLED_LOAD_LABEL = 'module load (unbundled lib/src)';

const MARKERS = PHASES.flatMap((p) =>
  (p.markers ?? []).map((m) => {
    const [name, suffix] = m.split('@');
    return { name, suffix, phase: p.id };
  }),
);

function markerPhase(frame) {
  for (const m of MARKERS) {
    if (frame.functionName === m.name && (m.suffix === undefined || frame.url.endsWith(m.suffix))) return m.phase;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Where code comes from

/** Source maps of bundled chunks, by file path (null when the chunk has none). */
class SourceMaps {
  constructor() {
    this.maps = new Map();
  }

  /** The original file (absolute) and 1-based line of a 0-based position in `file`, or undefined. */
  original(file, line, column) {
    if (!this.maps.has(file)) {
      let map = null;
      try {
        if (existsSync(`${file}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
      } catch {
        map = null;
      }
      this.maps.set(file, map);
    }
    const map = this.maps.get(file);
    if (!map || line < 0) return undefined;
    // A function the bundler wrote (the wrapper of a CommonJS module) starts in unmapped glue:
    // its body, a few characters on, is the module's own code.
    let entry;
    for (const ahead of [0, 16, 64, 256]) {
      entry = map.findEntry(line, Math.max(0, column) + ahead);
      if (entry?.originalSource || (ahead > 0 && entry?.generatedLine !== line)) break;
    }
    if (!entry || !entry.originalSource) return undefined;
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : entry.originalSource;
    return { file: resolve(dirname(file), source), line: (entry.originalLine ?? 0) + 1 };
  }
}

/**
 * bin/compile-cache.js compiles a chunk as `(function (exports, require, module, __filename,
 * __dirname) { ` + source, on one line: V8's positions on the chunk's first line are shifted by
 * the wrapper's length, and the wrapper function starts at column 10 (its parameter list).
 */
const CACHE_WRAPPER = '(function (exports, require, module, __filename, __dirname) { ';
const CACHE_WRAPPER_FUNCTION_COLUMN = CACHE_WRAPPER.indexOf('(exports');

const LOADER = 'Node: module loader (resolve, read, compile)';
const LOADER_CACHE = 'module loader: code-cache hook (bin/compile-cache.js)';

/** The bucket of a file of JavaScript or TypeScript source (absolute path, `/` separators). */
export function codeBucket(path) {
  if (path.includes('/node_modules/cdk8s-plus-27/lib/imports/k8s.')) return 'pkg: cdk8s-plus-27 imports/k8s';
  const i = path.lastIndexOf('/node_modules/');
  if (i >= 0) {
    const rest = path.slice(i + '/node_modules/'.length).split('/');
    const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    // cdk8s bundles its own copy of yaml; say which copy is busy.
    return path.includes('/cdk8s/node_modules/') ? `pkg: ${pkg} (bundled in cdk8s)` : `pkg: ${pkg}`;
  }
  if (/\/src\/validate\/schemas\/validators[^/]*\.js$/.test(path)) return 'nodegen: precompiled schema validators';
  if (/\/lib\/cli\/rolldown-runtime[^/]*\.js$/.test(path)) return 'nodegen: bundler runtime';
  if (/\/lib\/cli\/[^/]+\.js$/.test(path)) return 'nodegen: bundled CLI (no source map)';
  const m = /.*\/(?:lib\/)?(src|charts|bin)\/(.*)$/.exec(path);
  if (!m) return 'other';
  if (m[1] === 'charts') return 'nodegen: charts/';
  if (m[1] === 'bin') return m[2] === 'compile-cache.js' ? LOADER_CACHE : 'nodegen: bin/ (launcher)';
  const folder = m[2].includes('/') ? m[2].slice(0, m[2].indexOf('/')) : '';
  return folder ? `nodegen: src/${folder}` : 'nodegen: src/ (top level)';
}

/**
 * Where a frame's code lives: { bucket, where } (where = short file:line for the hot list).
 * `wrapped` holds the URLs of scripts compiled through the code-cache wrapper.
 */
function locate(frame, maps, wrapped) {
  const { url, functionName, lineNumber, columnNumber } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return { bucket: 'V8: garbage collection', where: '' };
    if (functionName === '(program)') return { bucket: 'V8: program (native, no JavaScript on the stack)', where: '' };
    if (functionName === '(idle)' || functionName === '(root)') return { bucket: 'idle', where: '' };
    return { bucket: `native: ${functionName || '?'}`, where: '' };
  }
  if (url.startsWith('node:')) {
    const bucket = /^node:internal\/modules\//.test(url) ? LOADER : 'Node: other internals';
    return { bucket, where: `${url}:${lineNumber + 1}` };
  }
  const path = (url.startsWith('file://') ? fileURLToPath(url) : url).replace(/\\/g, '/');
  let column = columnNumber;
  if (lineNumber === 0 && wrapped.has(url)) {
    // The module wrapper itself: the chunk's top-level code (the bundled modules' bodies).
    if (column < CACHE_WRAPPER.length) return { bucket: 'nodegen: bundled chunks, top-level code', where: path.slice(path.lastIndexOf('/') + 1) };
    column -= CACHE_WRAPPER.length;
  }
  const original = /\/lib\/cli\/[^/]+\.js$/.test(path) ? maps.original(path, lineNumber, column) : undefined;
  const file = original ? original.file.replace(/\\/g, '/') : path;
  const line = original ? original.line : lineNumber + 1;
  const short = file.includes('/node_modules/')
    ? file.slice(file.lastIndexOf('/node_modules/') + '/node_modules/'.length)
    : file.replace(/^.*\/((?:lib\/)?(?:src|charts|bin)\/)/, '$1');
  return { bucket: codeBucket(file), where: `${short}:${line}` };
}

// ---------------------------------------------------------------------------------------------
// Reading profiles

/**
 * One profile as samples with their stacks (root first) and durations in µs. A sample lasts until
 * the next one; the last until the profile's end. `leadUs` is the time before the first sample.
 */
function readProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map();
  const stackOf = (id) => {
    let s = stacks.get(id);
    if (!s) {
      s = [];
      for (let n = nodes.get(id); n; n = nodes.get(parent.get(n.id))) s.push(n);
      s.reverse();
      stacks.set(id, s);
    }
    return s;
  };
  const times = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) times.push((t += d));
  const samples = profile.samples.map((id, i) => ({
    stack: stackOf(id),
    us: Math.max(0, (i + 1 < times.length ? times[i + 1] : profile.endTime) - times[i]),
  }));
  const wrapped = new Set(
    profile.nodes
      .map((n) => n.callFrame)
      .filter((f) => f.functionName === '' && f.lineNumber === 0 && f.columnNumber === CACHE_WRAPPER_FUNCTION_COLUMN)
      .map((f) => f.url),
  );
  return { startTime: profile.startTime, endTime: profile.endTime, leadUs: times.length ? times[0] - profile.startTime : 0, samples, wrapped };
}

/** Whether stack[i] (Module._load) loads the main script itself, which runs the whole program. */
function isMainLoad(stack, i) {
  for (let j = i - 1; j >= 0 && j >= i - 2; j--) {
    const name = stack[j].callFrame.functionName;
    if (name === 'executeUserEntryPoint') return true;
    if (name !== 'wrapModuleLoad') return false;
  }
  return false;
}

/** The phase of one sample after start-up: its innermost marker, else `other`. */
function phaseOf(stack) {
  let phase = 'other';
  for (let i = 0; i < stack.length; i++) {
    const frame = stack[i].callFrame;
    const p = markerPhase(frame);
    if (p === undefined) continue;
    if (p === 'load' && frame.functionName === 'Module._load' && isMainLoad(stack, i)) continue;
    phase = p;
  }
  return phase;
}

/** Whether a stack runs the program's own code (a file, not Node's bootstrap). */
function runsUserCode(stack) {
  return stack.some((n) => n.callFrame.url.startsWith('file://'));
}

/**
 * Summarises one or more profiles of the same command (their times are averaged per run).
 *
 * `runs` are { file, spawnStartUs?, spawnEndUs? }: when the caller measured the process from the
 * outside (process.hrtime, the same monotonic clock as the profile's timestamps on Linux and
 * macOS), the time before profiling started counts as Node start-up and the time after it stopped
 * (writing the profile, exit) as `exit`, so the phases add up to the wall time of the runs.
 *
 * Returns { runs, wallMs, profiledMs, phases: [{ id, label, ms, share }], buckets: [{ name, ms,
 * share }], top: [{ fn, ms }], totalMs } with ms averaged over the runs; shares in %.
 */
export function summariseCpuProfiles(runs, { topN = 15, bundled = true } = {}) {
  const maps = new SourceMaps();
  const phaseUs = new Map(PHASES.map((p) => [p.id, 0]));
  const buckets = new Map();
  const fns = new Map();
  let wallUs = 0;
  let profiledUs = 0;
  let outside = true;
  for (const run of runs) {
    const p = readProfile(run.file);
    profiledUs += p.endTime - p.startTime;
    if (run.spawnStartUs !== undefined && run.spawnEndUs !== undefined) {
      const before = Math.max(0, p.startTime - run.spawnStartUs);
      const after = Math.max(0, run.spawnEndUs - p.endTime);
      phaseUs.set('startup', phaseUs.get('startup') + before);
      phaseUs.set('exit', phaseUs.get('exit') + after);
      wallUs += run.spawnEndUs - run.spawnStartUs;
    } else {
      outside = false;
      wallUs += p.endTime - p.startTime;
    }
    phaseUs.set('startup', phaseUs.get('startup') + p.leadUs);
    let started = false;
    for (const { stack, us } of p.samples) {
      started ||= runsUserCode(stack);
      const phase = started ? phaseOf(stack) : 'startup';
      phaseUs.set(phase, phaseUs.get(phase) + us);

      const leaf = stack[stack.length - 1];
      let { bucket, where } = locate(leaf.callFrame, maps, p.wrapped);
      if (bucket.startsWith('native: ')) {
        // A native helper (a RegExp, a file-system call) works for the JavaScript that called it.
        for (let j = stack.length - 2; j >= 0; j--) {
          if (!stack[j].callFrame.url) continue;
          bucket = locate(stack[j].callFrame, maps, p.wrapped).bucket;
          break;
        }
      }
      if (bucket === 'Node: other internals') {
        // Node's own frames and native helpers count as module loading when the module loader
        // (or the launcher's code-cache hook) called them: reading and stat-ing files, package.json lookups.
        for (let j = stack.length - 2; j >= 0; j--) {
          const b = locate(stack[j].callFrame, maps, p.wrapped).bucket;
          if (b === LOADER || b === LOADER_CACHE) {
            bucket = b;
            break;
          }
          if (b !== 'Node: other internals' && !b.startsWith('native: ')) break;
        }
      }
      const name = leaf.callFrame.functionName;
      if ((bucket === LOADER && /^(wrapSafe|compileFunction)$/.test(name)) || (name === 'Script' && leaf.callFrame.url === 'node:vm')) {
        bucket = 'V8: compiling or loading cached code';
      }
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
      const key = `${name || '(anonymous)'} ${where}`.trim();
      fns.set(key, (fns.get(key) ?? 0) + us);
    }
  }
  const n = Math.max(1, runs.length);
  const ms = (us) => Math.round(us / n / 100) / 10;
  const share = (us, total) => (total > 0 ? Math.round((1000 * us) / total) / 10 : 0);
  const phaseTotal = [...phaseUs.values()].reduce((a, b) => a + b, 0);
  const sampled = [...buckets.values()].reduce((a, b) => a + b, 0);
  return {
    runs: runs.length,
    wallMs: ms(wallUs),
    profiledMs: ms(profiledUs),
    measuredOutside: outside,
    phases: PHASES.map((p) => ({
      id: p.id,
      label: p.id === 'load' && !bundled ? UNBUNDLED_LOAD_LABEL : p.label,
      ms: ms(phaseUs.get(p.id)),
      share: share(phaseUs.get(p.id), phaseTotal),
    })),
    totalMs: ms(sampled),
    buckets: [...buckets]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: ms(us), share: share(us, sampled) })),
    top: [...fns]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([fn, us]) => ({ fn, ms: ms(us) })),
  };
}

/** Summarises a single profile (no outside timing): see summariseCpuProfiles. */
export function summariseCpuProfile(file, options) {
  return summariseCpuProfiles([{ file }], options);
}
