/**
 * The README's apply-and-prune command after a node leaves an environment, against a real API
 * server: it deletes exactly what nodegen stopped writing and keeps the data (claims, the
 * Namespace, snapshots).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { cli, copyProject } from '../helpers/project.js';
import { readManifests, resourceOf, type Manifest } from './kubectl.js';
import { clusterKubectl, expectPodsAdmitted, namespaceOf, readmeApplyCommand, REPO, warnings } from './helpers.js';

const kubectl = clusterKubectl();
const ENV = 'production';
const REMOVED = 'bitcoind';

const key = (o: Manifest) => `${resourceOf(o)} ${o.metadata.name}`;
const exists = (o: Manifest) =>
  kubectl.run(['get', resourceOf(o), o.metadata.name, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : [])], { allowFailure: true }).code === 0;

describe(`the README's prune command, after ${REMOVED} is removed from ${ENV}`, () => {
  const before = readManifests(join(REPO, 'dist', ENV));
  const namespace = namespaceOf(before);
  const project = copyProject();
  let after: Manifest[] = [];
  const snapshot = `data-${REMOVED}-0-20261206-031700`;

  beforeAll(async () => {
    // The same edit a user makes: the node is defined in base.yaml, production removes it.
    const file = join(project.root, 'environments', `${ENV}.yaml`);
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.setIn(['nodes', REMOVED], null);
    writeFileSync(file, doc.toString());
    const synth = await cli(project.root, 'synth', '--env', ENV);
    expect(synth.code, synth.err).toBe(0);
    after = readManifests(join(project.root, 'dist', ENV));

    kubectl.deleteNamespace(namespace);
    const applied = kubectl.run(readmeApplyCommand(ENV, join(REPO, 'dist', ENV)));
    expect(warnings(applied.err)).toEqual([]);
    await expectPodsAdmitted(kubectl, before);
    // A backup the node's snapshot job made (its script's exact labels).
    kubectl.run(['create', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        metadata: {
          name: snapshot,
          namespace,
          labels: { 'app.kubernetes.io/managed-by': 'nodegen', 'nodegen.dev/snapshot-of': REMOVED, 'nodegen.dev/claim': `data-${REMOVED}-0` },
        },
        spec: { source: { persistentVolumeClaimName: `data-${REMOVED}-0` }, volumeSnapshotClassName: 'pd-snapshot' },
      }),
    });
  });
  afterAll(() => project.cleanup());

  it('the edit removes the node and nothing else from the folder', () => {
    const gone = before.filter((o) => !after.some((a) => key(a) === key(o))).map(key);
    expect(gone.length).toBeGreaterThan(5);
    expect(gone.every((k) => k.includes(REMOVED))).toBe(true);
    expect(after.some((o) => key(o).includes(REMOVED))).toBe(false);
  });

  it('deletes every object of the removed node, keeps every other, and keeps its claims, the Namespace and its snapshots', () => {
    const claims = kubectl.list('persistentvolumeclaims', namespace).map((c) => c.metadata.name).filter((n) => n.includes(REMOVED));
    expect(claims.length).toBeGreaterThan(0);

    const pruned = kubectl.run(readmeApplyCommand(ENV, join(project.root, 'dist', ENV)));
    const gone = before.filter((o) => !after.some((a) => key(a) === key(o)));
    // kubectl says "<kind>/<name> pruned" for each object it deletes.
    const prunedLines = pruned.out.split('\n').filter((l) => l.endsWith(' pruned'));
    expect(prunedLines).toHaveLength(gone.length);

    expect(gone.filter(exists).map(key), 'objects of the removed node still in the cluster').toEqual([]);
    expect(after.filter((o) => !exists(o)).map(key), 'objects still in dist/ missing from the cluster').toEqual([]);
    // Kinds the removed node had: its workload, network objects, monitors and snapshot schedule.
    expect(new Set(gone.map((o) => o.kind))).toEqual(
      new Set(['StatefulSet', 'Service', 'ConfigMap', 'NetworkPolicy', 'ServiceMonitor', 'PodDisruptionBudget', 'CronJob', 'Role', 'RoleBinding', 'ServiceAccount']),
    );

    const left = new Set(kubectl.list('persistentvolumeclaims', namespace).map((c) => c.metadata.name));
    expect(claims.filter((c) => !left.has(c)), 'claims (the chain data) deleted by prune').toEqual([]);
    expect(exists({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } })).toBe(true);
    expect(kubectl.list('volumesnapshots.snapshot.storage.k8s.io', namespace).map((s) => s.metadata.name)).toContain(snapshot);

    const diff = kubectl.run(['diff', '-f', join(project.root, 'dist', ENV)], { allowFailure: true });
    expect(diff.code, diff.out).toBe(0);
  });
});
