/**
 * Starting from a snapshot: claim templates carry the `dataSource`; a cloud snapshot named by
 * handle becomes a pre-provisioned VolumeSnapshotContent and VolumeSnapshot, valid against the
 * snapshot CRDs.
 */
import { describe, expect, it } from 'vitest';
import { App, Chart } from 'cdk8s';
import { ConstructError } from '../../src/errors.js';
import { BitcoindNode } from '../../src/constructs/bitcoind-node.js';
import { GethNode } from '../../src/constructs/geth-node.js';
import { GKE_PD_CSI_DRIVER, SnapshotSource } from '../../src/constructs/snapshot-source.js';
import { environmentSchemaFor } from '../../src/environment/schema.js';
import { builtInProfiles } from '../../src/chains/profiles.js';

const environmentSchema = environmentSchemaFor(builtInProfiles());
import { baseEnvironment, crdErrors, find, fleetOf, kinds, type Obj } from './helpers.js';

function render(build: (c: Chart) => void): Obj[] {
  const chart = new Chart(new App(), 'test', { disableResourceNameHashes: true });
  build(chart);
  return chart.toJson() as Obj[];
}

const HANDLE = 'projects/chains-prod/global/snapshots/geth-mainnet-2026-07-01';

describe('SnapshotSource', () => {
  const objects = () =>
    render((c) => new SnapshotSource(c, 'geth-mainnet-2026-07-01', { namespace: 'chains', snapshotHandle: HANDLE, volumeSnapshotClass: 'pd-snapshot', environment: 'staging' }));

  it('pre-provisions a VolumeSnapshotContent that retains the cloud snapshot', () => {
    const content = find(objects(), 'VolumeSnapshotContent', 'chains-geth-mainnet-2026-07-01');
    expect(content.apiVersion).toBe('snapshot.storage.k8s.io/v1');
    expect(content.metadata.namespace).toBeUndefined();
    expect(content.spec).toEqual({
      deletionPolicy: 'Retain',
      driver: 'pd.csi.storage.gke.io',
      source: { snapshotHandle: HANDLE },
      sourceVolumeMode: 'Filesystem',
      volumeSnapshotClassName: 'pd-snapshot',
      volumeSnapshotRef: { name: 'geth-mainnet-2026-07-01', namespace: 'chains' },
    });
  });

  it('binds a VolumeSnapshot in the namespace to that content', () => {
    const snapshot = find(objects(), 'VolumeSnapshot', 'geth-mainnet-2026-07-01');
    expect(snapshot.metadata.namespace).toBe('chains');
    expect(snapshot.spec).toEqual({ volumeSnapshotClassName: 'pd-snapshot', source: { volumeSnapshotContentName: 'chains-geth-mainnet-2026-07-01' } });
    expect(snapshot.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'snapshot-source', 'nodegen.dev/environment': 'staging' });
  });

  it('passes the VolumeSnapshot and VolumeSnapshotContent CRD schemas', () => {
    for (const o of objects()) expect(crdErrors(o), `${o.kind}`).toEqual([]);
  });

  it('is checked by a schema that would catch a mistake', () => {
    const snapshot = find(objects(), 'VolumeSnapshot', 'geth-mainnet-2026-07-01');
    expect(crdErrors({ ...snapshot, spec: { ...snapshot.spec, sourceHandle: 'x' } }).join()).toMatch(/additional/);
    const content = find(objects(), 'VolumeSnapshotContent', 'chains-geth-mainnet-2026-07-01');
    expect(crdErrors({ ...content, spec: { ...content.spec, deletionPolicy: 'Keep' } }).join()).toMatch(/allowed values/);
  });

  it('defaults to the GKE persistent disk driver and no class', () => {
    const o = render((c) => new SnapshotSource(c, 's1', { namespace: 'chains', snapshotHandle: HANDLE }));
    expect(GKE_PD_CSI_DRIVER).toBe('pd.csi.storage.gke.io');
    expect(find(o, 'VolumeSnapshotContent', 'chains-s1').spec.driver).toBe(GKE_PD_CSI_DRIVER);
    expect(find(o, 'VolumeSnapshotContent', 'chains-s1').spec.volumeSnapshotClassName).toBeUndefined();
    expect(find(o, 'VolumeSnapshot', 's1').spec).toEqual({ source: { volumeSnapshotContentName: 'chains-s1' } });
  });

  it('refuses a name that is not a DNS label', () => {
    expect(() => render((c) => new SnapshotSource(c, 'Geth_Snap', { namespace: 'chains', snapshotHandle: HANDLE }))).toThrow(ConstructError);
  });
});

describe('a node restoring from a snapshot', () => {
  it("puts the snapshot in its claim template's dataSource", () => {
    const objects = render((c) => new BitcoindNode(c, 'bitcoind', { namespace: 'chains', storage: { restoreFrom: 'bitcoind-data-0-20260701' } }));
    const [claim] = find(objects, 'StatefulSet', 'bitcoind').spec.volumeClaimTemplates;
    expect(claim.spec.dataSource).toEqual({ apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'bitcoind-data-0-20260701' });
    expect(claim.spec.resources.requests.storage).toBe('100Gi');
  });

  it('restores geth and its beacon volume each from their own snapshot', () => {
    const objects = render(
      (c) => new GethNode(c, 'geth', { namespace: 'chains', storage: { restoreFrom: 'geth-data' }, consensus: { storage: { restoreFrom: 'geth-beacon' } } }),
    );
    const claims = find(objects, 'StatefulSet', 'geth').spec.volumeClaimTemplates;
    expect(claims.map((c: any) => [c.metadata.name, c.spec.dataSource?.name])).toEqual([
      ['data', 'geth-data'],
      ['beacon-data', 'geth-beacon'],
    ]);
  });

  it('starts empty without one', () => {
    const objects = render((c) => new GethNode(c, 'geth', { namespace: 'chains' }));
    for (const claim of find(objects, 'StatefulSet', 'geth').spec.volumeClaimTemplates) expect(claim.spec.dataSource).toBeUndefined();
  });
});

describe('restoreFrom in an environment', () => {
  it('names an existing VolumeSnapshot: claim template only, no new objects', () => {
    const env = baseEnvironment();
    env.nodes.geth.storage = { restoreFrom: { volumeSnapshot: 'data-geth-0-20260701-031700' } };
    const { files, objects } = fleetOf(env);
    expect(files).not.toContain('05-snapshots.yaml');
    expect(kinds(objects, 'VolumeSnapshot')).toEqual([]);
    expect(find(objects, 'StatefulSet', 'geth').spec.volumeClaimTemplates[0].spec.dataSource.name).toBe('data-geth-0-20260701-031700');
  });

  it('names a cloud snapshot: 05-snapshots.yaml, applied before the StatefulSets, holds the pair', () => {
    const env = baseEnvironment();
    env.snapshots = { volumeSnapshotClass: 'pd-snapshot' };
    env.nodes.geth.storage = { restoreFrom: { snapshotHandle: HANDLE } };
    env.nodes.geth.consensus = { storage: { restoreFrom: { snapshotHandle: 'projects/p/global/snapshots/beacon-x', name: 'beacon-hoodi' } } };
    const { files, byFile, objects } = fleetOf(env);
    expect(files.slice(0, 3)).toEqual(['00-namespace.yaml', '05-snapshots.yaml', '10-geth.yaml']);
    expect(byFile['05-snapshots.yaml']!.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'VolumeSnapshotContent/chains-test-geth-mainnet-2026-07-01',
      'VolumeSnapshot/geth-mainnet-2026-07-01',
      'VolumeSnapshotContent/chains-test-beacon-hoodi',
      'VolumeSnapshot/beacon-hoodi',
    ]);
    for (const o of byFile['05-snapshots.yaml']!) {
      expect(crdErrors(o)).toEqual([]);
      expect(o.spec.volumeSnapshotClassName).toBe('pd-snapshot');
    }
    const claims = find(objects, 'StatefulSet', 'geth').spec.volumeClaimTemplates;
    expect(claims.map((c: any) => c.spec.dataSource)).toEqual([
      { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'geth-mainnet-2026-07-01' },
      { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'beacon-hoodi' },
    ]);
  });

  it('writes one pair for a handle that two nodes share', () => {
    const env = baseEnvironment();
    env.nodes.bitcoind.storage = { restoreFrom: { snapshotHandle: 'projects/p/global/snapshots/btc-testnet4' } };
    env.nodes['bitcoind-2'] = { client: 'bitcoind', storage: { restoreFrom: { snapshotHandle: 'projects/p/global/snapshots/btc-testnet4' } } };
    const { objects } = fleetOf(env);
    expect(kinds(objects, 'VolumeSnapshot').map((o) => o.metadata.name)).toEqual(['btc-testnet4']);
  });

  it('refuses two handles that would share a VolumeSnapshot name', () => {
    const env = baseEnvironment();
    env.nodes.bitcoind.storage = { restoreFrom: { snapshotHandle: 'projects/a/global/snapshots/same' } };
    env.nodes.geth.storage = { restoreFrom: { snapshotHandle: 'projects/b/global/snapshots/same' } };
    expect(() => fleetOf(env)).toThrow(/two snapshot handles would both be VolumeSnapshot "same"; set restoreFrom.name/);
  });

  it('is checked by the schema: exactly one source, name only with a handle, a usable default name', () => {
    const issues = (restoreFrom: unknown) => {
      const env = baseEnvironment();
      env.nodes.geth.storage = { restoreFrom };
      const r = environmentSchema.safeParse(env);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues({})).toEqual(['nodes.geth.storage.restoreFrom: set exactly one of volumeSnapshot (an existing VolumeSnapshot) and snapshotHandle (a cloud snapshot ID)']);
    expect(issues({ volumeSnapshot: 'a', snapshotHandle: HANDLE })).toHaveLength(1);
    expect(issues({ volumeSnapshot: 'a', name: 'b' })).toEqual(['nodes.geth.storage.restoreFrom.name: name is only for snapshotHandle (it names the VolumeSnapshot nodegen writes)']);
    expect(issues({ snapshotHandle: 'projects/p/global/snapshots/Geth_2026' })[0]).toMatch(/restoreFrom\.name: the handle's last segment "Geth_2026" is not a DNS-1123 label/);
    expect(issues({ snapshotHandle: 'projects/p/global/snapshots/Geth_2026', name: 'geth-2026' })).toEqual([]);
    expect(issues({ volumeSnapshot: 'a', snapshotClass: 'x' })[0]).toMatch(/snapshotClass/);
  });
});
