/**
 * What the snapshot jobs' service accounts may really do, asked of the real authorizer (RBAC) with
 * `kubectl auth can-i --as`: exactly create, get, list and delete on VolumeSnapshots in their own
 * namespace, and nothing else.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('the snapshot job\'s own script, run as its service account, snapshots, waits, and prunes with only those verbs', async () => {
    const { env, namespace, account } = CASES.find((c) => c.account.startsWith('bitcoind'))!;
    const cronJob = readManifests(join(REPO, 'dist', env)).find((o) => o.kind === 'CronJob' && o.metadata.name === account)!;
    const container = (cronJob.spec as any).jobTemplate.spec.template.spec.containers[0] as {
      command: string[];
      args?: string[];
      env: { name: string; value?: string; valueFrom?: unknown }[];
    };
    const vars = Object.fromEntries(container.env.map((e) => [e.name, e.valueFrom ? namespace : e.value!]));
    const claim = vars.CLAIMS!.split(' ')[0]!;
    // KEEP=1 (production keeps 7) so that this one run also deletes the older snapshot.
    Object.assign(vars, { KEEP: '1' });
    const snapshot = (name: string, labels: Record<string, string>) =>
      JSON.stringify({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name, namespace, labels }, spec: { source: { persistentVolumeClaimName: claim } } });
    kubectl.run(['delete', SNAPSHOTS, '--all', '-n', namespace]);
    kubectl.run(['create', '-f', '-'], { input: snapshot(`${claim}-20260101-031700`, { 'nodegen.dev/claim': claim }) });
    kubectl.run(['create', '-f', '-'], { input: snapshot(`${claim}-restore-point`, { 'nodegen.dev/claim': claim, 'nodegen.dev/keep': 'true' }) });
    await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has one-second resolution

    // kubectl on the job's PATH acts as the job's service account.
    const bin = mkdtempSync(join(tmpdir(), 'nodegen-job-'));
    writeFileSync(join(bin, 'kubectl'), `#!/bin/sh\nexec ${kubectl.binary} --kubeconfig=${kubectl.kubeconfig} --as=system:serviceaccount:${namespace}:${account} "$@"\n`);
    chmodSync(join(bin, 'kubectl'), 0o755);
    // The snapshot controller's part: mark each new snapshot ready to use.
    let controllerRuns = true;
    const controller = (async () => {
      while (controllerRuns) {
        for (const s of kubectl.list(SNAPSHOTS, namespace)) {
          if ((s as { status?: unknown }).status === undefined) {
            await kubectl.runAsync(['patch', SNAPSHOTS, s.metadata.name, '-n', namespace, '--subresource=status', '--type=merge', '-p', '{"status":{"readyToUse":true}}']);
          }
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    try {
      const [command, ...rest] = [...container.command, ...(container.args ?? [])];
      const job = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
        const child = spawn(command!, rest, { env: { ...vars, PATH: `${bin}:${process.env.PATH}`, HOME: bin }, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr.on('data', (d: Buffer) => (output += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, output }));
      });
      expect(job.code, job.output).toBe(0);
      expect(job.output).not.toMatch(/forbidden/i);
      expect(job.output).toMatch(new RegExp(`VolumeSnapshot ${claim}-\\d{8}-\\d{6} is ready after \\d+s`));
      expect(job.output).toMatch(new RegExp(`${claim}-20260101-031700" deleted`));
      const left = kubectl.list(SNAPSHOTS, namespace).map((s) => s.metadata.name).sort();
      expect(left).toHaveLength(2);
      expect(left).toContain(`${claim}-restore-point`);
      expect(left.filter((n) => /-\d{8}-\d{6}$/.test(n))).toHaveLength(1);
    } finally {
      controllerRuns = false;
      await controller;
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
