import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { synth } from '../../src/cli/commands/synth.js';
import { cli, copyProject, snapshotTree, spawnCli } from '../helpers/project.js';

let root: string;
let cleanup: () => void;
beforeEach(() => ({ root, cleanup } = copyProject()));
afterEach(() => cleanup());

describe('nodegen synth', () => {
  it('writes dist/<env>/ and a second run changes no byte', async () => {
    const first = await cli(root, 'synth', '--env', 'qa');
    expect(first.code).toBe(0);
    const before = snapshotTree(join(root, 'dist', 'qa'));
    expect(Object.keys(before)).toEqual(['00-namespace.yaml', '10-geth.yaml', '20-bitcoind.yaml', '30-monacoind.yaml', '40-monitoring.yaml', 'Kustomization']);
    const second = await cli(root, 'synth', '--env', 'qa');
    expect(second.code).toBe(0);
    expect(second.out).toContain('dist/qa: no changes');
    expect(snapshotTree(join(root, 'dist', 'qa'))).toEqual(before);
  });

  it('reports each written file and removes stale ones', async () => {
    writeFileSync(join(root, 'dist', 'qa', '99-old.yaml'), 'kind: ConfigMap\n');
    appendFileSync(join(root, 'environments', 'qa.yaml'), 'nodes:\n  geth:\n    replicas: 2\n');
    const r = await cli(root, 'synth', '--env', 'qa');
    expect(r.code).toBe(0);
    expect(r.out).toContain('changed  dist/qa/10-geth.yaml');
    expect(r.out).toContain('removed  dist/qa/99-old.yaml');
    expect(existsSync(join(root, 'dist', 'qa', '99-old.yaml'))).toBe(false);
    expect(readFileSync(join(root, 'dist', 'qa', '10-geth.yaml'), 'utf8')).toContain('replicas: 2');
  });

  it('with --check writes nothing and exits 1 naming the files that differ', async () => {
    expect((await cli(root, 'synth', '--all', '--check')).code).toBe(0);
    appendFileSync(join(root, 'environments', 'qa.yaml'), 'nodes:\n  bitcoind:\n    dbcache: 1000\n');
    writeFileSync(join(root, 'dist', 'qa', 'extra.yaml'), '{}\n');
    const before = snapshotTree(join(root, 'dist'));
    const r = await cli(root, 'synth', '--all', '--check');
    expect(r.code).toBe(1);
    expect(r.out).toContain('out of date: dist/qa/20-bitcoind.yaml (content differs)');
    expect(r.out).toContain('out of date: dist/qa/extra.yaml (stale, synth would remove it)');
    expect(r.out).toContain('dist/staging: up to date');
    expect(r.err).toContain('dist/ is out of date (2 file(s))');
    expect(snapshotTree(join(root, 'dist'))).toEqual(before);
  });

  it('leaves dist/ byte for byte as it was when any environment is invalid', async () => {
    const before = snapshotTree(join(root, 'dist'));
    writeFileSync(join(root, 'environments', 'staging.yaml'), 'namespace: chains-staging\ntier: mainnet\nnodes:\n  geth:\n    storage: { size: 2TB }\n');
    const r = await cli(root, 'synth', '--all');
    expect(r.code).toBe(1);
    expect(r.err).toContain('environments/staging.yaml:5:16 nodes.geth.storage.size: must be a Kubernetes quantity');
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(snapshotTree(join(root, 'dist'))).toEqual(before);
  });

  it('prints YAML with --stdout and writes nothing', async () => {
    const before = snapshotTree(join(root, 'dist'));
    const r = await cli(root, 'synth', '--env', 'develop', '--stdout');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^apiVersion: v1\nkind: Namespace\n/);
    expect(r.out).toContain('name: chains-develop');
    expect(r.out).not.toContain('Kustomization');
    expect(snapshotTree(join(root, 'dist'))).toEqual(before);
  });

  it('writes to --outdir, taken from the project root', async () => {
    const r = await cli(join(root, 'environments'), 'synth', '--env', 'qa', '--outdir', 'out/manifests');
    expect(r.code).toBe(0);
    expect(existsSync(join(root, 'out', 'manifests', 'qa', '10-geth.yaml'))).toBe(true);
    expect(existsSync(join(root, 'environments', 'out'))).toBe(false);
  });

  it('returns a machine-readable report from the command function', async () => {
    const result = await synth({ root, env: 'qa', check: true });
    expect(result.mode).toBe('check');
    expect(result.outOfDate).toEqual([]);
    expect(result.environments[0]!.files.map((f) => f.change)).toEqual(Array(6).fill('unchanged'));
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli(root, 'synth')).code).toBe(2);
    expect((await cli(root, 'synth', '--env', 'qa', '--all')).code).toBe(2);
    expect((await cli(root, 'synth', '--env', 'qa', '--stdout', '--check')).code).toBe(2);
    const unknown = await cli(root, 'synth', '--enviroment', 'qa');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown option '--enviroment'");
  });

  it('exits 1 on an unknown environment, suggesting the closest', async () => {
    const r = await cli(root, 'synth', '--env', 'prod');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown environment "prod"/);
  });
});

describe('the nodegen bin', () => {
  it('runs from a subfolder and writes under the project root, never the working directory', () => {
    const sub = join(root, 'environments', 'nested');
    mkdirSync(sub);
    const r = spawnCli(sub, root, 'synth', '--env', 'qa');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('dist/qa: no changes');
    expect(existsSync(join(sub, 'dist'))).toBe(false);
  });

  it('rebuilds when a source file changed, so the edit is used', () => {
    const file = join(root, 'src', 'constructs', 'labels.ts');
    const source = readFileSync(file, 'utf8');
    expect(source).toContain("export const PART_OF = 'blockchain-nodes';");
    writeFileSync(file, source.replace("export const PART_OF = 'blockchain-nodes';", "export const PART_OF = 'edited-fleet';"));
    const r = spawnCli(root, root, 'synth', '--env', 'qa', '--stdout');
    expect(r.code).toBe(0);
    expect(r.err).toContain('rebuilding');
    expect(r.out).toContain('app.kubernetes.io/part-of: edited-fleet');
    // The next run finds the build current and says nothing about it.
    const again = spawnCli(root, root, 'list');
    expect(again.err).toBe('');
  });

  it('refuses to run stale code when the rebuild fails', () => {
    writeFileSync(join(root, 'charts', 'broken.ts'), 'export const x: number = "not a number";\n');
    const r = spawnCli(root, root, 'synth', '--env', 'qa');
    expect(r.code).toBe(1);
    expect(r.err).toContain('the build failed');
    expect(r.err).toContain('broken.ts');
  });

  it('prints help with examples and the version, exiting 0', () => {
    const help = spawnCli(root, root, 'synth', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Examples:');
    expect(help.out).toContain('npx nodegen synth --all --check');
    const version = spawnCli(root, root, '--version');
    expect(version.out.trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });

  it('says where it looked when run outside a project', () => {
    const r = spawnCli('/', root, 'list');
    expect(r.code).toBe(1);
    expect(r.err).toContain('no nodegen project at or above /');
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
