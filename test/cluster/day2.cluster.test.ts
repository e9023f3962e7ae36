/**
 * Day-2 changes against a real API server: for each change an operator makes to a running
 * environment, the cluster holds the committed dist/, the environment file is edited, synth writes
 * the new dist/ and says what it judges (its --json `impacts`), then `kubectl apply` sends it. What
 * the API server refuses must be exactly what nodegen called "cannot be applied in place"; what
 * nodegen says leaves data behind must apply and leave the claims in place.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument, type Document } from 'yaml';
import { cli, copyProject } from '../helpers/project.js';
import type { ApplyImpact } from '../../src/synth/apply-impact.js';
import { readManifests } from './kubectl.js';
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
      d.setIn(['nodes', 'btc'], { client: 'bitcoind', nodePool: 'utxo', storage: { size: '100Gi' } });
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
  { name: 'another network', env: 'qa', edit: (d) => d.setIn(['nodes', 'bitcoind', 'network'], 'signet'), refused: [], data: [] },
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
      // Nothing deleted a claim: prune never touches them, whatever was renamed or removed.
      const claimsAfter = new Set(kubectl.list('persistentvolumeclaims', namespaceOf(before)).map((c) => c.metadata.name));
      expect(claimsBefore.filter((c) => !claimsAfter.has(c))).toEqual([]);
      if (namespaceOf(after) !== namespaceOf(before)) kubectl.deleteNamespace(namespaceOf(after));
    } finally {
      project.cleanup();
    }
  });
});
