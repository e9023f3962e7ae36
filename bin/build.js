'use strict';
/**
 * Keeps lib/ (the compiled JavaScript) in step with its inputs: src/, charts/, tsconfig.json, the
 * bundler script and the installed packages (the bundled CLI carries their code).
 *
 * The build compiles with tsc (lib/src, lib/charts: the library and the tests' spawned CLI
 * fallback), bundles the CLI with bin/bundle.mjs (lib/cli), empties the V8 code cache
 * (lib/.cache) and stamps lib/ with a hash of every input. Before running, bin/nodegen.js asks
 * ensureFresh(): when the inputs differ from the stamp it rebuilds (or, without the compiler,
 * refuses with the command to run). nodegen never synthesizes from stale compiled code.
 *
 * The check runs on every command, so it is kept cheap (issue 7): the stamp also records each
 * input's size and modification time, and only when one of those changed are the files read and
 * hashed (a touched but unchanged file costs one hash, then the stamp is refreshed). Node's
 * crypto and child_process are required only then.
 *
 *   node bin/build.js          build now (npm run build, and npm ci through "prepare")
 */
const { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join, sep } = require('node:path');

const ROOT = join(__dirname, '..');
const STAMP = join(ROOT, 'lib', '.source-hash');
/**
 * nodegen's own repository has its TypeScript sources; an installed package (npm pack's files)
 * has only lib/ and the data it reads. Only the repository rebuilds, and only it keeps the code
 * cache in lib/: an installed copy never writes into node_modules.
 */
const OWN_REPOSITORY = existsSync(join(ROOT, 'src', 'index.ts'));
const CACHE = OWN_REPOSITORY ? join(ROOT, 'lib', '.cache') : userCodeCache();

/**
 * The code cache of an installed copy: under the user's cache folder ($XDG_CACHE_HOME, else
 * ~/.cache), one folder per installed copy and version. Without a home, none (slower, the same).
 */
function userCodeCache() {
  const { homedir } = require('node:os');
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : undefined);
  if (!base) return undefined;
  let h = 2166136261; // FNV-1a of the install path: a short, stable folder name without loading crypto
  for (let i = 0; i < ROOT.length; i++) h = Math.imul(h ^ ROOT.charCodeAt(i), 16777619) >>> 0;
  const { version } = require('../package.json');
  return join(base, 'nodegen', 'code-cache', `${version}-${h.toString(16)}`);
}
const SOURCE_DIRS = ['src', 'charts'];
/**
 * Single files the build depends on. npm rewrites node_modules/.package-lock.json whenever it
 * changes node_modules, so an upgraded dependency rebuilds the bundle.
 */
const INPUT_FILES = ['tsconfig.json', 'bin/bundle.mjs', 'node_modules/.package-lock.json'];

function sourceFiles(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, out);
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Every input file of the build, absolute, in a stable order. */
function inputs() {
  const files = SOURCE_DIRS.flatMap((d) => (existsSync(join(ROOT, d)) ? sourceFiles(join(ROOT, d), []) : [])).sort();
  return [...INPUT_FILES.map((f) => join(ROOT, f)).filter((f) => existsSync(f)), ...files];
}

/** Hash of every input file, names included. */
function sourceHash(files = inputs()) {
  const { createHash } = require('node:crypto');
  const h = createHash('sha256');
  for (const f of files) h.update(f.slice(ROOT.length)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** Name, size and modification time of every input: equal fingerprints need no hashing. */
function fingerprint(files = inputs()) {
  return files
    .map((f) => {
      const s = statSync(f);
      return `${f.slice(ROOT.length)}:${s.size}:${s.mtimeMs}`;
    })
    .join('\n');
}

/** The stamp lib/ carries: { hash, fingerprint }, or undefined when there is none. */
function readStamp() {
  try {
    const [hash, ...rest] = readFileSync(STAMP, 'utf8').split('\n');
    return { hash, fingerprint: rest.join('\n').trimEnd() };
  } catch {
    return undefined;
  }
}

/**
 * Stamps lib/ with the inputs' hash and fingerprint (first line: the hash). Take the fingerprint
 * before hashing: a file saved meanwhile then differs from the stamp and is hashed next time.
 */
function writeStamp(hash, print) {
  const temp = `${STAMP}.${process.pid}.tmp`;
  writeFileSync(temp, `${hash}\n${print}\n`);
  renameSync(temp, STAMP);
}

/** The TypeScript compiler's entry, or undefined when it is not installed. */
function tscPath() {
  try {
    return join(require.resolve('typescript/package.json', { paths: [ROOT] }), '..', 'bin', 'tsc');
  } catch {
    return undefined;
  }
}

/** Whether rolldown (the bundler, a devDependency) is installed. */
function hasBundler() {
  try {
    require.resolve('rolldown/package.json', { paths: [ROOT] });
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes what tsc wrote for sources that are gone (lib/src/x.js and x.d.ts without src/x.ts), so
 * that a deleted module is not loaded by a stale import, nor shipped by `npm pack` of a checkout.
 */
function removeStaleOutput() {
  for (const dir of SOURCE_DIRS) {
    const out = join(ROOT, 'lib', dir);
    if (!existsSync(out)) continue;
    for (const file of outputFiles(out, [])) {
      const source = join(ROOT, file.slice(join(ROOT, 'lib').length + 1)).replace(/(\.d\.ts|\.js)$/, '.ts');
      if (!existsSync(source)) rmSync(file);
    }
  }
}

function outputFiles(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) outputFiles(path, out);
    else if (entry.name.endsWith('.js') || entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * Compiles with tsc, then bundles the CLI; returns true when tsc succeeded. Output goes to stderr
 * so stdout stays clean. Without rolldown, or when bundling fails, the CLI runs unbundled from
 * lib/src (slower, same output).
 */
function build(current = currentInputs()) {
  const tsc = tscPath();
  if (!tsc) {
    process.stderr.write('nodegen: TypeScript is not installed; run `npm ci`\n');
    return false;
  }
  const { spawnSync } = require('node:child_process');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json')], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) return false;
  removeStaleOutput();
  rmSync(join(ROOT, 'lib', 'cli'), { recursive: true, force: true });
  rmSync(CACHE, { recursive: true, force: true });
  if (hasBundler()) {
    // Bundling only makes the CLI start faster: when it fails (rolldown has no binary for this
    // platform, say), say so and run the compiled modules, which produce the same output.
    const b = spawnSync(process.execPath, [join(__dirname, 'bundle.mjs')], { stdio: ['ignore', 2, 2] });
    if (b.status !== 0) process.stderr.write('nodegen: the CLI was not bundled (see above); it runs unbundled from lib/src, slower but the same\n');
  }
  writeStamp(current.hash, current.print);
  return true;
}

/**
 * The inputs' fingerprint and hash, read once. The fingerprint is taken before hashing: a file
 * saved meanwhile then differs from the stamp and is hashed next time.
 */
function currentInputs(files = inputs()) {
  const print = fingerprint(files);
  return { print, hash: sourceHash(files) };
}

/**
 * Makes sure lib/ matches its inputs, rebuilding when needed. Returns an error message, or
 * undefined when lib/ is current. An installed package (without the TypeScript sources) is taken as built.
 */
function ensureFresh() {
  if (!OWN_REPOSITORY) return undefined;
  const stamp = readStamp();
  const files = inputs();
  const print = fingerprint(files);
  if (stamp && stamp.fingerprint === print) return undefined;
  const current = { print, hash: sourceHash(files) };
  if (stamp && stamp.hash === current.hash) {
    // Touched, not changed (a checkout, a copy): remember the new times; a failed write only
    // means the next run hashes again.
    try {
      writeStamp(current.hash, current.print);
    } catch {
      /* read-only lib/ */
    }
    return undefined;
  }
  if (!tscPath()) {
    return 'nodegen: the sources (src/, charts/) or installed packages changed since the last build and TypeScript is not installed; run `npm ci` (or `npm run build`) first';
  }
  process.stderr.write('nodegen: the sources (src/, charts/) or installed packages changed since the last build; rebuilding...\n');
  return build(current) ? undefined : 'nodegen: the build failed (errors above); fix them, or run `npm run build` to see them again';
}

const CLI_CHUNKS = join(ROOT, 'lib', 'cli') + sep;
const VALIDATORS = join(ROOT, 'src', 'validate', 'schemas', 'validators.');

/**
 * Whether the launcher compiles `file` through the code cache (bin/compile-cache.js): the bundled
 * CLI's chunks and the precompiled schema validators, nothing else.
 */
function compiledWithCache(file) {
  return file.startsWith(CLI_CHUNKS) || file.startsWith(VALIDATORS);
}

/** The CLI's entry: the bundle when it was built, else the compiled modules. */
function cliEntry() {
  const bundled = join(ROOT, 'lib', 'cli', 'run.js');
  return existsSync(bundled) ? bundled : join(ROOT, 'lib', 'src', 'cli', 'run.js');
}

/**
 * Loads the CLI's entry the way the launcher runs it: its chunks and the validators through the V8
 * code cache when there is a cache folder. Returns the entry module and the cache's records.
 */
function loadCli() {
  const records = CACHE ? require('./compile-cache.js').install({ root: CACHE, include: compiledWithCache }) : [];
  return { cli: require(cliEntry()), records };
}

module.exports = { ensureFresh, sourceHash, fingerprint, writeStamp, cliEntry, loadCli, CACHE };

/**
 * Runs the built CLI once, so the V8 code cache holds what a synth compiles and the first command
 * after `npm ci` starts as fast as the next (issue 18: it was 1.6-1.8 times slower). It writes the
 * fleet into a temporary folder, not dist/: a run that writes also loads and compiles the writer,
 * which `--check` does not (its chunk was then compiled by the user's first synth). Its outcome
 * does not matter: an invalid environment still compiles most of the code. Only for an explicit
 * build (npm ci, npm run build), not for the rebuild after an edit, which the next command warms
 * anyway.
 */
function warmCodeCache() {
  const { spawnSync } = require('node:child_process');
  const { mkdtempSync } = require('node:fs');
  const { tmpdir } = require('node:os');
  const out = mkdtempSync(join(tmpdir(), 'nodegen-warm-'));
  try {
    spawnSync(process.execPath, [join(__dirname, 'nodegen.js'), 'synth', '--all', '--outdir', join(out, 'dist')], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (require.main === module) {
  // `prepare` runs this. An installed copy has lib/ already and nothing to build it from (no
  // sources, no TypeScript): there it does nothing, should npm ever run it.
  const ok = OWN_REPOSITORY ? build() : true;
  if (ok && OWN_REPOSITORY && existsSync(join(ROOT, 'environments'))) warmCodeCache();
  process.exitCode = ok ? 0 : 1;
}
