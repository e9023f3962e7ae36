/**
 * What the snapshot jobs' service accounts may really do, asked of the real authorizer (RBAC) with
 * `kubectl auth can-i --as`: exactly create, get, list and delete on VolumeSnapshots in their own
 * namespace, and nothing else.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_VERBS } from '../../src/constructs/snapshot-schedule.js';
import { readManifests } from './kubectl.js';
import { clusterKubectl, ENVIRONMENTS, namespaceOf, REPO } from './helpers.js';

const kubectl = clusterKubectl();

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const SNAPSHOTS = 'volumesnapshots.snapshot.storage.k8s.io';
/** `resource` or `resource/subresource`, as kubectl auth can-i takes them (the latter with --subresource). */
const RESOURCES = [
  SNAPSHOTS,
  `${SNAPSHOTS}/status`,
  'volumesnapshotcontents.snapshot.storage.k8s.io',
  'persistentvolumeclaims',
  'pods',
  'pods/exec',
  'secrets',
  'configmaps',
  'statefulsets.apps',
  'cronjobs.batch',
  'roles.rbac.authorization.k8s.io',
];

async function canI(verb: string, resource: string, as: string, namespace?: string): Promise<boolean> {
  const [type, subresource] = resource.split('/');
  const args = ['auth', 'can-i', verb, type!];
  if (subresource) args.push(`--subresource=${subresource}`);
  if (namespace) args.push('-n', namespace);
  const r = await kubectl.runAsync(args, { as });
  // can-i exits 0 for yes, 1 for no; anything else is an error to see.
  if (r.code !== 0 && r.code !== 1) throw new Error(`kubectl ${args.join(' ')}: ${r.err}`);
  return r.code === 0;
}

/** Runs the questions a few at a time (each is a kubectl process) and keeps those answered yes. */
async function allowedOf(questions: { verb: string; resource: string; namespace?: string }[], as: string): Promise<string[]> {
  const allowed: string[] = [];
  const queue = [...questions];
  const worker = async () => {
    for (let q = queue.shift(); q; q = queue.shift()) {
      if (await canI(q.verb, q.resource, as, q.namespace)) allowed.push(`${q.verb} ${q.resource}${q.namespace ? ` -n ${q.namespace}` : ''}`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return allowed.sort();
}

/** Environments with scheduled snapshots, and their jobs' service accounts. */
const CASES = ENVIRONMENTS.flatMap((env) => {
  const objects = readManifests(join(REPO, 'dist', env));
  return objects
    .filter((o) => o.kind === 'ServiceAccount' && o.metadata.labels?.['app.kubernetes.io/component'] === 'snapshot-schedule')
    .map((sa) => ({ env, namespace: namespaceOf(objects), account: sa.metadata.name }));
});

describe('snapshot jobs\' service accounts (RBAC, kubectl auth can-i)', () => {
  it('some environment schedules snapshots, so the matrix below is not empty', () => {
    expect(CASES.length).toBeGreaterThan(0);
  });

  const envs = [...new Set(CASES.map((c) => c.env))];
  beforeAll(() => {
    for (const env of envs) {
      const dir = join(REPO, 'dist', env);
      kubectl.deleteNamespace(namespaceOf(readManifests(dir)));
      kubectl.run(['apply', '-f', dir]);
    }
  });

  it.each(CASES)('$namespace/$account may create, get, list and delete VolumeSnapshots in its namespace and nothing else', async ({ namespace, account }) => {
    const as = `system:serviceaccount:${namespace}:${account}`;
    const questions = [
      ...[namespace, 'default'].flatMap((ns) => RESOURCES.flatMap((resource) => VERBS.map((verb) => ({ verb, resource, namespace: ns })))),
      ...['volumesnapshotclasses.snapshot.storage.k8s.io', 'namespaces', 'clusterroles.rbac.authorization.k8s.io'].flatMap((resource) => VERBS.map((verb) => ({ verb, resource }))),
    ];
    const allowed = await allowedOf(questions, as);
    expect(allowed).toEqual(SNAPSHOT_VERBS.map((verb) => `${verb} ${SNAPSHOTS} -n ${namespace}`).sort());
  });
});
