/**
 * Every committed dist/<env> against a real API server, the three ways pipelines apply it: the
 * server's validation (strict field validation, CRD schemas and CEL rules), the StatefulSet
 * controller creating pods, and Pod Security admission ("restricted") admitting them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifests } from './kubectl.js';
import { clusterKubectl, ENVIRONMENTS, expectPodsAdmitted, namespaceOf, readBack, REPO, warnings } from './helpers.js';

const kubectl = clusterKubectl();

/** Every object of the folder as the server has it: `Kind namespace/name` -> resourceVersion. */
function resourceVersions(dir: string): Record<string, string> {
  const list = kubectl.json<{ items: { kind: string; metadata: { name: string; namespace?: string; resourceVersion: string } }[] }>(['get', '-f', dir]);
  return Object.fromEntries(list.items.map((o) => [`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, o.metadata.resourceVersion]));
}

const MODES = [
  { name: 'kubectl apply -f', apply: (dir: string) => ['apply', '-f', dir], diff: (dir: string) => ['diff', '-f', dir] },
  { name: 'kubectl apply -k', apply: (dir: string) => ['apply', '-k', dir], diff: (dir: string) => ['diff', '-k', dir] },
  {
    name: 'kubectl apply --server-side',
    apply: (dir: string) => ['apply', '--server-side', '-f', dir],
    diff: (dir: string) => ['diff', '--server-side', '-f', dir],
  },
] as const;

describe.each(ENVIRONMENTS)('dist/%s on a real API server', (env) => {
  const dir = join(REPO, 'dist', env);
  const objects = readManifests(dir);
  const namespace = namespaceOf(objects);

  it.each(MODES)('applies cleanly with $name into an empty cluster, reads back whole, its pods are admitted, and a second apply changes nothing', async (mode) => {
    kubectl.deleteNamespace(namespace);
    const applied = kubectl.run(mode.apply(dir));
    expect(warnings(applied.err), 'kubectl apply printed warnings').toEqual([]);
    // One line per object: "created" (client-side) or "serverside-applied".
    expect(applied.out.trim().split('\n')).toHaveLength(objects.length);

    expect(readBack(kubectl, objects)).toEqual([]);
    const { pods } = await expectPodsAdmitted(kubectl, objects);
    expect(pods).toBeGreaterThan(0);

    const diff = kubectl.run(mode.diff(dir), { allowFailure: true });
    expect(diff.code, `kubectl diff found changes after the apply:\n${diff.out}${diff.err}`).toBe(0);
    // Applying again writes nothing: no object's resourceVersion moves. (Client-side apply still
    // prints "configured" for StatefulSets and PodDisruptionBudgets: it always resends lists the
    // server fills in (volumeClaimTemplates) or marks "replace" (a PDB's selector), as no-op patches.)
    const before = resourceVersions(dir);
    kubectl.run(mode.apply(dir));
    expect(resourceVersions(dir)).toEqual(before);
  });
});
