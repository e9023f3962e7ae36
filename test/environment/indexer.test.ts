/**
 * `indexer:` in environment files: what it cannot work with (prune, txindex: false, a Monacoin
 * node, a login that is someone else's) is refused with the file, key path and line; a valid one
 * turns txindex on and adds the indexer's login to its node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEnvironment } from '../../src/environment/load.js';
import type { Problem } from '../../src/errors.js';
import { buildFleet } from '../../charts/fleet.js';
import { cli, copyProject, developProblems, writeDevelop } from '../helpers/project.js';

const project = copyProject();
afterAll(() => project.cleanup());
const HASH = (user: string) => `${user}:${'0'.repeat(32)}$${'1'.repeat(64)}`;
const INDEXER = `    indexer:\n      rpcauth: "${HASH('indexer')}"\n`;

const write = (overlay: string): void => writeDevelop(project.root, overlay);
const problemsWith = (overlay: string): Problem[] => developProblems(project.root, overlay);

describe('indexer in an environment file', () => {
  it('accepts an indexer on a bitcoind node, turns txindex on and adds its login', () => {
    write(`nodes:\n  bitcoind:\n${INDEXER}`);
    const loaded = loadEnvironment('develop', { root: project.root });
    const fleet = buildFleet('develop', loaded.spec);
    const objects = fleet.charts.flatMap((c) => c.chart.toJson() as Array<{ kind: string; metadata: { name: string }; data?: Record<string, string> }>);
    const conf = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'bitcoind-config')!.data!['bitcoin.conf']!;
    expect(conf).toContain('txindex=1\n');
    expect(conf).toMatch(/^rpcwhitelist=indexer:estimatesmartfee,getblock,/m);
    expect(objects.filter((o) => o.metadata.name.startsWith('bitcoind-indexer') || o.metadata.name === 'bitcoind-electrum').map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/bitcoind-indexer-config', 'NetworkPolicy/bitcoind-indexer', 'NetworkPolicy/bitcoind-indexer-rpc', 'Service/bitcoind-electrum',
      'Service/bitcoind-indexer-headless', 'StatefulSet/bitcoind-indexer',
    ]);
  });

  it.each([
    ['a pruned node', `nodes:\n  bitcoind:\n    prune: 1000\n${INDEXER}`, 'nodes.bitcoind.prune', /cannot work with a pruned node/],
    ['txindex turned off', `nodes:\n  bitcoind:\n    txindex: false\n${INDEXER}`, 'nodes.bitcoind.txindex', /needs txindex/],
    ['a Monacoin node', `nodes:\n  monacoind:\n${INDEXER}`, 'nodes.monacoind.indexer', /no maintained Electrum server .* monacoind/],
    ["a consumer's login", `nodes:\n  bitcoind:\n    indexer:\n      rpcauth: "${HASH('wallet-api')}"\n`, 'nodes.bitcoind.indexer.rpcauth', /already a consumer in rpcUsers/],
    ['a password instead of a hash', `nodes:\n  bitcoind:\n    indexer:\n      rpcauth: "indexer:hunter2"\n`, 'nodes.bitcoind.indexer.rpcauth', /nodegen rpcauth/],
    ['an unknown server', `nodes:\n  bitcoind:\n${INDEXER}      client: electrs\n`, 'nodes.bitcoind.indexer.client', /fulcrum/],
  ])('refuses %s, naming the file, key and line', (_, overlay, key, message) => {
    const problems = problemsWith(overlay);
    const p = problems.find((x) => x.path?.replace(/\[(\d+)\]/g, '.$1') === key);
    expect(p, JSON.stringify(problems)).toBeDefined();
    expect(p!.message).toMatch(message);
    expect(p!.file).toBe('environments/develop.yaml');
    const line = readFileSync(join(project.root, 'environments', 'develop.yaml'), 'utf8').split('\n')[p!.line! - 1]!;
    expect(line.trim().startsWith(key.split('.').pop()!)).toBe(true);
  });

  it('keeps extraArgs from turning txindex off or pruning under an indexer (policy/managed-flags)', async () => {
    write(`nodes:\n  bitcoind:\n${INDEXER}    extraArgs: ["-txindex=0", "-prune=1000"]\n`);
    const r = await cli(project.root, 'validate', '--env', 'develop');
    expect(r.code).toBe(1);
    expect(r.err).toContain('synth would refuse to write');
    expect(r.out).toMatch(/error policy\/managed-flags .*nodes\.bitcoind\.extraArgs\[0\]\n\s+-txindex=0 sets what the environment key txindex controls/);
    expect(r.out).toMatch(/error policy\/managed-flags .*nodes\.bitcoind\.extraArgs\[1\]\n\s+-prune=1000 sets what the environment key prune controls/);
  });

  it('refuses an indexer whose object names a node of the environment already has', () => {
    write(`nodes:\n  bitcoind:\n${INDEXER}  bitcoind-electrum:\n    client: bitcoind\n`);
    const loaded = loadEnvironment('develop', { root: project.root });
    expect(() => buildFleet('develop', loaded.spec)).toThrow(/node "bitcoind-electrum"/);
  });
});
