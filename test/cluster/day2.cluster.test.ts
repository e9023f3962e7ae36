/**
 * Day-2 changes against a real API server: for each change an operator makes to a running
 * environment, the cluster holds the committed dist/, the environment file is edited, synth writes
 * the new dist/ and says what it judges (its --json `impacts`), then `kubectl apply` sends it. What
 * the API server refuses must be exactly what nodegen called "cannot be applied in place"; what
 * nodegen says leaves data behind must apply and leave the claims in place.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument, type Document } from 'yaml';
import { cli, copyProject } from '../helpers/project.js';
import type { ApplyImpact } from '../../src/synth/apply-impact.js';
import { eventually, readManifests } from './kubectl.js';
import { clusterKubectl, expectPodsAdmitted, namespaceOf, readmeApplyCommand } from './helpers.js';

const kubectl = clusterKubectl();

interface Case {
  readonly name: string;
  readonly env: string;
  readonly edit: (doc: Document) => void;
  /** What nodegen must call refused (`Kind/name`); the server is held to the same list. */
  readonly refused: readonly string[];
  /** What nodegen must say leaves data behind. */
  readonly data: readonly string[];
}

const CASES: readonly Case[] = [
  { name: 'a grown disk', env: 'qa', edit: (d) => d.setIn(['nodes', 'bitcoind', 'storage', 'size'], '150Gi'), refused: ['StatefulSet/bitcoind'], data: [] },
  { name: 'a shrunk disk', env: 'qa', edit: (d) => d.setIn(['nodes', 'bitcoind', 'storage', 'size'], '60Gi'), refused: ['StatefulSet/bitcoind'], data: [] },
  { name: 'another storage class', env: 'qa', edit: (d) => d.setIn(['nodes', 'monacoind', 'storage', 'storageClass'], 'standard-rwo'), refused: ['StatefulSet/monacoind'], data: [] },
  {
    name: 'a restore source set on a running node',
    env: 'qa',
    edit: (d) => d.setIn(['nodes', 'geth', 'storage', 'restoreFrom'], { volumeSnapshot: 'geth-seed' }),
    refused: ['StatefulSet/geth'],
    data: [],
  },
  {
    name: 'a renamed node',
    env: 'qa',
    edit: (d) => {
      d.setIn(['nodes', 'bitcoind'], null);
      // With monitoring on, its exporter logs in as its own user (a salted hash).
      d.setIn(['nodes', 'btc'], { client: 'bitcoind', nodePool: 'utxo', storage: { size: '100Gi' }, exporterRpcauth: `exporter:${'0'.repeat(32)}$${'1'.repeat(64)}` });
    },
    refused: [],
    data: ['StatefulSet/bitcoind'],
  },
  { name: 'a removed node', env: 'qa', edit: (d) => d.setIn(['nodes', 'monacoind'], null), refused: [], data: ['StatefulSet/monacoind'] },
  {
    name: 'another namespace',
    env: 'develop',
    edit: (d) => d.set('namespace', 'chains-develop-2'),
    refused: [],
    data: ['Namespace/chains-develop', 'StatefulSet/bitcoind', 'StatefulSet/geth', 'StatefulSet/monacoind'],
  },
  { name: 'another network', env: 'qa', edit: (d) => d.setIn(['nodes', 'bitcoind', 'network'], 'signet'), refused: [], data: ['StatefulSet/bitcoind'] },
  {
    name: 'everyday changes: replicas, resources, image, RPC clients',
    env: 'qa',
    edit: (d) => {
      d.setIn(['nodes', 'geth', 'replicas'], 2);
      d.setIn(['nodes', 'bitcoind', 'resources'], { requests: { cpu: '2', memory: '3Gi' }, limits: { cpu: '3', memory: '6Gi' } });
      d.setIn(['nodes', 'bitcoind', 'image'], 'bitcoin/bitcoin:30.1');
      d.setIn(['rpcClients', 'namespaces'], ['wallet-api']);
    },
    refused: [],
    data: [],
  },
  { name: 'public RPC withdrawn in the sandbox', env: 'nodetest', edit: (d) => d.setIn(['nodes', 'geth', 'expose'], { rpc: 'private' }), refused: [], data: [] },
];

/** `Kind/name` of every object the API server refused, from kubectl's messages. */
function refusedByServer(stderr: string): string[] {
  return [...stderr.matchAll(/The (\w+) "([^"]+)" is invalid/g)].map((m) => `${m[1]}/${m[2]}`).sort();
}

describe('day-2 changes: what nodegen says a cluster refuses is what the API server refuses', () => {
  it.each(CASES)('$name ($env)', async ({ env, edit, refused, data }) => {
    const project = copyProject();
    try {
      const dist = join(project.root, 'dist', env);
      const before = readManifests(dist);
      kubectl.deleteNamespace(namespaceOf(before));
      kubectl.run(['apply', '-f', dist]);
      await expectPodsAdmitted(kubectl, before);
      const claimsBefore = kubectl.list('persistentvolumeclaims', namespaceOf(before)).map((c) => c.metadata.name).sort();

      const file = join(project.root, 'environments', `${env}.yaml`);
      const doc = parseDocument(readFileSync(file, 'utf8'));
      edit(doc);
      writeFileSync(file, doc.toString());
      // nodegen diff, the review step, marks each such object with the reason and the steps.
      const review = await cli(project.root, 'diff', '--env', env);
      for (const object of [...refused, ...data]) expect(review.out).toMatch(new RegExp(`^! ${object.replace('/', '\\/')} `, 'm'));
      // The plan, made before the new dist/ is written (it compares with the committed one).
      const planned = await cli(project.root, 'plan', '--env', env, '--script');
      const synth = await cli(project.root, 'synth', '--env', env, '--json');
      expect(synth.code, synth.err).toBe(0);
      const impacts = (JSON.parse(synth.out) as { environments: { impacts: ApplyImpact[] }[] }).environments[0]!.impacts;
      const said = (c: string) => impacts.filter((i) => i.class === c).map((i) => i.object).sort();
      expect(said('refused'), 'nodegen: cannot be applied in place').toEqual([...refused].sort());
      expect(said('data'), 'nodegen: leaves data behind').toEqual([...data].sort());

      const after = readManifests(dist);
      if (namespaceOf(after) !== namespaceOf(before)) kubectl.deleteNamespace(namespaceOf(after));
      const applied = kubectl.run(readmeApplyCommand(env, dist), { allowFailure: true });
      expect(refusedByServer(applied.err), `the API server refused:\n${applied.err}`).toEqual([...refused].sort());
      expect(applied.code).toBe(refused.length > 0 ? 1 : 0);

      // The plan carries the change out on the same cluster: where it is scriptable, its script
      // (which ends with the apply) leaves the cluster exactly as the new dist/ says. A grown disk
      // needs claims bound to expandable volumes: the case below runs that one.
      const scriptable = planned.code === 0;
      expect(scriptable, planned.err).toBe(impacts.every((i) => i.class !== 'refused' || i.commands !== undefined));
      if (scriptable && !planned.out.includes('kubectl patch pvc')) {
        const script = join(project.root, 'plan.sh');
        writeFileSync(script, planned.out, { mode: 0o755 });
        const ran = await runScript(script, project.root);
        expect(ran.code, ran.output).toBe(0);
        const diff = kubectl.run(['diff', '-f', dist], { allowFailure: true });
        expect(diff.code, `after the plan, the cluster differs from dist/:\n${diff.out}`).toBe(0);
        await expectPodsAdmitted(kubectl, after);
      }
      // Nothing deleted a claim: prune never touches them, whatever was renamed or removed.
      const claimsAfter = new Set(kubectl.list('persistentvolumeclaims', namespaceOf(before)).map((c) => c.metadata.name));
      expect(claimsBefore.filter((c) => !claimsAfter.has(c))).toEqual([]);
      if (namespaceOf(after) !== namespaceOf(before)) kubectl.deleteNamespace(namespaceOf(after));
    } finally {
      project.cleanup();
    }
  });
});

/** Plays the CSI resizer, which this control plane lacks: a claim whose request grew gets that capacity. */
function playResizer(namespace: string): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const claim of kubectl.list('persistentvolumeclaims', namespace) as any[]) {
        const wanted = claim.spec.resources.requests.storage;
        if (claim.status?.phase === 'Bound' && claim.status.capacity?.storage !== wanted) {
          await kubectl.runAsync(['patch', 'pvc', claim.metadata.name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { capacity: { storage: wanted } } })]);
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

describe('nodegen plan --script on the real API server, with claims bound to volumes of an expandable class', () => {
  it('a grown disk: the script checks the class, grows each bound claim, recreates the StatefulSet around its pods and applies; every pod and claim is kept', async () => {
    const env = 'qa';
    const project = copyProject();
    try {
      const dist = join(project.root, 'dist', env);
      const before = readManifests(dist);
      const namespace = namespaceOf(before);
      kubectl.deleteNamespace(namespace);
      kubectl.run(['delete', 'storageclass', 'premium-rwo', '--ignore-not-found']);
      kubectl.run(['apply', '-f', '-'], {
        input: JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'premium-rwo' }, provisioner: 'pd.csi.storage.gke.io', allowVolumeExpansion: true, volumeBindingMode: 'Immediate' }),
      });
      kubectl.run(['apply', '-f', dist]);
      await expectPodsAdmitted(kubectl, before);
      // A volume for each of bitcoind's claims, bound to it in advance (as a provisioner would).
      const claims = kubectl.list('persistentvolumeclaims', namespace).filter((c) => c.metadata.name.includes('bitcoind'));
      expect(claims.length).toBeGreaterThan(0);
      for (const claim of claims as any[]) {
        kubectl.run(['delete', 'pv', `pv-${claim.metadata.name}`, '--ignore-not-found']);
        kubectl.run(['create', '-f', '-'], {
          input: JSON.stringify({
            apiVersion: 'v1',
            kind: 'PersistentVolume',
            metadata: { name: `pv-${claim.metadata.name}` },
            spec: {
              capacity: { storage: claim.spec.resources.requests.storage },
              accessModes: ['ReadWriteOnce'],
              storageClassName: 'premium-rwo',
              csi: { driver: 'pd.csi.storage.gke.io', volumeHandle: `projects/p/zones/z/disks/${claim.metadata.name}` },
              claimRef: { namespace, name: claim.metadata.name },
            },
          }),
        });
      }
      await eventually(
        () => (kubectl.list('persistentvolumeclaims', namespace).filter((c: any) => c.metadata.name.includes('bitcoind') && c.status?.phase === 'Bound').length === claims.length ? true : undefined),
        () => 'the claims were not bound to their volumes',
      );
      const identity = () =>
        [...kubectl.list('persistentvolumeclaims', namespace), ...kubectl.list('pods', namespace)].map((o: any) => `${o.kind} ${o.metadata.name} ${o.metadata.uid}`).sort();
      const kept = identity();

      const file = join(project.root, 'environments', `${env}.yaml`);
      const doc = parseDocument(readFileSync(file, 'utf8'));
      doc.setIn(['nodes', 'bitcoind', 'storage', 'size'], '150Gi');
      writeFileSync(file, doc.toString());
      const planned = await cli(project.root, 'plan', '--env', env, '--script');
      expect(planned.code, planned.err).toBe(0);
      expect((await cli(project.root, 'synth', '--env', env)).code).toBe(0);
      const script = join(project.root, 'plan.sh');
      writeFileSync(script, planned.out, { mode: 0o755 });

      const stopResizer = playResizer(namespace);
      let ran: { code: number | null; output: string };
      try {
        ran = await runScript(script, project.root);
      } finally {
        await stopResizer();
      }
      expect(ran.code, ran.output).toBe(0);
      expect(ran.output).toMatch(/statefulset\.apps "bitcoind" deleted/);
      const sts = kubectl.json<any>(['get', 'statefulset', 'bitcoind', '-n', namespace]);
      expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('150Gi');
      for (const claim of claims) {
        expect(kubectl.json<any>(['get', 'pvc', claim.metadata.name, '-n', namespace]).status.capacity.storage).toBe('150Gi');
      }
      expect(identity(), 'a pod or a claim was replaced').toEqual(kept);
      const diff = kubectl.run(['diff', '-f', dist], { allowFailure: true });
      expect(diff.code, diff.out).toBe(0);
    } finally {
      project.cleanup();
    }
  });

  it('a shrunk disk: the plan explains the restore, and --script refuses to write a script for it', async () => {
    const project = copyProject();
    try {
      const file = join(project.root, 'environments', 'qa.yaml');
      const doc = parseDocument(readFileSync(file, 'utf8'));
      doc.setIn(['nodes', 'bitcoind', 'storage', 'size'], '60Gi');
      writeFileSync(file, doc.toString());
      const human = await cli(project.root, 'plan', '--env', 'qa');
      expect(human.out).toMatch(/StatefulSet\/bitcoind \(chains-qa\) cannot be applied in place/);
      expect(human.out).toMatch(/VolumeSnapshot/);
      const script = await cli(project.root, 'plan', '--env', 'qa', '--script');
      expect(script.code).toBe(1);
      expect(script.err).toMatch(/cannot be run as a script/);
    } finally {
      project.cleanup();
    }
  });
});

/** Runs a plan script as a pipeline would: bash, the project root as working directory, kubectl on PATH. */
function runScript(script: string, cwd: string): Promise<{ code: number | null; output: string }> {
  const bin = mkdtempSync(join(tmpdir(), 'nodegen-plan-'));
  writeFileSync(join(bin, 'kubectl'), `#!/bin/sh\nexec ${kubectl.binary} --kubeconfig=${kubectl.kubeconfig} "$@"\n`, { mode: 0o755 });
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { cwd, env: { PATH: `${bin}:${process.env.PATH}`, HOME: bin }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      rmSync(bin, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}
