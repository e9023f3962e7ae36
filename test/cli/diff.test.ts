import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diff, formatDiff } from '../../src/cli/commands/diff.js';
import { synth } from '../../src/cli/commands/synth.js';
import { cli, copyProject, snapshotTree } from '../helpers/project.js';

let root: string;
let cleanup: () => void;
beforeEach(async () => {
  ({ root, cleanup } = copyProject());
  // Start from a dist/ that is current for this working tree.
  await synth({ root, all: true });
});
afterEach(() => cleanup());

describe('nodegen diff', () => {
  it('finds nothing when dist/ is current, and exits 0', async () => {
    const r = await cli(root, 'diff', '--all');
    expect(r.code).toBe(0);
    expect(r.out).toContain('production: 0 added, 0 changed, 0 removed');
  });

  it('shows exactly an image tag changed in one environment, and exits 1', async () => {
    const file = join(root, 'environments', 'qa.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}nodes:\n  bitcoind:\n    image: bitcoin/bitcoin:31.0\n`);
    const before = snapshotTree(join(root, 'dist'));
    const result = await diff({ root, all: true });
    expect(result.identical).toBe(false);
    expect(result.objects.map((o) => [o.env, o.object, o.change])).toEqual([['qa', 'StatefulSet/bitcoind', 'changed']]);
    const patch = result.objects[0]!.patch;
    expect(patch.split('\n').filter((l) => /^[+-][^+-]/.test(l))).toEqual(['-          image: bitcoin/bitcoin:31.1', '+          image: bitcoin/bitcoin:31.0']);
    expect(result.summary.find((s) => s.env === 'qa')).toEqual({ env: 'qa', added: 0, changed: 1, removed: 0 });
    const r = await cli(root, 'diff', '--env', 'qa');
    expect(r.code).toBe(1);
    expect(r.out).toContain('changed StatefulSet/bitcoind in dist/qa/20-bitcoind.yaml');
    expect(r.out).not.toContain('\x1b[');
    expect(snapshotTree(join(root, 'dist'))).toEqual(before);
  });

  it('counts added and removed objects', async () => {
    const file = join(root, 'environments', 'develop.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}nodes:\n  monacoind: null\n  bitcoind-signet:\n    client: bitcoind\n    network: signet\n    exporterRpcauth: "exporter:${'0'.repeat(32)}$${'1'.repeat(64)}"\n`);
    const result = await diff({ root, env: 'develop' });
    const s = result.summary[0]!;
    expect(s.added).toBeGreaterThanOrEqual(4); // ConfigMap, 2 Services, StatefulSet, NetworkPolicy...
    expect(s.removed).toBe(s.added);
    expect(result.objects.filter((o) => o.change === 'removed').every((o) => o.object.endsWith('/monacoind') || o.object.includes('monacoind'))).toBe(true);
  });

  it('colours the diff only when asked', async () => {
    const result = await diff({ root, env: 'qa', image: ['geth=ethereum/client-go:v1.17.6'] });
    expect(formatDiff(result, true)).toContain('\x1b[32m+          image: ethereum/client-go:v1.17.6\x1b[0m');
    expect(formatDiff(result, false)).toContain('override: --image geth=ethereum/client-go:v1.17.6');
  });

  it('prints JSON for pipelines', async () => {
    const r = await cli(root, 'diff', '--env', 'qa', '--set', 'nodes.geth.replicas=3', '--json');
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.out);
    // Three replicas: the StatefulSet changes, a PodDisruptionBudget appears, and the fork check asks three replicas.
    expect(parsed.summary).toEqual([{ env: 'qa', added: 1, changed: 2, removed: 0 }]);
    expect(parsed.objects.map((o: { object: string }) => o.object)).toEqual(['CronJob/geth-fork-check', 'PodDisruptionBudget/geth', 'StatefulSet/geth']);
    expect(parsed.overrides).toEqual(['--set nodes.geth.replicas=3']);
  });
});
