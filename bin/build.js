'use strict';
/**
 * Keeps lib/ (the compiled JavaScript) in step with src/ and charts/.
 *
 * The build stamps lib/ with a hash of every compiled input. Before running, bin/nodegen.js
 * compares that stamp with the sources: when they differ it rebuilds (or, without the compiler,
 * refuses with the command to run). nodegen never synthesizes from stale compiled code.
 *
 *   node bin/build.js          build now (npm run build, and npm ci through "prepare")
 */
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = join(__dirname, '..');
const STAMP = join(ROOT, 'lib', '.source-hash');
const INPUTS = ['src', 'charts'];

function sourceFiles(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, out);
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Hash of tsconfig.json and every .ts file under src/ and charts/, names included. */
function sourceHash() {
  const files = INPUTS.flatMap((d) => (existsSync(join(ROOT, d)) ? sourceFiles(join(ROOT, d), []) : [])).sort();
  const h = createHash('sha256');
  for (const f of [join(ROOT, 'tsconfig.json'), ...files]) {
    h.update(f.slice(ROOT.length)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

/** The TypeScript compiler's entry, or undefined when it is not installed. */
function tscPath() {
  try {
    return join(require.resolve('typescript/package.json', { paths: [ROOT] }), '..', 'bin', 'tsc');
  } catch {
    return undefined;
  }
}

/** Compiles with tsc; returns true on success. Output goes to stderr so stdout stays clean. */
function build() {
  const tsc = tscPath();
  if (!tsc) {
    process.stderr.write('nodegen: TypeScript is not installed; run `npm ci`\n');
    return false;
  }
  const hash = sourceHash();
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json')], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) return false;
  writeFileSync(STAMP, hash + '\n');
  return true;
}

/**
 * Makes sure lib/ matches the sources, rebuilding when needed. Returns an error message, or
 * undefined when lib/ is current. Installed copies without src/ are taken as built.
 */
function ensureFresh() {
  if (!existsSync(join(ROOT, 'src'))) return undefined;
  const current = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';
  if (current === sourceHash()) return undefined;
  if (!tscPath()) {
    return 'nodegen: src/ or charts/ changed since the last build and TypeScript is not installed; run `npm ci` (or `npm run build`) first';
  }
  process.stderr.write('nodegen: src/ or charts/ changed since the last build; rebuilding...\n');
  return build() ? undefined : 'nodegen: the build failed (errors above); fix them, or run `npm run build` to see them again';
}

module.exports = { ensureFresh, sourceHash };

if (require.main === module) {
  process.exitCode = build() ? 0 : 1;
}
