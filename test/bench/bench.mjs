#!/usr/bin/env node
/**
 * `npm run bench`: how long nodegen takes, as users run it, whole process and all.
 *
 * Runs the built CLI as users run it (`node bin/nodegen.js ...`: the launcher's freshness check,
 * the bundled lib/cli and its V8 code cache in lib/.cache) in a temporary copy of the project,
 * never in the repository's dist/. The copy starts without a code cache; one warm-up run per case
 * writes it, a check run confirms V8 takes it (the `code cache` column), and then every case runs
 * BENCH_RUNS times, interleaved case by case so that drift on a shared machine hits all cases
 * alike: the timed runs measure the steady state, with a warm code cache. Two rows, labelled so,
 * run `synth --all` right after `node bin/build.js` (what `npm ci` runs through `prepare`; the
 * user's first command after installing) and with the cache emptied before each run.
 *
 * Reports median/min/max wall time and peak RSS, the ratio to a bare `node -e ''` measured in the
 * same run, the cost per node of generated fleets and whether it grows linearly, which code each
 * command loads (`--help` and `list` must not load cdk8s), the targets of issues 7 and 18 (each
 * met or not: synth --all against bare Node, its memory, diff against synth, the first run after
 * `npm ci` against the next, and `cdk8s synth` against nodegen), a reference
 * cdk8s `app.synth()` of the same fleets and, when the cdk8s CLI is installed, `cdk8s synth` of
 * that reference app, the floor under `synth --all` (test/bench/floor.cjs: loading alone, and the
 * command's work cold and warm in one process) and (unless BENCH_PROFILE=0) where the time goes,
 * from CPU profiles.
 *
 * Writes .bench/results.json, .bench/results.md and .bench/profiles/*.cpuprofile (git-ignored).
 *
 * Environment:
 *   BENCH_RUNS=5          timed runs per case
 *   BENCH_RUNS_LARGE=3    timed runs for fleets of BENCH_LARGE_FROM (5000) nodes or more
 *   BENCH_SIZES=10,100,1000,5000   generated fleet sizes
 *   BENCH_PROFILE=0       skip the profile runs
 *   BENCH_PROFILE_RUNS=3  CPU-profiled runs per profiled case (their times are averaged)
 *   BENCH_REFERENCE=0     skip the cdk8s app.synth() reference rows
 *   BENCH_CDK8S_CLI=path  the cdk8s CLI to compare with (default: node_modules/.bin/cdk8s when
 *                         installed; 0 to skip)
 *   BENCH_MEMORY=probe    measure peak RSS with the preload probe even when GNU time exists
 *   BENCH_KEEP=1          keep the temporary projects (their path is printed)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summariseCpuProfiles } from './cpuprofile.mjs';
import { fleetName, fleetYaml } from './fleet.mjs';
import { num, renderReport } from './report.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const OUT = join(ROOT, '.bench');
const PROBE = join(HERE, 'probe.cjs');
const REFERENCE = join(HERE, 'cdk8s-reference.cjs');
const FLOOR = join(HERE, 'floor.cjs');
/** Runs of `synth --all` in one process, for the floor (test/bench/floor.cjs). */
const FLOOR_WORK_RUNS = 8;
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
const PROFILE_RUNS = intFromEnv('BENCH_PROFILE_RUNS', 3);
const WITH_REFERENCE = process.env.BENCH_REFERENCE !== '0';
const KEEP = process.env.BENCH_KEEP === '1';
/** How far the cost per node may vary between fleet sizes and still count as linear. */
const LINEAR_TOLERANCE = 1.5;

const log = (s) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------------------------------------
// The temporary projects

/**
 * A copy of the project `from` at `dir` (sources, compiled lib/ with the bundled lib/cli,
 * environments), node_modules linked. The V8 code cache (lib/.cache) is not copied: its entries
 * are keyed by the files' modification times, which a copy does not keep, so each copy writes its
 * own in its warm-up runs.
 */
function copyProject(dir, from = ROOT) {
  mkdirSync(dir, { recursive: true });
  const cache = join(from, 'lib', '.cache');
  for (const entry of ['package.json', 'tsconfig.json', 'bin', 'lib', 'src', 'charts', 'environments', 'chains']) {
    if (existsSync(join(from, entry))) cpSync(join(from, entry), join(dir, entry), { recursive: true, filter: (src) => src !== cache });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

/** The copy's code-cache files for this Node, as name → modification time (ms). */
function cacheSnapshot(dir) {
  const folder = join(dir, 'lib', '.cache', `${process.version}-${process.arch}`);
  if (!existsSync(folder)) return new Map();
  return new Map(readdirSync(folder).filter((f) => f.endsWith('.v8')).map((f) => [f, statSync(join(folder, f)).mtimeMs]));
}

/** Cache files added or rewritten between two snapshots. */
function cacheChanges(before, after) {
  return [...after].filter(([f, t]) => before.get(f) !== t).map(([f]) => f);
}

/**
 * Makes the copy's lib/ match its sources (rebuilding in the copy only); returns a note or ''.
 * When the sources do not compile (someone is mid-change), measures the repository's existing
 * lib/ instead, stamped as current for the copy's sources, and says so loudly.
 */
function ensureBuilt(dir) {
  const r = spawnSync(NODE, ['-e', "const m = require('./bin/build.js').ensureFresh(); if (m) { console.error(m); process.exit(1); }"], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (r.status === 0) {
    return /rebuilding/.test(r.stderr) ? "lib/ was older than src/; the benchmark's copy was rebuilt (the repository's lib/ was not touched)" : '';
  }
  if (!existsSync(join(ROOT, 'lib', 'cli', 'run.js')) && !existsSync(join(ROOT, 'lib', 'src', 'cli', 'run.js'))) {
    throw new Error(`the project does not build and there is no lib/ to measure:\n${r.stderr}`);
  }
  // tsc writes output even when type checking fails: put the repository's lib/ back (without its
  // code cache), and stamp it as matching the copy's sources, hash and fingerprint, the way
  // bin/build.js does, so the launcher runs it (src/ stays: it holds run-time data).
  rmSync(join(dir, 'lib'), { recursive: true, force: true });
  const cache = join(ROOT, 'lib', '.cache');
  cpSync(join(ROOT, 'lib'), join(dir, 'lib'), { recursive: true, filter: (src) => src !== cache });
  const stamp = spawnSync(NODE, ['-e', "const b = require('./bin/build.js'); const print = b.fingerprint(); b.writeStamp(b.sourceHash(), print);"], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (stamp.status !== 0) throw new Error(`could not stamp the copy's lib/:\n${stamp.stderr}`);
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
 * Runs one case once (after its `before` hook, outside the timing). Returns { ms, rssKiB, probe,
 * startUs, endUs } (start and end on process.hrtime's clock, in µs). With `probe`, the probe
 * preload reports peak RSS, the files and chunks loaded and the code-cache status; `cpuProfDir`
 * adds --cpu-prof; `plain` runs without GNU time (for profiles: nothing between spawn and Node).
 * A case with `exec` runs its first argument as the command instead of `node`: no probe then.
 */
function runOnce(c, scratch, timeBin, { probe = false, cpuProfDir, plain = false } = {}) {
  c.before?.();
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith('BENCH_')) delete env[k];
  const nodeArgs = [];
  const probeOut = join(scratch, 'probe.json');
  const useProbe = !c.exec && (probe || (!timeBin && !plain));
  if (useProbe) {
    rmSync(probeOut, { force: true });
    nodeArgs.push('-r', PROBE);
    env.BENCH_PROBE_OUT = probeOut;
  }
  if (cpuProfDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`);
  const timeOut = join(scratch, 'time.txt');
  const wrapped = timeBin && !useProbe && !plain;
  const command = c.exec ? [...c.args] : [NODE, ...nodeArgs, ...c.args];
  const cmd = wrapped ? timeBin : command[0];
  const args = wrapped ? ['-f', '%M', '-o', timeOut, ...command] : command.slice(1);
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: c.cwd, env, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const end = process.hrtime.bigint();
  const ms = Number(end - start) / 1e6;
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`${c.label} exited with ${r.status ?? r.signal}:\n${(r.stderr || r.stdout || '').slice(0, 2000)}`);
  }
  const result = { ms, startUs: Number(start / 1000n), endUs: Number(end / 1000n) };
  if (wrapped) result.rssKiB = lastNumber(readFileSync(timeOut, 'utf8'));
  if (useProbe) {
    result.probe = JSON.parse(readFileSync(probeOut, 'utf8'));
    result.rssKiB = result.probe.maxRssKiB;
  }
  return result;
}

/**
 * `synth --all` run `runs` times in one process by test/bench/floor.cjs in `dir`: { files, ms }
 * (the files it loaded through the code cache, each run's milliseconds). With `files` (a list an
 * earlier call wrote), those are loaded before the first run, so the runs time no loading.
 */
function floorWork(dir, runs, files) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(NODE, [FLOOR, 'work', String(runs), ...(files ? [files] : [])], { cwd: dir, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`test/bench/floor.cjs work failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * The floor under `synth --all`, in multiples of the bare Node start: loading (the floor-load
 * case), the command's own work on its first run in a process (cold code) and on the later ones
 * (the median of each process's second half: warm code), each divided by the bare run of its
 * own round, and what a `synth --all` would take if its code ran warm from the start (loading +
 * warm work).
 */
function floorSummary(works, node, load, synthAll) {
  const bare = node.samples.map((s) => s.ms);
  const first = works.map((w) => w.ms[0]);
  const warm = works.map((w) => median(w.ms.slice(Math.ceil(w.ms.length / 2))));
  const paired = (values) => median(values.map((v, i) => v / bare[i]));
  const loadTimes = load.pairedTimesNode.median;
  const warmTimes = paired(warm);
  return {
    nodeMs: median(bare),
    loadTimesNode: loadTimes,
    loadMs: load.wallMs.median,
    firstRunMs: median(first),
    warmRunMs: median(warm),
    coldOverWarm: median(first.map((f, i) => f / warm[i])),
    firstRunTimesNode: paired(first),
    warmRunTimesNode: warmTimes,
    warmBestTimesNode: loadTimes + warmTimes,
    synthAllTimesNode: synthAll?.pairedTimesNode.median,
    /** What the work may take, after start-up and loading, for synth --all to be 2.5 × node. */
    budgetMsAt2_5: (2.5 - loadTimes) * median(bare),
    processes: works.length,
    runsPerProcess: works[0]?.ms.length,
  };
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

/** Median and spread of a's time over b's, run by run: both take turns in every round. */
function pairedRatio(a, b) {
  if (!a || !b) return undefined;
  const n = Math.min(a.samples.length, b.samples.length);
  return summary(a.samples.slice(0, n).map((s, i) => s.ms / b.samples[i].ms));
}

function targets(byId, scale) {
  const all = byId.get('synth-all');
  const node = byId.get('node');
  const k1 = byId.get('fleet-1000');
  const k5 = byId.get('fleet-5000');
  const loads = (id, name) => {
    const c = byId.get(id);
    const met = c && c.loadsCdk8s !== undefined ? !c.loadsCdk8s : undefined;
    const measured = !c || c.loadsCdk8s === undefined ? '–' : c.loadsCdk8s ? 'loads cdk8s' : c.chunks?.length ? `no cdk8s chunk loaded (${c.chunks.length} chunks)` : 'no cdk8s file loaded';
    return { target: `${name} never loads cdk8s`, measured, limit: 'no cdk8s', met, distance: met ? '–' : met === false ? 'loads cdk8s' : 'not measured' };
  };
  const cdk8sCli = byId.get('cli-all');
  const rows = [
    atMost("synth --all ≤ 2.5 × bare `node -e ''` (median of paired ratios)", all?.pairedTimesNode.median, 2.5, '×', 2),
    atMost("synth --all ≤ 2.5 × bare `node -e ''` (medians)", all && node ? all.wallMs.median / node.wallMs.median : undefined, 2.5, '×', 2),
    atMost("synth --all ≤ 2.5 × bare `node -e ''` (best runs)", all && node ? all.wallMs.min / node.wallMs.min : undefined, 2.5, '×', 2),
    atMost('synth --all peak memory < 120 MiB (max of runs)', all?.peakMiB.max, 120, 'MiB', 1),
    atMost('1,000 nodes < 2 s (median)', k1?.wallMs.median, 2000, 'ms'),
    atMost('5,000 nodes < 10 s (median)', k5?.wallMs.median, 10000, 'ms'),
    atMost('5,000 nodes < 1 GiB peak memory (max of runs)', k5?.peakMiB.max, 1024, 'MiB', 1),
    atMost(`cost per node flat from 100 to 5,000 nodes (largest/smallest marginal cost)`, scale.ratio, LINEAR_TOLERANCE, '×', 2),
    atMost('diff --env qa ≤ 1.1 × synth --env qa (median of paired ratios)', pairedRatio(byId.get('diff-qa'), byId.get('synth-qa'))?.median, 1.1, '×', 2),
    atMost('diff of 1,000 nodes ≤ 1.1 × their synth (median of paired ratios)', pairedRatio(byId.get('diff-1000'), k1)?.median, 1.1, '×', 2),
    atMost('first synth --all after `npm ci` ≤ 1.2 × the next (median of paired ratios)', pairedRatio(byId.get('synth-all-first'), all)?.median, 1.2, '×', 2),
    cdk8sCli
      ? atMost('synth --all ≥ 5 × as fast as `cdk8s synth` of the same charts: nodegen ≤ 0.2 × cdk8s (median of paired ratios)', pairedRatio(all, cdk8sCli)?.median, 0.2, '×', 3)
      : { target: 'synth --all ≥ 5 × as fast as `cdk8s synth` of the same charts', measured: '–', limit: '≤ 0.2 ×', met: undefined, distance: 'not measured: no cdk8s CLI (see the notes)' },
    loads('help', '`--help`'),
    loads('list', '`list`'),
  ];
  return rows;
}

// ---------------------------------------------------------------------------------------------

function gitInfo() {
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' });
  return { commit: rev.status === 0 ? rev.stdout.trim() : 'unknown', dirty: status.status === 0 && status.stdout.trim() !== '' };
}

// ---------------------------------------------------------------------------------------------
// The cdk8s CLI (optional)

/** The version of the cdk8s CLI that was checked with this benchmark. */
const CDK8S_CLI_VERSION = '2.207.60';

/**
 * The cdk8s CLI to compare with: { path, node, version }, or { skipped: why }. BENCH_CDK8S_CLI
 * names it (0 skips); else node_modules/.bin/cdk8s when someone installed it (it is not a
 * dependency). A JavaScript entry runs under this benchmark's `node`; anything else runs as is.
 */
function findCdk8sCli() {
  const given = process.env.BENCH_CDK8S_CLI;
  if (given === '0') return { skipped: 'BENCH_CDK8S_CLI=0' };
  const candidate = given || join(ROOT, 'node_modules', '.bin', 'cdk8s');
  if (!existsSync(candidate)) {
    return { skipped: given ? `BENCH_CDK8S_CLI=${given} does not exist` : 'no cdk8s CLI in node_modules/.bin' };
  }
  const path = realpathSync(candidate);
  const head = readFileSync(path, 'utf8').slice(0, 200);
  const node = /\.[cm]?js$/.test(path) || /^#!.*\bnode\b/.test(head);
  const v = spawnSync(node ? NODE : path, node ? [path, '--version'] : ['--version'], { encoding: 'utf8' });
  const version = v.status === 0 ? (v.stdout.trim().split('\n')[0] ?? '?') : '?';
  return { path, node, version };
}

/**
 * A folder holding a cdk8s.yaml whose app is the reference (cdk8s-reference.cjs) over `project`:
 * `cdk8s synth` empties dist/, runs the app with CDK8S_OUTDIR and lists the manifests it wrote.
 */
function cdk8sCliFolder(dir, project, envArgs) {
  mkdirSync(dir, { recursive: true });
  const q = (s) => `"${s.replace(/(["\\$`])/g, '\\$1')}"`;
  const app = `${q(NODE)} ${q(REFERENCE)} ${q(project)} "$CDK8S_OUTDIR" ${envArgs.join(' ')}`;
  writeFileSync(join(dir, 'cdk8s.yaml'), `# Written by test/bench/bench.mjs\nlanguage: typescript\napp: '${app.replace(/'/g, "''")}'\noutput: dist\n`);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Code cache

/** What V8 did with the code cache in a probe run: { hit, total, text }, or undefined. */
function cacheStatus(probe) {
  const records = probe?.codeCache ?? [];
  if (records.length === 0) return undefined;
  const hit = records.filter((r) => r.status === 'hit').length;
  const rejected = records.filter((r) => r.status === 'rejected').length;
  const text = `${hit}/${records.length} hit${rejected ? `, ${rejected} rejected` : ''}`;
  return { hit, total: records.length, rejected, text, files: records };
}

// ---------------------------------------------------------------------------------------------

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

    // The shipped environments; a project per generated fleet; one for the cold-cache row and one
    // for the first run after a build. All are copies of the first once it is built, so all run
    // the same compiled code even while someone edits src/.
    const defaultDir = join(tmp, 'project');
    copyProject(defaultDir);
    const built = ensureBuilt(defaultDir);
    if (built) notes.push(built);
    const bundled = existsSync(join(defaultDir, 'lib', 'cli', 'run.js'));
    if (!bundled) notes.push('lib/cli is missing (rolldown not installed?): the CLI ran unbundled from lib/src, without a code cache.');
    // One project per fleet size, holding base.yaml and that fleet only: every synth reads all the
    // environment files of its project (the namespace-collision check), so fleets side by side
    // would each pay for parsing the others.
    const baseNodes = baseNodeNames(defaultDir);
    const fleetDirs = new Map(
      SIZES.map((n) => {
        const dir = join(tmp, `fleet-${n}`);
        copyProject(dir, defaultDir);
        for (const f of readdirSync(join(dir, 'environments'))) {
          if (f.endsWith('.yaml') && f !== 'base.yaml') rmSync(join(dir, 'environments', f));
        }
        writeFileSync(join(dir, 'environments', `${fleetName(n)}.yaml`), fleetYaml(n, baseNodes));
        return [n, dir];
      }),
    );
    const fleetDir = (n) => fleetDirs.get(n);
    const coldDir = join(tmp, 'cold');
    copyProject(coldDir, defaultDir);

    const cli = (...args) => ['bin/nodegen.js', ...args];
    const cases = [
      { id: 'node', label: "node -e '' (bare Node start-up)", args: ['-e', ''], cwd: defaultDir },
      { id: 'help', label: 'nodegen --help', args: cli('--help'), cwd: defaultDir, nodegen: true },
      { id: 'list', label: 'nodegen list', args: cli('list'), cwd: defaultDir, nodegen: true },
      { id: 'synth-qa', label: 'nodegen synth --env qa', args: cli('synth', '--env', 'qa'), cwd: defaultDir, nodegen: true },
      { id: 'synth-all', label: 'nodegen synth --all (default fleet)', args: cli('synth', '--all'), cwd: defaultDir, nodegen: true },
      { id: 'diff-qa', label: 'nodegen diff --env qa (nothing changed)', args: cli('diff', '--env', 'qa'), cwd: defaultDir, nodegen: true },
      ...SIZES.map((n) => ({
        id: `fleet-${n}`,
        label: `nodegen synth, ${n.toLocaleString('en-US')} nodes`,
        args: cli('synth', '--env', fleetName(n)),
        cwd: fleetDir(n),
        nodes: n,
        nodegen: true,
      })),
      // After the fleets' synth, which writes the dist/ it compares with (diff exits 1 on a difference).
      ...SIZES.filter((n) => n === 1000).map((n) => ({
        id: `diff-${n}`,
        label: `nodegen diff, ${n.toLocaleString('en-US')} nodes (nothing changed)`,
        args: cli('diff', '--env', fleetName(n)),
        cwd: fleetDir(n),
        nodegen: true,
      })),
    ];
    if (bundled) {
      // What `npm ci` leaves: its `prepare` script (bin/build.js) rebuilds lib/ and warms the code
      // cache; the user's first command follows. Each round rebuilds, then times that first run.
      const firstDir = join(tmp, 'first');
      copyProject(firstDir, defaultDir);
      cases.push({
        id: 'synth-all-first',
        label: 'nodegen synth --all, first run after the build `npm ci` runs',
        args: cli('synth', '--all'),
        cwd: firstDir,
        nodegen: true,
        afterBuild: true,
        before: () => {
          const b = spawnSync(NODE, ['bin/build.js'], { cwd: firstDir, encoding: 'utf8' });
          if (b.status !== 0) throw new Error(`bin/build.js failed in ${firstDir}:\n${b.stderr}`);
        },
      });
      cases.push({
        id: 'synth-all-cold',
        label: 'nodegen synth --all, COLD code cache (emptied before each run)',
        args: cli('synth', '--all'),
        cwd: coldDir,
        nodegen: true,
        cold: true,
        before: () => rmSync(join(coldDir, 'lib', '.cache'), { recursive: true, force: true }),
      });
    }
    let floorFiles;
    if (bundled) {
      // The floor (test/bench/floor.cjs): which files a synth --all loads, then a case that loads
      // just those the way the launcher does, and exits.
      const work = floorWork(defaultDir, 1);
      floorFiles = join(scratch, 'floor-files.json');
      writeFileSync(floorFiles, JSON.stringify({ files: work.files }));
      const at = cases.findIndex((c) => c.id === 'synth-all') + 1;
      cases.splice(at, 0, {
        id: 'floor-load',
        label: 'floor: the launcher and the files synth --all loads, then exit',
        args: [FLOOR, 'load', floorFiles],
        cwd: defaultDir,
        nodegen: true,
      });
    }
    if (WITH_REFERENCE) {
      const refOut = join(tmp, 'cdk8s-out');
      const refs = [{ id: 'ref-all', label: 'reference: cdk8s app.synth(), default fleet', args: [REFERENCE, defaultDir, refOut, '--all'], cwd: defaultDir, reference: true }];
      if (SIZES.includes(1000)) {
        refs.push({ id: 'ref-1000', label: 'reference: cdk8s app.synth(), 1,000 nodes', args: [REFERENCE, fleetDir(1000), refOut, fleetName(1000)], cwd: fleetDir(1000), nodes: 1000, reference: true });
      }
      const cdk8s = findCdk8sCli();
      if (cdk8s.skipped) {
        log(`cdk8s CLI: not found (${cdk8s.skipped}); see the notes at the end for how to include it`);
        notes.push(
          `cdk8s CLI rows: not measured (${cdk8s.skipped}). To compare with \`cdk8s synth\` running the reference app, install the ` +
            `CLI outside the project and point the benchmark at it: \`npm i --prefix /tmp/cdk8scli cdk8s-cli@${CDK8S_CLI_VERSION}\`, then ` +
            '`BENCH_CDK8S_CLI=/tmp/cdk8scli/node_modules/.bin/cdk8s npm run bench` (or `npm i --no-save cdk8s-cli`, which nodegen then ' +
            'rebuilds for once, since installed packages are a build input).',
        );
      } else {
        const cliCase = (id, label, project, envArgs, extra) => ({
          id,
          label,
          args: [cdk8s.path, 'synth', '--no-check-upgrade'],
          exec: !cdk8s.node,
          cwd: cdk8sCliFolder(join(tmp, id), project, envArgs),
          reference: true,
          cdk8sCli: true,
          ...extra,
        });
        refs.push(cliCase('cli-all', `cdk8s CLI ${cdk8s.version}: cdk8s synth (reference app), default fleet`, defaultDir, ['--all'], {}));
        if (SIZES.includes(1000)) refs.push(cliCase('cli-1000', `cdk8s CLI ${cdk8s.version}: cdk8s synth (reference app), 1,000 nodes`, fleetDir(1000), [fleetName(1000)], { nodes: 1000 }));
        notes.push(
          `cdk8s CLI rows run \`cdk8s synth --no-check-upgrade\` (${cdk8s.path}) in a folder whose cdk8s.yaml app is ` +
            '`node test/bench/cdk8s-reference.cjs <project> "$CDK8S_OUTDIR" ...`: the CLI empties dist/, starts the app as a second ' +
            'process through a shell, then lists the manifests. --no-check-upgrade skips its version check, which asks the npm ' +
            'registry on every run unless answered in the last 30 minutes. Their peak memory is that of the larger of the two processes.',
        );
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
    log('warm-up (writes the code caches)...');
    for (const c of cases) runOnce(c, scratch, timeBin);

    // Which code each case loads, and whether V8 takes the code cache the warm-up wrote. A warm
    // case that misses gets one more warm-up; still missing, the report says so.
    log('checking which code each case loads and that the code caches are warm...');
    for (const c of cases) {
      let probe = runOnce(c, scratch, timeBin, { probe: true }).probe;
      let cache = cacheStatus(probe);
      if (c.nodegen && !c.cold && !c.afterBuild && bundled && (!cache || cache.hit < cache.total)) {
        runOnce(c, scratch, timeBin);
        probe = runOnce(c, scratch, timeBin, { probe: true }).probe;
        cache = cacheStatus(probe);
        if (!cache || cache.hit < cache.total) {
          notes.push(`WARNING: ${c.label} ran without a complete warm code cache (${cache ? cache.text : 'no cache in use'}): its times include compiling.`);
        }
      }
      if (probe) {
        c.loadsCdk8s = probe.cdk8sLoaded;
        c.modulesLoaded = probe.modulesLoaded;
        c.chunks = probe.chunks;
        c.packages = probe.packages;
      }
      c.codeCache = c.cold ? { ...cache, text: `cold (${cache?.text ?? 'none'})` } : c.afterBuild ? { ...cache, text: `as the build left it (${cache?.text ?? 'none'})` } : cache;
    }

    // The CPU-profiled runs take turns with the timed runs, one per case a round, so that both
    // see the same machine (a shared machine's load drifts over minutes).
    const byId = new Map(cases.map((c) => [c.id, c]));
    const profiled = PROFILE ? ['synth-all', 'fleet-1000'].map((id) => byId.get(id)).filter(Boolean) : [];
    const profDir = join(OUT, 'profiles');
    if (PROFILE) {
      rmSync(profDir, { recursive: true, force: true });
      mkdirSync(profDir, { recursive: true });
    }
    for (const c of profiled) c.profileRuns = [];
    const floorWorks = [];
    const warm = [defaultDir, ...fleetDirs.values()].map((dir) => ({ dir, before: cacheSnapshot(dir) }));
    const rounds = Math.max(...cases.map((c) => c.runs), profiled.length > 0 ? PROFILE_RUNS : 0);
    for (let round = 0; round < rounds; round++) {
      log(`round ${round + 1}/${rounds}${profiled.length > 0 && round < PROFILE_RUNS ? ' (with CPU-profiled runs)' : ''}...`);
      for (const c of cases) if (round < c.runs) c.samples.push(runOnce(c, scratch, timeBin));
      // The floor's in-process runs take their turn too, one process a round (paired with its bare Node run).
      if (floorFiles && round < RUNS) floorWorks.push(floorWork(defaultDir, FLOOR_WORK_RUNS, floorFiles));
      if (round >= PROFILE_RUNS) continue;
      for (const c of profiled) {
        const cpuDir = join(scratch, `cpu-${c.id}-${round}`);
        const r = runOnce(c, scratch, timeBin, { cpuProfDir: cpuDir, plain: true });
        const file = join(cpuDir, readdirSync(cpuDir).find((f) => f.endsWith('.cpuprofile')));
        c.profileRuns.push({ file, spawnStartUs: r.startUs, spawnEndUs: r.endUs });
      }
    }
    for (const { dir, before } of warm) {
      const changed = cacheChanges(before, cacheSnapshot(dir));
      if (changed.length > 0) {
        notes.push(
          `WARNING: code-cache files were written during the timed or profiled runs in ${dir.replace(tmp, '<tmp>')} ` +
            `(${changed.join(', ')}): some runs compiled instead of using the cache.`,
        );
      }
    }

    const nodeMedian = median(cases[0].samples.map((s) => s.ms));
    const nodeMin = Math.min(...cases[0].samples.map((s) => s.ms));
    for (const c of cases) {
      c.wallMs = summary(c.samples.map((s) => s.ms));
      const mib = c.samples.filter((s) => s.rssKiB !== undefined).map((s) => s.rssKiB / 1024);
      c.peakMiB = mib.length > 0 ? summary(mib) : { median: undefined, min: undefined, max: undefined };
      c.timesNode = c.wallMs.median / nodeMedian;
      c.timesNodeMin = c.wallMs.min / nodeMin;
      // Paired: each run against the bare-node run of its own round (the runs take turns, A B A B),
      // so a machine that slows down for a while slows both sides of a pair; median and spread of those ratios.
      c.pairedTimesNode = summary(c.samples.map((s, i) => s.ms / cases[0].samples[i].ms));
    }
    const scale = scaling(cases);

    const floor = floorFiles ? floorSummary(floorWorks, cases[0], byId.get('floor-load'), byId.get('synth-all')) : undefined;

    const profile = [];
    for (const c of profiled) {
      log(`reading the CPU profiles of ${c.label}...`);
      cpSync(c.profileRuns[c.profileRuns.length - 1].file, join(profDir, `${c.id}.cpuprofile`));
      profile.push({
        id: c.id,
        label: c.label,
        medianMs: c.wallMs.median,
        ...summariseCpuProfiles(c.profileRuns, { bundled }),
        cpuProfile: `.bench/profiles/${c.id}.cpuprofile`,
      });
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
        bundled,
        codeCache: bundled ? 'warm' : 'none',
        profileRuns: PROFILE_RUNS,
        memorySource,
        loadAverage: { before: loadBefore, after: loadAfter },
      },
      cases: cases.map((c) => ({
        id: c.id,
        label: c.label,
        command: c.args[0] === 'bin/nodegen.js' ? `nodegen ${c.args.slice(1).join(' ')}` : `${c.exec ? '' : 'node '}${c.args.map((a) => a.replace(tmp, '<tmp>')).join(' ')}`,
        nodes: c.nodes,
        reference: c.reference || undefined,
        cold: c.cold || undefined,
        afterBuild: c.afterBuild || undefined,
        runs: c.runs,
        wallMs: c.wallMs,
        timesNode: c.timesNode,
        timesNodeMin: c.timesNodeMin,
        pairedTimesNode: c.pairedTimesNode,
        peakMiB: c.peakMiB,
        loadsCdk8s: c.loadsCdk8s,
        modulesLoaded: c.modulesLoaded,
        chunks: c.chunks,
        packages: c.packages,
        codeCache: c.codeCache?.text,
        samplesMs: c.samples.map((s) => Math.round(s.ms * 10) / 10),
        samplesKiB: c.samples.map((s) => s.rssKiB),
      })),
      scaling: scale,
      floor,
      targets: [],
      profile,
      notes,
    };
    results.targets = targets(byId, scale);
    if (results.cases.some((c) => c.id.startsWith('ref-'))) {
      notes.push(
        'Reference rows run the same environments through nodegen\'s compiled loader and charts (lib/src, lib/charts: tsc ' +
          'output, not bundled, no code cache) but synthesise with cdk8s `app.synth()` (what a cdk8s app run by `cdk8s synth` ' +
          `does)${results.cases.some((c) => c.id.startsWith('cli-')) ? "; the cdk8s CLI rows add the CLI's own start-up on top" : ''}.`,
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
