/**
 * Beacon nodes that serve blobs (`consensus.blobs`): the flag each client gets, pinned to where the
 * client defines it, and the storage and resources each mode is sized for.
 */
import { describe, expect, it } from 'vitest';
import { GethNode } from '../../src/constructs/geth-node.js';
import { BLOB_CUSTODY_GROUPS, blobServingOf, type BlobServing } from '../../src/chains/blobs.js';
import type { Flag } from '../../src/validate/clients.js';
import { minimumStorage } from '../../src/validate/policy-rules.js';
import { parseQuantity } from '../../src/validate/quantity.js';
import { container, find, render } from './synth-helper.js';

/**
 * The flags as the clients define them:
 * - Prysm v7.1.6 cmd/beacon-chain/flags/base.go:337-341 `Supernode` Name "supernode" (alias
 *   "subscribe-all-data-subnets"), :343-346 `SemiSupernode` Name "semi-supernode"; registered in
 *   cmd/beacon-chain/main.go:71; exclusive, cmd/beacon-chain/flags/config.go:65-68.
 * - Lighthouse (pinned v8.2.2): `--supernode` and `--semi-supernode`, lighthouse/tests/beacon_node.rs
 *   `network_supernode_flag`, `network_semi_supernode_flag` (sigp/lighthouse commit 00a87df5; the
 *   v8.2.2 tag was not available to read).
 */
const SOURCE_FLAGS = {
  prysm: { supernode: '--supernode', 'semi-supernode': '--semi-supernode' },
  lighthouse: { supernode: '--supernode', 'semi-supernode': '--semi-supernode' },
} as const;
const ALL_FLAGS = /^--(supernode|semi-supernode|subscribe-all-data-subnets|subscribe-all-data-column-subnets)(=.*)?$/;

const beacon = (client: 'lighthouse' | 'prysm', blobs?: BlobServing, extra: Partial<ConstructorParameters<typeof GethNode>[2]> = {}) => {
  const objects = render((chart) => new GethNode(chart, 'geth', { network: 'mainnet', consensus: { client, blobs }, ...extra }));
  return { objects, c: container(objects, 'geth', client) };
};

const claim = (objects: ReturnType<typeof render>, name: string) =>
  find(objects, 'StatefulSet', 'geth').spec.volumeClaimTemplates.find((v: any) => v.metadata.name === name).spec.resources.requests.storage;

describe.each(['lighthouse', 'prysm'] as const)('%s serving blobs', (client) => {
  it('writes no custody flag by default or with blobs: none', () => {
    for (const blobs of [undefined, 'none'] as const) expect(beacon(client, blobs).c.args.filter((a: string) => ALL_FLAGS.test(a))).toEqual([]);
  });

  it.each(['supernode', 'semi-supernode'] as const)('as a %s writes exactly the flag the client defines', (mode) => {
    const { c } = beacon(client, mode);
    expect(c.args.filter((a: string) => ALL_FLAGS.test(a))).toEqual([SOURCE_FLAGS[client][mode]]);
    // What policy reads back is what was written.
    expect(blobServingOf(c.args.map((a: string) => a.replace(/^-+/, '').split('=')[0]))).toBe(mode);
  });

  it("keeps the team's own extraArgs after nodegen's flag", () => {
    const objects = render((chart) => new GethNode(chart, 'geth', { network: 'mainnet', consensus: { client, blobs: 'supernode', extraArgs: ['--target-peers=120'] } }));
    const args: string[] = container(objects, 'geth', client).args;
    expect(args.slice(-2)).toEqual(['--supernode', '--target-peers=120']);
  });
});

/** The flags a beacon node gets for a mode (what policy/storage reads). */
function flagsOf(mode: 'none' | 'semi-supernode' | 'supernode'): Flag[] {
  return mode === 'none' ? [] : [{ name: mode, value: undefined, index: 0 }];
}

describe('storage and resources per mode', () => {
  it.each([
    // mode, default volume on mainnet (CONSENSUS_DEFAULT_STORAGE 400Gi + columns at 21 blobs), requests, limits
    ['none', '400Gi', { cpu: '2', memory: '8Gi' }, { cpu: '4', memory: '12Gi' }],
    ['semi-supernode', '745Gi', { cpu: '3', memory: '12Gi' }, { cpu: '6', memory: '16Gi' }],
    ['supernode', '1090Gi', { cpu: '4', memory: '16Gi' }, { cpu: '8', memory: '24Gi' }],
  ] as const)('a mainnet %s gets %s and its sized resources by default', (mode, size, requests, limits) => {
    const { objects, c } = beacon('lighthouse', mode);
    expect(claim(objects, 'beacon-data')).toBe(size);
    expect(c.resources).toEqual({ requests, limits });
  });

  it('keeps an explicit size and resources', () => {
    const objects = render((chart) => new GethNode(chart, 'geth', {
      network: 'hoodi',
      consensus: { blobs: 'supernode', storage: { size: '2Ti' }, resources: { requests: { cpu: '3', memory: '9Gi' }, limits: { cpu: '5', memory: '13Gi' } } },
    }));
    expect(claim(objects, 'beacon-data')).toBe('2Ti');
    expect(container(objects, 'geth', 'lighthouse').resources.requests).toEqual({ cpu: '3', memory: '9Gi' });
  });

  it('sizes every default above the policy minimum, and the minimum by the columns kept (EIP-7594 custody)', () => {
    for (const network of ['mainnet', 'hoodi', 'sepolia'] as const) {
      const mins = (['none', 'semi-supernode', 'supernode'] as const).map((m) => parseQuantity(minimumStorage('prysm', network, flagsOf(m))!)!);
      // More custody, more disk: none < semi (64 of 128 columns) < supernode (all 128).
      expect(mins[0]).toBeLessThan(mins[1]!);
      expect(mins[1]).toBeLessThan(mins[2]!);
      // 131072 slots × 14 blobs × 2096 bytes per column: about 3.58 GiB per custodied column at the target.
      const perColumn = (131072 * 14 * 2096) / 2 ** 30;
      expect((mins[2]! - mins[0]!) / 2 ** 30).toBeGreaterThanOrEqual(perColumn * BLOB_CUSTODY_GROUPS.supernode);
      expect((mins[1]! - mins[0]!) / 2 ** 30).toBeGreaterThanOrEqual(perColumn * BLOB_CUSTODY_GROUPS['semi-supernode']);
      for (const [i, mode] of (['none', 'semi-supernode', 'supernode'] as const).entries()) {
        const objects = render((chart) => new GethNode(chart, 'geth', { network, consensus: { blobs: mode } }));
        expect(parseQuantity(claim(objects, 'beacon-data'))).toBeGreaterThan(mins[i]!);
      }
    }
  });
});
