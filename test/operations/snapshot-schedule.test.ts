/**
 * Scheduled snapshots: the CronJob, its RBAC (exactly the snapshot verbs, nothing else), the pod's
 * security, and the job's script run against a stand-in kubectl.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { App, Chart } from 'cdk8s';
import { ConstructError } from '../../src/errors.js';
import { GethNode } from '../../src/constructs/geth-node.js';
import { KUBECTL_IMAGE, SNAPSHOT_SCRIPT, SnapshotSchedule } from '../../src/constructs/snapshot-schedule.js';
import { baseEnvironment, find, fleetOf, kinds, type Obj } from './helpers.js';

function render(build: (c: Chart) => void): Obj[] {
  const chart = new Chart(new App(), 'test', { disableResourceNameHashes: true });
  build(chart);
  return chart.toJson() as Obj[];
}

const schedule = (props: Partial<ConstructorParameters<typeof SnapshotSchedule>[2]> = {}) =>
  render((c) => new SnapshotSchedule(c, 'snapshots', { namespace: 'chains', environment: 'qa', node: 'geth', claims: ['data-geth-0', 'beacon-data-geth-0'], ...props }));

describe('SnapshotSchedule', () => {
  it('writes a ServiceAccount, Role, RoleBinding and CronJob named <node>-snapshots', () => {
    const objects = schedule();
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/geth-snapshots',
      'Role/geth-snapshots',
      'RoleBinding/geth-snapshots',
      'CronJob/geth-snapshots',
    ]);
    for (const o of objects) {
      expect(o.metadata.namespace).toBe('chains');
      expect(o.metadata.labels).toEqual({
        'app.kubernetes.io/name': 'snapshot-schedule',
        'app.kubernetes.io/instance': 'geth-snapshots',
        'app.kubernetes.io/component': 'snapshot-schedule',
        'app.kubernetes.io/part-of': 'blockchain-nodes',
        'app.kubernetes.io/managed-by': 'nodegen',
        'nodegen.dev/environment': 'qa',
      });
    }
  });

  it('grants only create, get, list and delete on volumesnapshots in snapshot.storage.k8s.io', () => {
    const role = find(schedule(), 'Role', 'geth-snapshots');
    expect(role.rules).toEqual([{ apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['create', 'get', 'list', 'delete'] }]);
    const flat = JSON.stringify(role.rules);
    for (const forbidden of ['*', 'persistentvolumeclaims', 'secrets', 'pods', 'volumesnapshotcontents', 'watch', 'patch', 'update', 'escalate', 'bind']) {
      expect(flat).not.toContain(`"${forbidden}"`);
    }
  });

  it('binds the Role, and only the Role, to its own ServiceAccount', () => {
    const objects = schedule();
    const binding = find(objects, 'RoleBinding', 'geth-snapshots');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'geth-snapshots' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'geth-snapshots', namespace: 'chains' }]);
    expect(objects.some((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')).toBe(false);
    // The token is mounted only into the job's pod, which asks for it.
    expect(find(objects, 'ServiceAccount', 'geth-snapshots')['automountServiceAccountToken']).toBe(false);
  });

  it('runs daily by default in UTC, never twice at once, keeping 3 per claim', () => {
    const job = find(schedule(), 'CronJob', 'geth-snapshots').spec;
    expect(job.schedule).toBe('17 3 * * *');
    expect(job.timeZone).toBe('Etc/UTC');
    expect(job.concurrencyPolicy).toBe('Forbid');
    expect(job.startingDeadlineSeconds).toBe(3600);
    expect(job.jobTemplate.spec.backoffLimit).toBe(0);
    // The 5 h wait is shared by both claims (their snapshots are cut concurrently), plus 30 min of
    // slack and 5 min per claim.
    expect(job.jobTemplate.spec.activeDeadlineSeconds).toBe(18000 + 1800 + 2 * 300);
    const env = Object.fromEntries(job.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toEqual({
      NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } },
      NODE: 'geth',
      CLAIMS: 'data-geth-0 beacon-data-geth-0',
      KEEP: '3',
      CLASS: undefined,
      READY_TIMEOUT: '18000',
      HOME: '/tmp',
    });
    // Declared without a value: the script sees it empty (the driver's default class), and the
    // API server stores it as written (it would drop `value: ""`).
    expect(job.jobTemplate.spec.template.spec.containers[0].env.find((e: any) => e.name === 'CLASS')).toStrictEqual({ name: 'CLASS' });
  });

  it('takes the schedule, time zone, count and class it is given', () => {
    const job = find(schedule({ schedule: '0 */6 * * *', timeZone: 'Asia/Tokyo', keep: 7, volumeSnapshotClass: 'pd-snapshot' }), 'CronJob', 'geth-snapshots').spec;
    expect(job.schedule).toBe('0 */6 * * *');
    expect(job.timeZone).toBe('Asia/Tokyo');
    const env = job.jobTemplate.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'KEEP', value: '7' });
    expect(env).toContainEqual({ name: 'CLASS', value: 'pd-snapshot' });
  });

  it('runs a pinned kubectl image with the restricted security posture of the nodes', () => {
    const pod = find(schedule(), 'CronJob', 'geth-snapshots').spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe('geth-snapshots');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    const [c] = pod.containers;
    expect(c.image).toBe(KUBECTL_IMAGE);
    expect(KUBECTL_IMAGE).toMatch(/^registry\.k8s\.io\/kubectl:v1\.\d+\.\d+$/);
    expect(c.command).toEqual(['bash', '-c', SNAPSHOT_SCRIPT]);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(c.resources).toEqual({ requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
  });

  it("labels the job's pods so that none of the node's selectors match them", () => {
    const objects = render((c) => new GethNode(c, 'geth', { namespace: 'chains', replicas: 2, snapshotSchedule: {} }));
    const podLabels = find(objects, 'CronJob', 'geth-snapshots').spec.jobTemplate.spec.template.metadata.labels;
    const selectors = [
      find(objects, 'StatefulSet', 'geth').spec.selector.matchLabels,
      find(objects, 'NetworkPolicy', 'geth').spec.podSelector.matchLabels,
      find(objects, 'PodDisruptionBudget', 'geth').spec.selector.matchLabels,
      find(objects, 'Service', 'geth').spec.selector,
    ];
    for (const s of selectors) {
      const matches = Object.entries(s as Record<string, string>).every(([k, v]) => podLabels[k] === v);
      expect(matches).toBe(false);
    }
  });

  it("snapshots replica 0's execution volume of a geth node, not its beacon volume (checkpoint sync rebuilds that)", () => {
    const objects = render((c) => new GethNode(c, 'geth', { namespace: 'chains', replicas: 2, snapshotSchedule: { keep: 5 } }));
    const env = find(objects, 'CronJob', 'geth-snapshots').spec.jobTemplate.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'CLAIMS', value: 'data-geth-0' });
    expect(env).toContainEqual({ name: 'KEEP', value: '5' });
    // The beacon volume still exists and may still be restored from a snapshot taken by hand.
    expect(find(objects, 'StatefulSet', 'geth').spec.volumeClaimTemplates.map((c: any) => c.metadata.name)).toEqual(['data', 'beacon-data']);
  });

  it('gives the job a deadline that grows with the number of claims', () => {
    const deadline = (claims: string[]) => find(schedule({ claims, readyTimeoutSeconds: 3600 }), 'CronJob', 'geth-snapshots').spec.jobTemplate.spec.activeDeadlineSeconds;
    expect(deadline(['data-geth-0'])).toBe(3600 + 1800 + 300);
    expect(deadline(['a-0', 'b-0', 'c-0'])).toBe(3600 + 1800 + 900);
  });

  it('writes no schedule for throwaway storage', () => {
    const objects = render((c) => new GethNode(c, 'geth', { namespace: 'chains', storage: { ephemeral: true }, snapshotSchedule: {} }));
    expect(kinds(objects, 'CronJob').filter((o) => o.metadata.name.endsWith('-snapshots'))).toEqual([]);
  });

  it('refuses a schedule that is not cron, and a keep below 1', () => {
    expect(() => schedule({ schedule: 'daily' })).toThrow(ConstructError);
    expect(() => schedule({ schedule: 'daily' })).toThrow(/not a cron expression/);
    expect(() => schedule({ keep: 0 })).toThrow(/at least 1/);
  });
});

describe('the environment turns schedules on', () => {
  it('for every node with persistent storage, each node able to override or opt out', () => {
    const env = baseEnvironment();
    env.snapshots = { volumeSnapshotClass: 'pd-snapshot', schedule: { cron: '0 2 * * *', keep: 4 } };
    env.nodes.bitcoind.snapshotSchedule = { keep: 9 };
    env.nodes.monacoind.snapshotSchedule = { enabled: false };
    const { objects } = fleetOf(env);
    expect(kinds(objects, 'CronJob').filter((o) => o.metadata.name.endsWith('-snapshots')).map((o) => o.metadata.name).sort()).toEqual(['bitcoind-snapshots', 'geth-snapshots']);
    const envOf = (name: string) => find(objects, 'CronJob', name).spec.jobTemplate.spec.template.spec.containers[0].env;
    expect(find(objects, 'CronJob', 'geth-snapshots').spec.schedule).toBe('0 2 * * *');
    expect(envOf('geth-snapshots')).toContainEqual({ name: 'KEEP', value: '4' });
    expect(envOf('bitcoind-snapshots')).toContainEqual({ name: 'KEEP', value: '9' });
    expect(envOf('geth-snapshots')).toContainEqual({ name: 'CLASS', value: 'pd-snapshot' });
  });

  it('for a single node that asks, when the environment has no schedule', () => {
    const env = baseEnvironment();
    env.nodes.geth.snapshotSchedule = { cron: '@daily' };
    const { objects } = fleetOf(env);
    expect(kinds(objects, 'CronJob').filter((o) => o.metadata.name.endsWith('-snapshots')).map((o) => o.metadata.name)).toEqual(['geth-snapshots']);
    expect(find(objects, 'CronJob', 'geth-snapshots').spec.schedule).toBe('@daily');
  });

  it('not at all by default', () => {
    expect(kinds(fleetOf(baseEnvironment()).objects, 'CronJob').filter((o) => o.metadata.name.endsWith('-snapshots'))).toEqual([]);
  });
});

/**
 * The script, run by bash against a stand-in kubectl that keeps VolumeSnapshots as files and
 * logs every call: what the job really does, without a cluster.
 */
describe('the snapshot script', () => {
  let dir = '';
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  const FAKE_KUBECTL = `#!/usr/bin/env node
const fs = require('fs'); const path = require('path');
const state = process.env.FAKE_STATE;
const args = process.argv.slice(2);
fs.appendFileSync(path.join(state, 'calls.log'), args.join(' ') + '\\n');
const snaps = () => fs.readdirSync(state).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(state, f), 'utf8')));
const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
if (args[0] === 'create') {
  const text = fs.readFileSync(0, 'utf8');
  const name = /\\n  name: (\\S+)/.exec(text)[1];
  const claim = /nodegen.dev\\/claim: (\\S+)/.exec(text)[1];
  const seq = snaps().length + 100;
  fs.writeFileSync(path.join(state, name + '.json'), JSON.stringify({ name, claim, seq, keep: false, yaml: text }));
  console.log('volumesnapshot.snapshot.storage.k8s.io/' + name + ' created');
} else if (args.includes('get') && args.includes('volumesnapshot')) {
  const out = flag('-o');
  const name = args[args.indexOf('volumesnapshot') + 1];
  // FAKE_FAILING: a claim whose snapshots never become ready (FAKE_ERROR); the others follow FAKE_READY.
  const failing = process.env.FAKE_FAILING && name.startsWith(process.env.FAKE_FAILING + '-');
  if (out.includes('readyToUse')) process.stdout.write(failing ? 'false' : process.env.FAKE_READY);
  else process.stdout.write(failing || process.env.FAKE_READY !== 'true' ? process.env.FAKE_ERROR || '' : '');
} else if (args.includes('get') && args.includes('volumesnapshots')) {
  const claim = /nodegen.dev\\/claim=([^,]+)/.exec(flag('-l'))[1];
  const list = snaps().filter((s) => s.claim === claim && !s.keep).sort((a, b) => a.seq - b.seq);
  for (const s of list) console.log('volumesnapshot.snapshot.storage.k8s.io/' + s.name);
} else if (args.includes('delete')) {
  const ref = args[args.indexOf('delete') + 1];
  fs.rmSync(path.join(state, ref.split('/')[1] + '.json'));
} else { process.exit(3); }
`;

  function setup(existing: Array<{ name: string; claim: string; seq: number; keep?: boolean }>) {
    dir = mkdtempSync(join(tmpdir(), 'nodegen-snapshots-'));
    const bin = join(dir, 'bin');
    const state = join(dir, 'state');
    for (const d of [bin, state]) spawnSync('mkdir', ['-p', d]);
    writeFileSync(join(bin, 'kubectl'), FAKE_KUBECTL);
    chmodSync(join(bin, 'kubectl'), 0o755);
    for (const s of existing) writeFileSync(join(state, `${s.name}.json`), JSON.stringify({ keep: false, ...s }));
    return { bin, state };
  }

  function run(env: Record<string, string>, paths: { bin: string; state: string }) {
    // stdin ignored: node's stdin pipe is a socket, which makes bash read ~/.bashrc as for rsh.
    return spawnSync('bash', ['--norc', '-c', SNAPSHOT_SCRIPT], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: `${paths.bin}:${process.env.PATH}`, FAKE_STATE: paths.state, NAMESPACE: 'chains', NODE: 'geth', CLAIMS: 'data-geth-0', KEEP: '3', CLASS: 'pd-snapshot', READY_TIMEOUT: '0', ...env },
    });
  }

  const names = (state: string) => readdirSync(state).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();

  it('creates a labelled snapshot of each claim and prunes to the newest N, sparing kept ones', () => {
    const paths = setup([
      { name: 'data-geth-0-old1', claim: 'data-geth-0', seq: 1 },
      { name: 'data-geth-0-old2', claim: 'data-geth-0', seq: 2 },
      { name: 'data-geth-0-restore', claim: 'data-geth-0', seq: 3, keep: true },
      { name: 'data-geth-0-old3', claim: 'data-geth-0', seq: 4 },
      { name: 'data-geth-0-old4', claim: 'data-geth-0', seq: 5 },
      { name: 'data-other-0-old', claim: 'data-other-0', seq: 6 },
    ]);
    const r = run({ FAKE_READY: 'true' }, paths);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const left = names(paths.state);
    const created = left.filter((n) => /^data-geth-0-\d{8}-\d{6}$/.test(n));
    expect(created).toHaveLength(1);
    // 4 old + 1 new, keep 3: the two oldest go; the kept one and the other claim's stay.
    expect(left).toEqual(['data-geth-0-old3', 'data-geth-0-old4', 'data-geth-0-restore', created[0], 'data-other-0-old'].sort());
    const made = JSON.parse(readFileSync(join(paths.state, `${created[0]}.json`), 'utf8')).yaml;
    expect(made).toContain('kind: VolumeSnapshot');
    expect(made).toContain('  namespace: chains\n');
    expect(made).toContain('    nodegen.dev/snapshot-of: geth\n');
    expect(made).toContain('    persistentVolumeClaimName: data-geth-0\n');
    expect(made).toContain('  volumeSnapshotClassName: pd-snapshot\n');
  });

  it('keeps every older snapshot when the new one does not become ready', () => {
    const paths = setup([
      { name: 'data-geth-0-old1', claim: 'data-geth-0', seq: 1 },
      { name: 'data-geth-0-old2', claim: 'data-geth-0', seq: 2 },
      { name: 'data-geth-0-old3', claim: 'data-geth-0', seq: 3 },
    ]);
    const r = run({ FAKE_READY: 'false', FAKE_ERROR: 'quota exceeded' }, paths);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is not ready after 0s: quota exceeded; older snapshots of data-geth-0 are kept/);
    expect(names(paths.state).filter((n) => n.includes('old'))).toEqual(['data-geth-0-old1', 'data-geth-0-old2', 'data-geth-0-old3']);
    expect(readFileSync(join(paths.state, 'calls.log'), 'utf8')).not.toContain('delete');
  });

  it('creates every claim\'s snapshot, with one time stamp, before it waits for any', () => {
    const paths = setup([]);
    const r = run({ FAKE_READY: 'true', CLAIMS: 'data-geth-0 beacon-data-geth-0' }, paths);
    expect(r.status).toBe(0);
    const calls = readFileSync(join(paths.state, 'calls.log'), 'utf8').trim().split('\n');
    const creates = calls.flatMap((c, i) => (c.startsWith('create') ? [i] : []));
    const firstPoll = calls.findIndex((c) => c.includes('get volumesnapshot '));
    expect(creates).toEqual([0, 1]);
    expect(firstPoll).toBeGreaterThan(1);
    const made = names(paths.state);
    expect(made).toHaveLength(2);
    expect(new Set(made.map((n) => n.slice(-15))).size).toBe(1);
    expect(r.stdout).toMatch(/VolumeSnapshot data-geth-0-\d{8}-\d{6} is ready after 0s/);
    expect(r.stdout).toMatch(/VolumeSnapshot beacon-data-geth-0-\d{8}-\d{6} is ready after 0s/);
  });

  it('prunes the claims whose snapshots are ready and fails for the one that is not, keeping its older snapshots', () => {
    const paths = setup([
      { name: 'data-geth-0-old1', claim: 'data-geth-0', seq: 1 },
      { name: 'data-geth-0-old2', claim: 'data-geth-0', seq: 2 },
      { name: 'beacon-data-geth-0-old1', claim: 'beacon-data-geth-0', seq: 3 },
      { name: 'beacon-data-geth-0-old2', claim: 'beacon-data-geth-0', seq: 4 },
    ]);
    const r = run({ FAKE_READY: 'true', FAKE_FAILING: 'data-geth-0', FAKE_ERROR: 'quota exceeded', KEEP: '1', CLAIMS: 'data-geth-0 beacon-data-geth-0' }, paths);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/data-geth-0-\d{8}-\d{6} is not ready after 0s: quota exceeded; older snapshots of data-geth-0 are kept/);
    const left = names(paths.state);
    expect(left.filter((n) => n.startsWith('data-geth-0-old'))).toEqual(['data-geth-0-old1', 'data-geth-0-old2']);
    expect(left.filter((n) => n.startsWith('beacon-data-geth-0-'))).toEqual([expect.stringMatching(/^beacon-data-geth-0-\d{8}-\d{6}$/)]);
  });

  it('uses only the verbs its Role grants: create, get, list (get of a collection) and delete', () => {
    const paths = setup([{ name: 'data-geth-0-old1', claim: 'data-geth-0', seq: 1 }]);
    run({ FAKE_READY: 'true', KEEP: '1', CLAIMS: 'data-geth-0 beacon-data-geth-0' }, paths);
    const verbs = new Set(
      readFileSync(join(paths.state, 'calls.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ').find((w) => ['create', 'get', 'delete', 'apply', 'patch', 'edit', 'replace', 'watch', 'label'].includes(w))),
    );
    expect([...verbs].sort()).toEqual(['create', 'delete', 'get']);
    expect(existsSync(join(paths.state, 'data-geth-0-old1.json'))).toBe(false);
  });
});
