#!/usr/bin/env node
/**
 * With or without: two versions of nodegen, timed against each other in paired, interleaved runs.
 *
 *   node test/bench/compare.mjs <A> <B> [--runs 15] [--nodes 100]
 *
 * A and B are git revisions of this repository (`HEAD`, `f87bcae`, a branch), `.` for the
 * working tree as it is, or the path of another folder holding nodegen's sources (an edited copy).
 * Each is copied into a temporary folder (git archive, or the files), this repository's
 * node_modules linked, built (`node bin/build.js`, which also warms its code cache), and
 * given a generated fleet of `--nodes` nodes (./fleet.mjs). Then, for `synth --all` of the shipped
 * environments and `synth` of the generated fleet, the two take turns in every round (A B, then
 * B A: neither always runs second), and each B run is divided by the A run of its own round. A
 * shared machine's drift then hits both sides of a pair alike; the report gives the median of
 * those ratios with their spread, beside each side's median time.
 *
 * This is how README's "Performance" section judged each speed-only module (issue 18): A with
 * the module, B without it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fleetName, fleetYaml } from './fleet.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NODE = process.execPath;

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer`);
  return n;
}

const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
if (positional.length !== 2) {
  process.stderr.write('usage: node test/bench/compare.mjs <A> <B> [--runs 15] [--nodes 100]   (A, B: git revisions, . for the working tree, or a folder)\n');
  process.exit(2);
}
const RUNS = option('--runs', 15);
const NODES = option('--nodes', 100);
const log = (s) => process.stderr.write(`${s}\n`);

/** A copy of revision `rev` (or the working tree for `.`) at `dir`, built, with a generated fleet. */
function prepare(rev, dir) {
  mkdirSync(dir, { recursive: true });
  if (rev === '.' || existsSync(join(rev, 'package.json'))) {
    const from = rev === '.' ? ROOT : rev;
    // chains/: the project's chain profiles (revisions before them have none).
    for (const entry of ['package.json', 'tsconfig.json', 'bin', 'src', 'charts', 'environments', 'chains']) {
      if (existsSync(join(from, entry))) cpSync(join(from, entry), join(dir, entry), { recursive: true });
    }
  } else {
    const has = (path) => spawnSync('git', ['cat-file', '-e', `${rev}:${path}`], { cwd: ROOT }).status === 0;
    const entries = ['package.json', 'tsconfig.json', 'bin', 'src', 'charts', 'environments', 'chains'].filter(has);
    const tar = execFileSync('git', ['archive', rev, ...entries], { cwd: ROOT, maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const b = spawnSync(NODE, ['bin/build.js'], { cwd: dir, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`${rev} does not build:\n${b.stderr}`);
  // The generated fleet lives in a copy of its own, holding base.yaml and the fleet only (as in
  // bench.mjs), so that `synth --all` in the first stays the shipped fleet.
  const fleet = `${dir}-fleet`;
  cpSync(dir, fleet, { recursive: true, verbatimSymlinks: true });
  const yaml = createRequire(join(ROOT, 'package.json'))('yaml');
  const base = yaml.parse(readFileSync(join(fleet, 'environments', 'base.yaml'), 'utf8')) ?? {};
  for (const f of readdirSync(join(fleet, 'environments'))) if (f.endsWith('.yaml') && f !== 'base.yaml') rmSync(join(fleet, 'environments', f));
  writeFileSync(join(fleet, 'environments', `${fleetName(NODES)}.yaml`), fleetYaml(NODES, Object.keys(base.nodes ?? {})));
  return { dir, fleet };
}

function run(dir, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(NODE, ['bin/nodegen.js', ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`nodegen ${args.join(' ')} in ${dir} exited with ${r.status}:\n${r.stderr.slice(0, 2000)}`);
  return ms;
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const tmp = mkdtempSync(join(tmpdir(), 'nodegen-compare-'));
try {
  const [A, B] = positional;
  log(`building ${A} and ${B} in ${tmp}...`);
  const dirA = prepare(A, join(tmp, 'a'));
  const dirB = prepare(B, join(tmp, 'b'));
  const cases = [
    { label: 'synth --all (shipped fleet)', args: ['synth', '--all'], folder: 'dir' },
    { label: `synth, ${NODES} nodes`, args: ['synth', '--env', fleetName(NODES)], folder: 'fleet' },
  ];
  const load = loadavg()[0];
  const rows = [];
  for (const c of cases) {
    // Two warm-ups each: the first writes the code cache for a command the build's warm-up did not run.
    const [inA, inB] = [dirA[c.folder], dirB[c.folder]];
    for (let i = 0; i < 2; i++) run(inA, c.args), run(inB, c.args);
    const a = [];
    const b = [];
    for (let round = 0; round < RUNS; round++) {
      if (round % 2 === 0) a.push(run(inA, c.args)), b.push(run(inB, c.args));
      else b.push(run(inB, c.args)), a.push(run(inA, c.args));
    }
    const ratios = b.map((ms, i) => ms / a[i]);
    rows.push({ case: c.label, runs: RUNS, aMs: median(a), bMs: median(b), ratio: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) });
  }
  const f = (n, d = 1) => n.toFixed(d);
  process.stdout.write(`A = ${A}, B = ${B}; ${RUNS} paired rounds per case, load average ${f(load, 2)} -> ${f(loadavg()[0], 2)}\n`);
  process.stdout.write('| case | A median | B median | B − A | B / A, paired median (min–max) |\n|---|---:|---:|---:|---:|\n');
  for (const r of rows) {
    process.stdout.write(`| ${r.case} | ${f(r.aMs)} ms | ${f(r.bMs)} ms | ${r.bMs - r.aMs >= 0 ? '+' : ''}${f(r.bMs - r.aMs)} ms | ${f(r.ratio, 3)} (${f(r.min, 2)}–${f(r.max, 2)}) |\n`);
  }
} finally {
  if (process.env.BENCH_KEEP === '1') log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
