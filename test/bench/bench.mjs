#!/usr/bin/env node
/**
 * `npm run bench`: how long nodegen takes, as users run it, whole process and all.
 *
 * Runs the built CLI (`node bin/nodegen.js ...`, with src/ present so the launcher's freshness
 * check is paid as in a clone) in a temporary copy of the project, never in the repository's
 * dist/. After one warm-up run per case, every case runs BENCH_RUNS times, interleaved case by
 * case so that drift on a shared machine hits all cases alike. Reports median/min/max wall time
 * and peak RSS, the ratio to a bare `node -e ''` measured in the same run, the cost per node of
 * generated fleets and whether it grows linearly, whether `--help` and `list` load cdk8s, the
 * targets of issue 7, and (unless BENCH_PROFILE=0) where the time goes.
 *
 * Writes .bench/results.json, .bench/results.md and .bench/profiles/*.cpuprofile (git-ignored).
 *
 * Environment:
 *   BENCH_RUNS=5          timed runs per case
 *   BENCH_RUNS_LARGE=3    timed runs for fleets of BENCH_LARGE_FROM (5000) nodes or more
 *   BENCH_SIZES=10,100,1000,5000   generated fleet sizes
 *   BENCH_PROFILE=0       skip the profile runs
 *   BENCH_REFERENCE=0     skip the cdk8s app.synth() reference rows
 *   BENCH_MEMORY=probe    measure peak RSS with the preload probe even when GNU time exists
 *   BENCH_KEEP=1          keep the temporary projects (their path is printed)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summariseCpuProfile } from './cpuprofile.mjs';
import { fleetName, fleetYaml } from './fleet.mjs';
import { num, renderReport } from './report.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const OUT = join(ROOT, '.bench');
const PROBE = join(HERE, 'probe.cjs');
const REFERENCE = join(HERE, 'cdk8s-reference.cjs');
const NODE = process.execPath;

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

const RUNS = intFromEnv('BENCH_RUNS', 5);
const RUNS_LARGE = Math.min(RUNS, intFromEnv('BENCH_RUNS_LARGE', 3));
const LARGE_FROM = intFromEnv('BENCH_LARGE_FROM', 5000);
const SIZES = (process.env.BENCH_SIZES ?? '10,100,1000,5000')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n > 0)
  .sort((a, b) => a - b);
const PROFILE = process.env.BENCH_PROFILE !== '0';
const WITH_REFERENCE = process.env.BENCH_REFERENCE !== '0';
const KEEP = process.env.BENCH_KEEP === '1';
/** How far the cost per node may vary between fleet sizes and still count as linear. */
const LINEAR_TOLERANCE = 1.5;

const log = (s) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------------------------------------
// The temporary projects

/** A copy of the project at `dir` (sources, compiled lib/, environments), node_modules linked. */
function copyProject(dir) {
  mkdirSync(dir, { recursive: true });
  for (const entry of ['package.json', 'tsconfig.json', 'bin', 'lib', 'src', 'charts', 'environments']) {
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

/**
 * Makes the copy's lib/ match its sources (rebuilding in the copy only); returns a note or ''.
 * When the sources do not compile (someone is mid-change), measures the repository's existing
 * lib/ instead, without src/ in the copy, and says so loudly.
 */
function ensureBuilt(dir) {
  const r = spawnSync(NODE, ['-e', "const m = require('./bin/build.js').ensureFresh(); if (m) { console.error(m); process.exit(1); }"], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (r.status === 0) {
    return /rebuilding/.test(r.stderr) ? "lib/ was older than src/; the benchmark's copy was rebuilt (the repository's lib/ was not touched)" : '';
  }
  if (!existsSync(join(ROOT, 'lib', 'src', 'cli', 'run.js'))) throw new Error(`the project does not build and there is no lib/ to measure:\n${r.stderr}`);
  // tsc writes output even when type checking fails: put the repository's lib/ back, and stamp it
  // as matching the copy's sources so the launcher runs it (src/ stays: it holds run-time data).
  rmSync(join(dir, 'lib'), { recursive: true, force: true });
  cpSync(join(ROOT, 'lib'), join(dir, 'lib'), { recursive: true });
  const hash = spawnSync(NODE, ['-e', "process.stdout.write(require('./bin/build.js').sourceHash())"], { cwd: dir, encoding: 'utf8' });
  if (hash.status !== 0) throw new Error(`could not hash the copy's sources:\n${hash.stderr}`);
  writeFileSync(join(dir, 'lib', '.source-hash'), `${hash.stdout}\n`);
  const note =
    "WARNING: src/ does not compile at the moment, so this run measured the repository's existing lib/, compiled " +
    'from older sources than src/. Re-run when the build is green.';
  log(`${note}\n${r.stderr.trim().split('\n').slice(0, 5).join('\n')}`);
  return note;
}

/** The node names base.yaml defines, so generated fleets can remove them. */
function baseNodeNames(dir) {
  const yaml = createRequire(join(ROOT, 'package.json'))('yaml');
  const base = yaml.parse(readFileSync(join(dir, 'environments', 'base.yaml'), 'utf8')) ?? {};
  return Object.keys(base.nodes ?? {});
}

// ---------------------------------------------------------------------------------------------
// Running and measuring one process

/** GNU time's path when it works here (it reports peak RSS of the whole process), else undefined. */
function detectGnuTime(scratch) {
  if (process.env.BENCH_MEMORY === 'probe') return undefined;
  const bin = '/usr/bin/time';
  if (!existsSync(bin)) return undefined;
  const file = join(scratch, 'time-check.txt');
  const r = spawnSync(bin, ['-f', '%M', '-o', file, NODE, '-e', '']);
  if (r.status !== 0 || !existsSync(file)) return undefined;
  return Number.isFinite(lastNumber(readFileSync(file, 'utf8'))) ? bin : undefined;
}

function lastNumber(text) {
  const lines = text.trim().split('\n');
  return Number(lines[lines.length - 1]);
}

/**
 * Runs one case once. Returns { ms, rssKiB, probe }. With `probe`, the probe preload reports
 * peak RSS and the modules loaded (and phase times with `phases`); `cpuProfDir` adds --cpu-prof.
 */
function runOnce(c, scratch, timeBin, { probe = false, phases = false, cpuProfDir } = {}) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith('BENCH_')) delete env[k];
  const nodeArgs = [];
  const probeOut = join(scratch, 'probe.json');
  const useProbe = probe || !timeBin;
  if (useProbe) {
    rmSync(probeOut, { force: true });
    nodeArgs.push('-r', PROBE);
    env.BENCH_PROBE_OUT = probeOut;
    if (phases) env.BENCH_PROBE_PHASES = '1';
  }
  if (cpuProfDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`);
  const timeOut = join(scratch, 'time.txt');
  const wrapped = timeBin && !useProbe;
  const cmd = wrapped ? timeBin : NODE;
  const args = wrapped ? ['-f', '%M', '-o', timeOut, NODE, ...nodeArgs, ...c.args] : [...nodeArgs, ...c.args];
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: c.cwd, env, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`${c.label} exited with ${r.status ?? r.signal}:\n${(r.stderr || r.stdout || '').slice(0, 2000)}`);
  }
  const result = { ms };
  if (wrapped) result.rssKiB = lastNumber(readFileSync(timeOut, 'utf8'));
  if (useProbe) {
    result.probe = JSON.parse(readFileSync(probeOut, 'utf8'));
    result.rssKiB = result.probe.maxRssKiB;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Statistics

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function summary(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Per-node cost at each fleet size, and whether it stays flat from 100 nodes up. */
function scaling(cases) {
  const fleets = cases.filter((c) => c.nodes !== undefined && !c.reference).sort((a, b) => a.nodes - b.nodes);
  const fixed = fleets[0];
  const sizes = fleets.map((c, i) => {
    const s = {
      nodes: c.nodes,
      medianMs: c.wallMs.median,
      msPerNode: c.wallMs.median / c.nodes,
      peakMiB: c.peakMiB.max,
    };
    if (c !== fixed) {
      s.marginalMsPerNode = (c.wallMs.median - fixed.wallMs.median) / (c.nodes - fixed.nodes);
      s.marginalKiBPerNode = ((c.peakMiB.max - fixed.peakMiB.max) * 1024) / (c.nodes - fixed.nodes);
      const prev = fleets[i - 1];
      if (prev !== fixed) {
        // time - fixed cost ∝ n^k: k = 1 for linear growth, 2 for quadratic.
        s.exponent =
          Math.log((c.wallMs.median - fixed.wallMs.median) / (prev.wallMs.median - fixed.wallMs.median)) /
          Math.log((c.nodes - fixed.nodes) / (prev.nodes - fixed.nodes));
      }
    }
    return s;
  });
  const judged = sizes.filter((s) => s.nodes >= 100 && s.marginalMsPerNode !== undefined);
  let ratio;
  let linear;
  if (judged.length >= 2) {
    const costs = judged.map((s) => s.marginalMsPerNode);
    ratio = Math.max(...costs) / Math.min(...costs);
    linear = ratio <= LINEAR_TOLERANCE;
  }
  const note = fixed
    ? `Marginal cost per node = (median(N) − median(${fixed.nodes} nodes)) / (N − ${fixed.nodes}), which takes out the fixed ` +
      `start-up cost; exponent k fits time − fixed ∝ N^k between neighbouring sizes (1 = linear, 2 = quadratic). ` +
      (ratio === undefined
        ? 'Linearity needs at least two sizes of 100 nodes or more.'
        : `Largest/smallest marginal cost per node from 100 nodes up: ${num(ratio, 2)} ` +
          `(linear when ≤ ${LINEAR_TOLERANCE}): ${linear ? 'linear' : 'NOT linear'}.`)
    : 'No generated fleets were measured.';
  return { sizes, ratio, linear, tolerance: LINEAR_TOLERANCE, note };
}

// ---------------------------------------------------------------------------------------------
// Targets (issue 7)

function atMost(target, value, limit, unit, decimals = 0) {
  if (value === undefined) return { target, measured: '–', limit: `${limit} ${unit}`, met: undefined, distance: 'not measured' };
  const met = value <= limit;
  const distance = met
    ? `met with ${num(limit / value, 2)}× headroom`
    : `${num(value - limit, decimals)} ${unit} over: needs ${num(value / limit, 2)}× less`;
  return { target, measured: `${num(value, decimals)} ${unit}`, limit: `≤ ${limit} ${unit}`, met, distance };
}

function targets(byId, scale) {
  const all = byId.get('synth-all');
  const node = byId.get('node');
  const k1 = byId.get('fleet-1000');
  const k5 = byId.get('fleet-5000');
  const loads = (id, name) => {
    const c = byId.get(id);
    const met = c ? !c.loadsCdk8s : undefined;
    return { target: `${name} never loads cdk8s`, measured: c ? (c.loadsCdk8s ? 'loads cdk8s' : 'no cdk8s file loaded') : '–', limit: 'no cdk8s', met, distance: met ? '–' : met === false ? 'loads cdk8s' : 'not measured' };
  };
  const rows = [
    atMost("synth --all ≤ 2.5 × bare `node -e ''` (medians)", all && node ? all.wallMs.median / node.wallMs.median : undefined, 2.5, '×', 2),
    atMost("synth --all ≤ 2.5 × bare `node -e ''` (best runs)", all && node ? all.wallMs.min / node.wallMs.min : undefined, 2.5, '×', 2),
    atMost('synth --all peak memory < 120 MiB (max of runs)', all?.peakMiB.max, 120, 'MiB', 1),
    atMost('1,000 nodes < 2 s (median)', k1?.wallMs.median, 2000, 'ms'),
    atMost('5,000 nodes < 10 s (median)', k5?.wallMs.median, 10000, 'ms'),
    atMost('5,000 nodes < 1 GiB peak memory (max of runs)', k5?.peakMiB.max, 1024, 'MiB', 1),
    atMost(`cost per node flat from 100 to 5,000 nodes (largest/smallest marginal cost)`, scale.ratio, LINEAR_TOLERANCE, '×', 2),
    loads('help', '`--help`'),
    loads('list', '`list`'),
  ];
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Profile

/** Groups the probe's buckets into the phases of a run, with Node's start-up and the remainder. */
function phaseRows(probe, wallMs) {
  const rows = [{ name: 'Node start-up (before the first module runs)', ms: probe.bootstrapMs }];
  let attributed = probe.bootstrapMs;
  for (const [name, b] of Object.entries(probe.phases ?? {})) {
    rows.push({ name, ms: b.ms, calls: b.calls });
    attributed += b.ms;
  }
  rows.push({ name: 'unattributed (commander, dynamic import, output, exit)', ms: Math.max(0, probe.endMs - attributed) });
  const total = probe.endMs;
  // Packages that each take under 1% (and under 10 ms) are summed into one row, for readability.
  const limit = Math.min(total / 100, 10);
  const small = rows.filter((r) => r.name.startsWith('load: ') && r.ms < limit && r.name !== 'load: resolving module paths');
  if (small.length > 1) {
    const merged = { name: `load: ${small.length} other packages, each < ${num(limit, 1)} ms`, ms: 0, calls: 0 };
    for (const r of small) {
      merged.ms += r.ms;
      merged.calls += r.calls ?? 0;
      rows.splice(rows.indexOf(r), 1);
    }
    rows.push(merged);
  }
  const GROUP = {
    load: 'module load (resolve, read, compile, run module bodies)',
    launcher: 'launcher (lib/ freshness check)',
    env: 'environment load + validation (YAML parse, merge, zod)',
    build: 'construct build (buildFleet)',
    render: 'render (chart.toJson + YAML stringify)',
    validate: 'validation gate',
    write: 'write (compare with disk, write, rename)',
  };
  const groups = new Map();
  for (const r of rows) {
    const g = GROUP[r.name.split(':')[0]] ?? r.name;
    groups.set(g, (groups.get(g) ?? 0) + r.ms);
  }
  return {
    wallMs,
    totalMs: total,
    rows: rows.sort((a, b) => b.ms - a.ms).map((r) => ({ ...r, share: (100 * r.ms) / total })),
    groups: [...groups].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms, share: (100 * ms) / total })),
  };
}

// ---------------------------------------------------------------------------------------------

function gitInfo() {
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' });
  return { commit: rev.status === 0 ? rev.stdout.trim() : 'unknown', dirty: status.status === 0 && status.stdout.trim() !== '' };
}

function main() {
  if (!existsSync(join(ROOT, 'node_modules'))) throw new Error('node_modules is missing: run `npm ci` first');
  const tmp = mkdtempSync(join(tmpdir(), 'nodegen-bench-'));
  const notes = [];
  try {
    const scratch = join(tmp, 'scratch');
    mkdirSync(scratch);
    const timeBin = detectGnuTime(scratch);
    const memorySource = timeBin
      ? 'GNU time (%M, maximum resident set size of the process)'
      : 'process.resourceUsage().maxRSS read at exit by a preload (GNU time not found)';

    // The shipped environments, and a project holding only the generated fleets.
    const defaultDir = join(tmp, 'project');
    copyProject(defaultDir);
    const built = ensureBuilt(defaultDir);
    if (built) notes.push(built);
    const fleetDir = join(tmp, 'fleets');
    copyProject(fleetDir);
    rmSync(join(fleetDir, 'lib'), { recursive: true, force: true });
    cpSync(join(defaultDir, 'lib'), join(fleetDir, 'lib'), { recursive: true });
    const baseNodes = baseNodeNames(fleetDir);
    for (const f of readdirSync(join(fleetDir, 'environments'))) {
      if (f.endsWith('.yaml') && f !== 'base.yaml') rmSync(join(fleetDir, 'environments', f));
    }
    for (const n of SIZES) writeFileSync(join(fleetDir, 'environments', `${fleetName(n)}.yaml`), fleetYaml(n, baseNodes));

    const cli = (...args) => ['bin/nodegen.js', ...args];
    const cases = [
      { id: 'node', label: "node -e '' (bare Node start-up)", args: ['-e', ''], cwd: defaultDir },
      { id: 'help', label: 'nodegen --help', args: cli('--help'), cwd: defaultDir },
      { id: 'list', label: 'nodegen list', args: cli('list'), cwd: defaultDir },
      { id: 'synth-qa', label: 'nodegen synth --env qa', args: cli('synth', '--env', 'qa'), cwd: defaultDir },
      { id: 'synth-all', label: 'nodegen synth --all (default fleet)', args: cli('synth', '--all'), cwd: defaultDir },
      ...SIZES.map((n) => ({
        id: `fleet-${n}`,
        label: `nodegen synth, ${n.toLocaleString('en-US')} nodes`,
        args: cli('synth', '--env', fleetName(n)),
        cwd: fleetDir,
        nodes: n,
      })),
    ];
    if (WITH_REFERENCE) {
      const refOut = join(tmp, 'cdk8s-out');
      const refs = [{ id: 'ref-all', label: 'reference: cdk8s app.synth(), default fleet', args: [REFERENCE, defaultDir, refOut, '--all'], cwd: defaultDir }];
      if (SIZES.includes(1000)) {
        refs.push({ id: 'ref-1000', label: 'reference: cdk8s app.synth(), 1,000 nodes', args: [REFERENCE, fleetDir, refOut, fleetName(1000)], cwd: fleetDir, nodes: 1000, reference: true });
      }
      for (const r of refs) {
        try {
          runOnce(r, scratch, timeBin);
          cases.push(r);
        } catch (e) {
          notes.push(`${r.label}: skipped, it failed (${String(e.message).split('\n')[0]})`);
        }
      }
    }
    for (const c of cases) {
      c.runs = c.nodes !== undefined && c.nodes >= LARGE_FROM ? RUNS_LARGE : RUNS;
      c.samples = [];
    }

    const loadBefore = loadavg()[0];
    log(`nodegen bench: ${cases.length} cases, ${RUNS} runs (${RUNS_LARGE} from ${LARGE_FROM} nodes), projects in ${tmp}`);
    log('warm-up...');
    for (const c of cases) runOnce(c, scratch, timeBin);
    const rounds = Math.max(...cases.map((c) => c.runs));
    for (let round = 0; round < rounds; round++) {
      log(`round ${round + 1}/${rounds}...`);
      for (const c of cases) if (round < c.runs) c.samples.push(runOnce(c, scratch, timeBin));
    }
    log('checking which modules each case loads...');
    for (const c of cases) {
      const { probe } = runOnce(c, scratch, timeBin, { probe: true });
      c.loadsCdk8s = probe.cdk8sLoaded;
      c.modulesLoaded = probe.modulesLoaded;
    }

    const nodeMedian = median(cases[0].samples.map((s) => s.ms));
    for (const c of cases) {
      c.wallMs = summary(c.samples.map((s) => s.ms));
      const mib = c.samples.map((s) => s.rssKiB / 1024);
      c.peakMiB = summary(mib);
      c.timesNode = c.wallMs.median / nodeMedian;
    }
    const byId = new Map(cases.map((c) => [c.id, c]));
    const scale = scaling(cases);

    const profile = [];
    if (PROFILE) {
      const profDir = join(OUT, 'profiles');
      rmSync(profDir, { recursive: true, force: true });
      mkdirSync(profDir, { recursive: true });
      for (const id of ['synth-all', 'fleet-1000']) {
        const c = byId.get(id);
        if (!c) continue;
        log(`profiling ${c.label}...`);
        const probed = runOnce(c, scratch, timeBin, { probe: true, phases: true });
        const cpuDir = join(scratch, `cpu-${id}`);
        runOnce(c, scratch, timeBin, { cpuProfDir: cpuDir });
        const file = readdirSync(cpuDir).find((f) => f.endsWith('.cpuprofile'));
        cpSync(join(cpuDir, file), join(profDir, `${id}.cpuprofile`));
        profile.push({
          id,
          label: c.label,
          phases: phaseRows(probed.probe, probed.ms),
          cpu: summariseCpuProfile(join(cpuDir, file)),
          cpuProfile: `.bench/profiles/${id}.cpuprofile`,
        });
      }
    }

    const loadAfter = loadavg()[0];
    // The benchmark itself keeps about one CPU busy; more than that means someone else was running.
    if (loadBefore > 1 || loadAfter > cpus().length - 0.5) {
      notes.push(
        `The machine was busy (1-minute load average ${num(loadBefore, 2)} before, ${num(loadAfter, 2)} after, on ` +
          `${cpus().length} CPUs): other processes competed for the CPU, so times are noisier and slower than on an idle machine; ` +
          'compare the min columns, or re-run when idle.',
      );
    }
    const git = gitInfo();
    const results = {
      meta: {
        date: new Date().toISOString(),
        node: process.versions.node,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memGiB: Math.round(totalmem() / 2 ** 30),
        ...git,
        runs: RUNS,
        runsLarge: RUNS_LARGE,
        largeFrom: LARGE_FROM,
        warmup: 1,
        memorySource,
        loadAverage: { before: loadBefore, after: loadAfter },
      },
      cases: cases.map((c) => ({
        id: c.id,
        label: c.label,
        command: c.args[0] === 'bin/nodegen.js' ? `nodegen ${c.args.slice(1).join(' ')}` : `node ${c.args.map((a) => a.replace(tmp, '<tmp>')).join(' ')}`,
        nodes: c.nodes,
        reference: c.id.startsWith('ref-') || undefined,
        runs: c.runs,
        wallMs: c.wallMs,
        timesNode: c.timesNode,
        timesNodeMin: c.wallMs.min / cases[0].wallMs.min,
        peakMiB: c.peakMiB,
        loadsCdk8s: c.loadsCdk8s,
        modulesLoaded: c.modulesLoaded,
        samplesMs: c.samples.map((s) => Math.round(s.ms * 10) / 10),
        samplesKiB: c.samples.map((s) => s.rssKiB),
      })),
      scaling: scale,
      targets: [],
      profile,
      notes,
    };
    results.targets = targets(byId, scale);
    if (results.cases.some((c) => c.reference)) {
      notes.push(
        'Reference rows run the same environments through nodegen\'s compiled loader and charts but synthesise with cdk8s ' +
          '`app.synth()` (what a cdk8s app run by `cdk8s synth` does), without the cdk8s CLI\'s own start-up.',
      );
    }

    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(OUT, 'results.md'), renderReport(results, 'md'));
    process.stdout.write(`${renderReport(results, 'text')}\n`);
    log('wrote .bench/results.json and .bench/results.md');
  } finally {
    if (KEEP) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
