/**
 * The day-2 classifier on the committed production objects, changed the way operators change
 * them. The cluster suite (test/cluster/day2.cluster.test.ts) holds the same judgements to a real
 * API server; these are the fast, detailed checks of reasons, fields and steps.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyImpacts, formatImpact, type ManifestObject } from '../../src/synth/apply-impact.js';
import { diff } from '../../src/cli/commands/diff.js';
import { REPO, copyProject } from '../helpers/project.js';
import { readObjects } from '../validate/helpers.js';
import { writeFileSync, readFileSync, rmSync, cpSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { plan, planScript, formatPlan } from '../../src/cli/commands/plan.js';
import { applyCommand } from '../../src/synth/apply.js';
import { loadEnvironment, parseSetOverride } from '../../src/environment/load.js';
import { renderEnvironment } from '../../src/synth/render.js';
import type { InputError } from '../../src/errors.js';

/**
 * Production as committed, plus monacoind as production would run it once its image is built
 * (the shipped production leaves it out while base.yaml's image is a placeholder).
 */
const MONACOIND = parseSetOverride(
  `nodes.monacoind={client: monacoind, nodePool: utxo, image: "us-docker.pkg.dev/acme-chains/chains/monacoind:0.20.4", replicas: 2, spread: zone, ` +
    `storage: {size: 50Gi}, exporterRpcauth: "exporter:${'0'.repeat(32)}$${'1'.repeat(64)}"}`,
);
const rendered = renderEnvironment(loadEnvironment('production', { root: REPO, overrides: [MONACOIND] })).files;
const PRODUCTION = ['10-geth.yaml', '20-bitcoind.yaml', '30-monacoind.yaml', '00-namespace.yaml'].flatMap((f) =>
  f === '30-monacoind.yaml' ? rendered.find((r) => r.name === f)!.objects : readObjects(join(REPO, 'dist', 'production', f)),
) as unknown as ManifestObject[];

/** A deep copy of the production objects with `change` applied to the object `kind/name`. */
function changed(kind: string, name: string, change: (o: any) => void): ManifestObject[] {
  const copy = structuredClone(PRODUCTION) as any[];
  const target = copy.find((o) => o.kind === kind && o.metadata.name === name);
  if (!target) throw new Error(`no ${kind}/${name}`);
  change(target);
  return copy;
}

describe('applyImpacts', () => {
  it('finds nothing when nothing changed, nor for changes that apply in place', () => {
    expect(applyImpacts(PRODUCTION, PRODUCTION)).toEqual([]);
    // The same objects with every key in reverse order: equal objects, whatever order they were written in.
    const reversed = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reversed) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;
    expect(applyImpacts(PRODUCTION, PRODUCTION.map(reversed))).toEqual([]);
    const inPlace = changed('StatefulSet', 'geth', (s) => {
      s.spec.replicas = 3;
      s.spec.template.spec.containers[0].image = 'ethereum/client-go:v1.17.6';
      s.spec.template.spec.containers[0].resources.limits.memory = '64Gi';
      s.spec.minReadySeconds = 30;
    });
    expect(applyImpacts(PRODUCTION, inPlace)).toEqual([]);
  });

  it('a grown disk: refused, with a check of the storage class, a patch of every existing claim, a wait, an orphaning delete and an apply', () => {
    const [impact, ...rest] = applyImpacts(PRODUCTION, changed('StatefulSet', 'bitcoind', (s) => (s.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '2Ti')));
    expect(rest).toEqual([]);
    expect(impact).toMatchObject({ object: 'StatefulSet/bitcoind', namespace: 'chains-production', class: 'refused' });
    expect(impact!.fields).toEqual(['spec.volumeClaimTemplates[data].spec.resources.requests.storage: 1536Gi -> 2Ti']);
    expect(impact!.steps).toEqual([
      'check that storage class premium-rwo allows volume expansion (allowVolumeExpansion: true)',
      `kubectl patch pvc data-bitcoind-0 -n chains-production -p '{"spec":{"resources":{"requests":{"storage":"2Ti"}}}}'`,
      `kubectl patch pvc data-bitcoind-1 -n chains-production -p '{"spec":{"resources":{"requests":{"storage":"2Ti"}}}}'`,
      expect.stringMatching(/^wait until each claim shows the new capacity/),
      'kubectl delete statefulset bitcoind -n chains-production --cascade=orphan   # the pods and claims stay',
      expect.stringMatching(/^apply dist\/ again/),
    ]);
  });

  it('a shrink or another storage class: refused, and the steps restore onto a new volume instead of patching', () => {
    for (const change of [
      (s: any) => (s.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '500Gi'),
      (s: any) => (s.spec.volumeClaimTemplates[0].spec.storageClassName = 'standard-rwo'),
    ]) {
      const [impact] = applyImpacts(PRODUCTION, changed('StatefulSet', 'bitcoind', change));
      expect(impact!.class).toBe('refused');
      expect(impact!.steps.join('\n')).toMatch(/VolumeSnapshot/);
      expect(impact!.steps.join('\n')).not.toMatch(/kubectl patch pvc/);
    }
  });

  it('other immutable StatefulSet fields, a headless Service turned into a ClusterIP one, a RoleBinding\'s roleRef, a VolumeSnapshot\'s source', () => {
    const cases: [string, string, (o: any) => void, RegExp][] = [
      ['StatefulSet', 'geth', (s) => (s.spec.serviceName = 'geth-other'), /spec\.serviceName: geth-headless -> geth-other/],
      ['StatefulSet', 'geth', (s) => (s.spec.podManagementPolicy = 'OrderedReady'), /spec\.podManagementPolicy/],
      ['Service', 'geth-headless', (s) => delete s.spec.clusterIP, /spec\.clusterIP: None -> \(none\)/],
      ['RoleBinding', 'geth-snapshots', (b) => (b.roleRef.name = 'other'), /roleRef/],
    ];
    for (const [kind, name, change, field] of cases) {
      const impacts = applyImpacts(PRODUCTION, changed(kind, name, change));
      expect(impacts.map((i) => [i.object, i.class])).toEqual([[`${kind}/${name}`, 'refused']]);
      expect(impacts[0]!.fields.join('\n')).toMatch(field);
    }
    const snapshot = { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 's', namespace: 'n' }, spec: { source: { volumeSnapshotContentName: 'a' } } };
    const moved = { ...snapshot, spec: { source: { volumeSnapshotContentName: 'b' } } };
    expect(applyImpacts([snapshot], [moved]).map((i) => i.class)).toEqual(['refused']);
  });

  it('a removed node and a renamed one: they apply, but their claims stay behind, and a rename says the new node starts empty', () => {
    const removed = PRODUCTION.filter((o) => o.metadata.name !== 'monacoind');
    const [impact] = applyImpacts(PRODUCTION, removed);
    expect(impact).toMatchObject({ object: 'StatefulSet/monacoind', class: 'data' });
    expect(impact!.reason).toMatch(/data-monacoind-0, data-monacoind-1 stay behind/);

    const renamed = [...removed, { ...PRODUCTION.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'monacoind')!, metadata: { name: 'mona', namespace: 'chains-production', labels: { 'app.kubernetes.io/name': 'monacoind' } } }];
    const [rename] = applyImpacts(PRODUCTION, renamed as ManifestObject[]);
    expect(rename!.fields).toEqual(['metadata.name: monacoind -> mona?']);
    expect(rename!.reason).toMatch(/mona starts with empty volumes/);
  });

  it('another network: it applies, but the volumes hold the old chain (geth from its flag, bitcoind from chain=, monacoind from testnet=1)', () => {
    const gethMoved = changed('StatefulSet', 'geth', (s) => {
      const args: string[] = s.spec.template.spec.containers[0].args;
      args[args.indexOf('--mainnet')] = '--sepolia';
    });
    const [geth] = applyImpacts(PRODUCTION, gethMoved);
    expect(geth).toMatchObject({ object: 'StatefulSet/geth', class: 'data', fields: ['network: mainnet -> sepolia'] });
    expect(geth!.reason).toMatch(/geth refuses to start on a database of another genesis/);

    const btcMoved = changed('ConfigMap', 'bitcoind-config', (c) => (c.data['bitcoin.conf'] = c.data['bitcoin.conf'].replace('chain=main', 'chain=signet')));
    expect(applyImpacts(PRODUCTION, btcMoved).map((i) => `${i.object} ${i.fields[0]}`)).toEqual(['StatefulSet/bitcoind network: main -> signet']);

    const monaMoved = changed('ConfigMap', 'monacoind-config', (c) => (c.data['monacoin.conf'] = c.data['monacoin.conf'].replace('server=1', 'server=1\ntestnet=1')));
    expect(applyImpacts(PRODUCTION, monaMoved).map((i) => `${i.object} ${i.fields[0]}`)).toEqual(['StatefulSet/monacoind network: main -> test']);
  });

  it('a new namespace leaves the old one and its volumes behind', () => {
    const moved = structuredClone(PRODUCTION) as any[];
    for (const o of moved) {
      if (o.kind === 'Namespace') o.metadata.name = 'chains-prod';
      else o.metadata.namespace = 'chains-prod';
    }
    const impacts = applyImpacts(PRODUCTION, moved);
    expect(impacts.map((i) => `${i.object} ${i.class}`)).toEqual([
      'Namespace/chains-production data',
      'StatefulSet/bitcoind data',
      'StatefulSet/geth data',
      'StatefulSet/monacoind data',
    ]);
    expect(formatImpact(impacts[0]!)[0]).toMatch(/^Namespace\/chains-production applies, but leaves data behind: .*prune never deletes a Namespace/);
  });
});

describe('nodegen diff marks what a cluster refuses, also --against another folder', () => {
  it('marks the grown disk in the human report and in --json, comparing with --against', async () => {
    const project = copyProject();
    const live = `${project.root}-live`;
    try {
      cpSync(join(project.root, 'dist'), live, { recursive: true });
      const file = join(project.root, 'environments', 'production.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('storage: { size: 1536Gi }', 'storage: { size: 2Ti }'));
      const r = await diff({ root: project.root, env: 'production', against: live });
      expect(r.impacts.map((i) => `${i.env} ${i.object} ${i.class}`)).toEqual(['production StatefulSet/bitcoind refused']);
      expect(r.objects.find((o) => o.object === 'StatefulSet/bitcoind')!.impacts!.map((i) => i.class)).toEqual(['refused']);
      await expect(diff({ root: project.root, env: 'production', against: live, outdir: 'dist' })).rejects.toThrow(/--against and --outdir/);
    } finally {
      project.cleanup();
      rmSync(live, { recursive: true, force: true });
    }
  });
});

describe('nodegen plan', () => {
  it('--script: the class check, the patches, the waits and the orphaning delete, then the README apply command; data left behind as comments', () => {
    const grown = changed('StatefulSet', 'bitcoind', (s) => (s.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '2Ti'));
    const impacts = applyImpacts(PRODUCTION, grown.filter((o) => o.metadata.name !== 'monacoind'));
    const script = planScript({ env: 'production', impacts }, 'dist');
    const lines = script.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines[0]).toBe('set -euo pipefail');
    expect(lines[1]).toMatch(/^\[ "\$\(kubectl get storageclass premium-rwo -o jsonpath='\{\.allowVolumeExpansion\}'\)" = true \] \|\| \{/);
    expect(lines.slice(2, 4)).toEqual(impacts[0]!.steps.slice(1, 3));
    expect(lines[4]).toMatch(/^for i in \$\(seq 360\); do \[ "\$\(kubectl get pvc data-bitcoind-0 -n chains-production -o jsonpath='\{\.status\.capacity\.storage\}'\)" = 2Ti \] && break;/);
    expect(lines[6]).toBe('kubectl delete statefulset bitcoind -n chains-production --cascade=orphan');
    expect(lines[7]).toBe(applyCommand('production'));
    expect(lines).toHaveLength(8);
    expect(script).toMatch(/^# StatefulSet\/monacoind \(chains-production\) applies, but leaves data behind/m);
    // The script is valid bash.
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
  });

  it('--script refuses a plan that needs a person (a shrink), naming the object and the steps', () => {
    const shrunk = changed('StatefulSet', 'geth', (s) => (s.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '1Ti'));
    const impacts = applyImpacts(PRODUCTION, shrunk);
    expect(() => planScript({ env: 'production', impacts }, 'dist')).toThrow(/cannot be run as a script/);
    try {
      planScript({ env: 'production', impacts }, 'dist');
    } catch (e) {
      expect((e as InputError).problems.map((p) => p.path)).toEqual(['StatefulSet/geth']);
    }
  });

  it('without changes every environment applies in place, and --script needs one environment', async () => {
    const r = await plan({ root: REPO, all: true });
    expect(r.environments.map((e) => e.impacts.length)).toEqual([0, 0, 0, 0, 0]);
    expect(formatPlan(r)).toMatch(/^production: every change applies in place/m);
    await expect(plan({ root: REPO, all: true, script: true })).rejects.toThrow(/--script writes the plan of one environment/);
  });
});
