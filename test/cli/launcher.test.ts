/**
 * The launcher's two speed-ups (issue 7) must never change what runs: the V8 code cache
 * (bin/compile-cache.js) and the cheap freshness check of lib/ (bin/build.js).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, copyProject, spawnCli } from '../helpers/project.js';

interface Run {
  readonly value: unknown;
  readonly records: Array<{ file: string; status: 'hit' | 'miss' | 'rejected'; written?: boolean }>;
}

describe('the V8 code cache', () => {
  let dir: string;
  let cacheRoot: string;
  const moduleFile = () => join(dir, 'mod.js');

  /** Runs a fresh Node process that installs the cache and requires mod.js; returns what it saw. */
  function runWithCache(root = cacheRoot): Run {
    const script = `
      const records = require(${JSON.stringify(join(REPO, 'bin', 'compile-cache.js'))}).install({
        root: ${JSON.stringify(root)},
        include: (f) => f === ${JSON.stringify(moduleFile())},
      });
      const value = require(${JSON.stringify(moduleFile())}).describe();
      process.on('exit', () => process.stdout.write(JSON.stringify({ value, records })));
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout) as Run;
  }

  function cacheFiles(): string[] {
    const folder = join(cacheRoot, `${process.version}-${process.arch}`);
    try {
      return readdirSync(folder).sort();
    } catch {
      return [];
    }
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nodegen-cache-'));
    cacheRoot = join(dir, 'cache');
    writeFileSync(join(dir, 'helper.js'), 'module.exports = (n) => n * 2;\n');
    writeFileSync(
      moduleFile(),
      [
        "const double = require('./helper.js');",
        'exports.describe = () => ({',
        '  filename: __filename,',
        '  dirname: __dirname,',
        '  sameModule: module.exports === exports,',
        "  resolved: require.resolve('./helper.js'),",
        '  doubled: double(21),',
        '  lazy: [1, 2, 3].map((n) => double(n)),',
        '});',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const expected = () => ({
    filename: moduleFile(),
    dirname: dir,
    sameModule: true,
    resolved: join(dir, 'helper.js'),
    doubled: 42,
    lazy: [2, 4, 6],
  });

  it('runs a module exactly as Node does, and writes its cache after the first run', () => {
    const first = runWithCache();
    expect(first.value).toEqual(expected());
    expect(first.records).toEqual([{ file: moduleFile(), status: 'miss', written: true }]);
    expect(cacheFiles()).toHaveLength(1);
    expect(cacheFiles()[0]).toMatch(/^mod\.js\.\d+\.\d+\.v8$/);
  });

  it('hands the cache to V8 on the next run, which accepts it', () => {
    const second = runWithCache();
    expect(second.value).toEqual(expected());
    expect(second.records).toEqual([{ file: moduleFile(), status: 'hit' }]);
  });

  it('survives a corrupt cache: V8 rejects it, the module still runs, the cache is rewritten', () => {
    const [name] = cacheFiles();
    writeFileSync(join(cacheRoot, `${process.version}-${process.arch}`, name!), Buffer.from('not a V8 code cache at all'));
    const third = runWithCache();
    expect(third.value).toEqual(expected());
    expect(third.records).toEqual([{ file: moduleFile(), status: 'rejected', written: true }]);
    expect(runWithCache().records[0]!.status).toBe('hit');
  });

  it('keys the cache by the file, so an edited module never runs old bytecode, and drops the old cache', () => {
    const source = readFileSync(moduleFile(), 'utf8');
    writeFileSync(moduleFile(), source.replace('doubled: double(21)', 'doubled: double(210)'));
    const edited = runWithCache();
    expect(edited.value).toEqual({ ...expected(), doubled: 420 });
    expect(edited.records[0]!.status).toBe('miss');
    expect(cacheFiles()).toHaveLength(1);
    writeFileSync(moduleFile(), source);
  });

  it('runs without a cache where it cannot write one', () => {
    // A cache folder under a regular file can never be created (this works as root too).
    const blocked = join(dir, 'helper.js', 'cache');
    const r = runWithCache(blocked);
    expect(r.value).toEqual(expected());
    expect(r.records).toEqual([{ file: moduleFile(), status: 'miss', written: false }]);
  });
});

describe('the launcher', () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => ({ root, cleanup } = copyProject()));
  afterAll(() => cleanup());

  it('runs the bundled CLI with a code cache for its chunks and the schema validators', () => {
    rmSync(join(root, 'lib', '.cache'), { recursive: true, force: true });
    const r = spawnCli(root, root, 'synth', '--env', 'qa', '--check');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const chunks = JSON.parse(readFileSync(join(root, 'lib', 'cli', 'chunks.json'), 'utf8')) as Record<string, string[]>;
    const synthChunk = Object.keys(chunks).find((f) => chunks[f]!.includes('cdk8s'));
    expect(synthChunk).toBeDefined();
    const cached = readdirSync(join(root, 'lib', '.cache', `${process.version}-${process.arch}`));
    expect(cached.some((f) => f.startsWith(`${synthChunk!}.`))).toBe(true);
    expect(cached.some((f) => f.startsWith('validators.kubernetes.js.'))).toBe(true);
  });

  it('bundles none of cdk8s-plus-27: the constructs use its types only (issue 18)', () => {
    const chunks = JSON.parse(readFileSync(join(root, 'lib', 'cli', 'chunks.json'), 'utf8')) as Record<string, string[]>;
    expect(Object.values(chunks).flat()).toContain('cdk8s');
    for (const [chunk, packages] of Object.entries(chunks)) expect(packages, chunk).not.toContain('cdk8s-plus-27');
  });

  it('keeps --help off the chunks that hold cdk8s', () => {
    rmSync(join(root, 'lib', '.cache'), { recursive: true, force: true });
    const r = spawnCli(root, root, '--help');
    expect(r.code).toBe(0);
    const chunks = JSON.parse(readFileSync(join(root, 'lib', 'cli', 'chunks.json'), 'utf8')) as Record<string, string[]>;
    const loaded = readdirSync(join(root, 'lib', '.cache', `${process.version}-${process.arch}`)).map((f) => f.replace(/\.\d+\.\d+\.v8$/, ''));
    expect(loaded).toContain('run.js');
    for (const chunk of loaded) expect(chunks[chunk] ?? []).not.toContain('cdk8s');
  });

  it('does not rebuild when a source file was only touched, and remembers the new time', () => {
    const file = join(root, 'src', 'constructs', 'labels.ts');
    const later = new Date(statSync(file).mtimeMs + 60_000);
    utimesSync(file, later, later);
    const r = spawnCli(root, root, 'list');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const stamp = readFileSync(join(root, 'lib', '.source-hash'), 'utf8');
    expect(stamp).toContain(`/src/constructs/labels.ts:${statSync(file).size}:${statSync(file).mtimeMs}`);
  });

  it('counts the installed packages as an input of the bundle', () => {
    const stamp = readFileSync(join(root, 'lib', '.source-hash'), 'utf8');
    expect(stamp).toMatch(/^[0-9a-f]{64}\n/);
    expect(stamp).toContain('/node_modules/.package-lock.json:');
    expect(stamp).toContain('/bin/bundle.mjs:');
  });

  it('runs the compiled modules, with the same output, when bundling fails', () => {
    const bundler = join(root, 'bin', 'bundle.mjs');
    const original = readFileSync(bundler, 'utf8');
    writeFileSync(bundler, "process.stderr.write('rolldown: no binary for this platform\\n'); process.exit(1);\n");
    try {
      const r = spawnCli(root, root, 'synth', '--env', 'qa', '--check');
      expect(r.err).toContain('rebuilding');
      expect(r.err).toContain('the CLI was not bundled');
      expect(r.code).toBe(0);
      expect(r.out).toContain('dist/qa: up to date');
      expect(readdirSync(join(root, 'lib'))).not.toContain('cli');
    } finally {
      writeFileSync(bundler, original);
    }
    const again = spawnCli(root, root, 'list');
    expect(again.err).toContain('rebuilding');
    expect(again.code).toBe(0);
    expect(readdirSync(join(root, 'lib', 'cli'))).toContain('run.js');
  });

  it('rebuilds the bundle, not only lib/src, when a source changes, and drops the output of deleted sources', () => {
    const file = join(root, 'src', 'constructs', 'labels.ts');
    const source = readFileSync(file, 'utf8');
    writeFileSync(file, source.replace("export const PART_OF = 'blockchain-nodes';", "export const PART_OF = 'bundled-fleet';"));
    mkdirSync(join(root, 'lib', '.cache', 'stale'), { recursive: true });
    // What tsc once wrote for sources deleted since (as src/synth/l1-manifest.ts was).
    const deleted = [join(root, 'lib', 'src', 'synth', 'gone.js'), join(root, 'lib', 'src', 'synth', 'gone.d.ts'), join(root, 'lib', 'charts', 'gone-chart.js')];
    for (const f of deleted) writeFileSync(f, 'module.exports = {};\n');
    const r = spawnCli(root, root, 'synth', '--env', 'qa', '--stdout');
    expect(r.err).toContain('rebuilding');
    expect(r.out).toContain('app.kubernetes.io/part-of: bundled-fleet');
    // The build empties the code cache: nothing compiled from the old bundle survives.
    expect(readdirSync(join(root, 'lib', '.cache'))).not.toContain('stale');
    for (const f of deleted) expect(existsSync(f), f).toBe(false);
    expect(existsSync(join(root, 'lib', 'src', 'constructs', 'labels.js'))).toBe(true);
    expect(existsSync(join(root, 'lib', 'src', 'constructs', 'labels.d.ts'))).toBe(true);
    expect(existsSync(join(root, 'lib', 'charts', 'fleet.js'))).toBe(true);
    writeFileSync(file, source);
  });
});
