/**
 * The five environments as committed: monitoring on everywhere (Prometheus Operator), snapshot
 * schedules in staging and production, PodDisruptionBudgets and zone spreading where production
 * runs two replicas. Rendered in memory from environments/; dist/ is not read.
 */
import { describe, expect, it } from 'vitest';
import { loadEnvironment } from '../../src/environment/load.js';
import { renderEnvironment } from '../../src/synth/render.js';
import { REPO } from '../helpers/project.js';
import { crdErrors, find, kinds, type Obj } from './helpers.js';

const ENVIRONMENTS = ['develop', 'nodetest', 'production', 'qa', 'staging'];

function render(env: string): { files: string[]; objects: Obj[] } {
  const r = renderEnvironment(loadEnvironment(env, { root: REPO }));
  return { files: r.files.map((f) => f.name), objects: r.files.flatMap((f) => f.objects as unknown as Obj[]) };
}

describe.each(ENVIRONMENTS)('%s', (env) => {
  const { files, objects } = render(env);
  // The mainnet tier leaves monacoind out until a real image replaces base.yaml's placeholder.
  // nodetest also tries Litecoin (chains/litecoind.yaml) and Zebra (a custom node), in the files'
  // order: 25-litecoind.yaml before 30-monacoind.yaml, 35-custom.yaml after it.
  const nodes = env === 'staging' || env === 'production' ? ['geth', 'bitcoind'] : env === 'nodetest' ? ['geth', 'bitcoind', 'litecoind', 'monacoind', 'zebra'] : ['geth', 'bitcoind', 'monacoind'];

  it('is scraped by the Prometheus Operator and alerted on, every object valid against its CRD', () => {
    expect(kinds(objects, 'ServiceMonitor').map((o) => o.metadata.name)).toEqual(nodes);
    expect(files).toContain('40-monitoring.yaml');
    const rules = find(objects, 'PrometheusRule', 'blockchain-nodes');
    expect(rules.spec.groups.map((g: any) => g.name)).toEqual(nodes);
    for (const o of objects.filter((x) => /monitoring\.coreos\.com|snapshot\.storage\.k8s\.io/.test(x.apiVersion))) {
      expect(o.metadata.labels!['release']).toBe(o.kind.startsWith('Volume') ? undefined : 'kube-prometheus-stack');
      expect(crdErrors(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
    }
  });

  it('admits metrics from the monitoring namespace only', () => {
    for (const name of nodes) {
      const scrapers = find(objects, 'NetworkPolicy', name).spec.ingress.filter((r: any) => JSON.stringify(r.from ?? []).includes('"monitoring"'));
      expect(scrapers).toHaveLength(1);
      expect(scrapers[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
    }
  });

  it('snapshots on a schedule in staging and production only', () => {
    const jobs = kinds(objects, 'CronJob').filter((o) => o.metadata.name.endsWith('-snapshots')).map((o) => o.metadata.name);
    if (env === 'staging' || env === 'production') {
      expect(jobs).toEqual(nodes.map((n) => `${n}-snapshots`));
      const keep = find(objects, 'CronJob', 'geth-snapshots').spec.jobTemplate.spec.template.spec.containers[0].env.find((e: any) => e.name === 'KEEP').value;
      expect(keep).toBe(env === 'production' ? '7' : '3');
    } else {
      expect(jobs).toEqual([]);
    }
  });

  it('has a PodDisruptionBudget and zone spreading exactly where a node has more than one replica', () => {
    for (const set of kinds(objects, 'StatefulSet')) {
      const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === set.metadata.name);
      const affinity = set.spec.template.spec.affinity;
      if (set.spec.replicas > 1) {
        expect(pdb?.spec.maxUnavailable).toBe(1);
        expect(affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('topology.kubernetes.io/zone');
      } else {
        expect(pdb).toBeUndefined();
        expect(affinity).toBeUndefined();
      }
    }
    expect(kinds(objects, 'PodDisruptionBudget').length).toBe(env === 'production' ? 2 : 0);
  });
});
