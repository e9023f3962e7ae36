import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const PROBE = join(__dirname, 'probe.cjs');
const root = mkdtempSync(join(tmpdir(), 'nodegen-probe-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// A bundled CLI in miniature: two chunks and the manifest bin/bundle.mjs writes beside them.
const cli = join(root, 'lib', 'cli');
mkdirSync(cli, { recursive: true });
writeFileSync(join(cli, 'run.js'), 'exports.run = true;\n');
writeFileSync(join(cli, 'synth-abc.js'), "require('./run.js');\nexports.synth = true;\n");
writeFileSync(join(cli, 'chunks.json'), JSON.stringify({ 'run.js': ['commander', 'nodegen'], 'synth-abc.js': ['cdk8s', 'nodegen', 'yaml'] }));

interface ProbeResult {
  cdk8sLoaded: boolean;
  modulesLoaded: number;
  chunks: string[];
  packages: string[];
  codeCache: Array<{ file: string; status: string }>;
  maxRssKiB: number;
}

/** Runs `script` under the probe and returns what the probe wrote at exit. */
function probe(script: string): ProbeResult {
  const out = join(root, `probe-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(process.execPath, ['-r', PROBE, '-e', script], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, BENCH_PROBE_OUT: out },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as ProbeResult;
}

describe('the benchmark probe', () => {
  it('reports the chunks a run loaded and, through chunks.json, that no cdk8s code was among them', () => {
    const result = probe(`require(${JSON.stringify(join(cli, 'run.js'))})`);
    expect(result.chunks).toEqual(['run.js']);
    expect(result.packages).toEqual(['commander', 'nodegen']);
    expect(result.cdk8sLoaded).toBe(false);
    expect(result.modulesLoaded).toBe(1);
    expect(result.maxRssKiB).toBeGreaterThan(0);
  });

  it('says cdk8s was loaded when a chunk holding it was', () => {
    const result = probe(`require(${JSON.stringify(join(cli, 'synth-abc.js'))})`);
    expect(result.chunks).toEqual(['run.js', 'synth-abc.js']);
    expect(result.packages).toEqual(['cdk8s', 'commander', 'nodegen', 'yaml']);
    expect(result.cdk8sLoaded).toBe(true);
  });

  it('says cdk8s was loaded when the unbundled CLI loads a file of the cdk8s package', () => {
    const result = probe("require('cdk8s')");
    expect(result.chunks).toEqual([]);
    expect(result.cdk8sLoaded).toBe(true);
  });

  it('tells a compile that used the code cache from one that had none or whose cache V8 rejected', () => {
    const script = `
      const vm = require('node:vm');
      const source = 'function f() { return 1 } f()';
      const first = new vm.Script(source, { filename: 'a.js' });
      first.runInThisContext();
      new vm.Script(source, { filename: 'b.js', cachedData: first.createCachedData() });
      new vm.Script(source, { filename: 'c.js', cachedData: Buffer.from('not a code cache') });
    `;
    expect(probe(script).codeCache).toEqual([
      { file: 'a.js', status: 'miss' },
      { file: 'b.js', status: 'hit' },
      { file: 'c.js', status: 'rejected' },
    ]);
  });
});
