/**
 * Availability: a PodDisruptionBudget for every node set with more than one replica, and
 * anti-affinity spreading replicas over hosts (the default) or zones (when asked).
 */
import { describe, expect, it } from 'vitest';
import { App, Chart } from 'cdk8s';
import { BitcoindNode } from '../../src/constructs/bitcoind-node.js';
import { GethNode } from '../../src/constructs/geth-node.js';
import { environmentSchemaFor } from '../../src/environment/schema.js';
import { builtInProfiles } from '../../src/chains/profiles.js';

const environmentSchema = environmentSchemaFor(builtInProfiles());
import { baseEnvironment, find, fleetOf, kinds, type Obj } from './helpers.js';

function render(build: (c: Chart) => void): Obj[] {
  const chart = new Chart(new App(), 'test', { disableResourceNameHashes: true });
  build(chart);
  return chart.toJson() as Obj[];
}

const SELECTOR = { 'app.kubernetes.io/name': 'bitcoind', 'app.kubernetes.io/instance': 'bitcoind' };
const affinityOf = (objects: Obj[]) => find(objects, 'StatefulSet', 'bitcoind').spec.template.spec.affinity;
const term = (weight: number, topologyKey: string) => ({ weight, podAffinityTerm: { topologyKey, labelSelector: { matchLabels: SELECTOR } } });

describe('PodDisruptionBudget', () => {
  it('lets one replica of several be disrupted at a time, and always a replica that is not ready', () => {
    const objects = render((c) => new BitcoindNode(c, 'bitcoind', { namespace: 'chains', environment: 'production', replicas: 3 }));
    const pdb = find(objects, 'PodDisruptionBudget', 'bitcoind');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.metadata.namespace).toBe('chains');
    expect(pdb.metadata.labels).toMatchObject({ ...SELECTOR, 'app.kubernetes.io/component': 'full-node', 'nodegen.dev/environment': 'production' });
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: SELECTOR }, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
  });

  it('is not written for a single replica (it would block every drain)', () => {
    expect(kinds(render((c) => new BitcoindNode(c, 'bitcoind', { namespace: 'chains' })), 'PodDisruptionBudget')).toEqual([]);
    expect(kinds(render((c) => new BitcoindNode(c, 'bitcoind', { namespace: 'chains', replicas: 0 })), 'PodDisruptionBudget')).toEqual([]);
  });

  it('selects the same pods as the StatefulSet', () => {
    const objects = render((c) => new GethNode(c, 'geth', { namespace: 'chains', replicas: 2 }));
    expect(find(objects, 'PodDisruptionBudget', 'geth').spec.selector).toEqual(find(objects, 'StatefulSet', 'geth').spec.selector);
  });
});

describe('spread', () => {
  it('prefers different hosts by default when there is more than one replica', () => {
    const objects = render((c) => new BitcoindNode(c, 'bitcoind', { namespace: 'chains', replicas: 2 }));
    expect(affinityOf(objects)).toEqual({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term(100, 'kubernetes.io/hostname')] } });
  });

  it('prefers different zones, then hosts, when asked for zone', () => {
    const objects = render((c) => new BitcoindNode(c, 'bitcoind', { namespace: 'chains', replicas: 2, spread: 'zone' }));
    expect(affinityOf(objects)).toEqual({
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term(100, 'topology.kubernetes.io/zone'), term(50, 'kubernetes.io/hostname')] },
    });
  });

  it('writes no affinity for none, or for a single replica', () => {
    expect(affinityOf(render((c) => new BitcoindNode(c, 'bitcoind', { namespace: 'chains', replicas: 2, spread: 'none' })))).toBeUndefined();
    expect(affinityOf(render((c) => new BitcoindNode(c, 'bitcoind', { namespace: 'chains', spread: 'zone' })))).toBeUndefined();
  });

  it('is a closed choice in environment files', () => {
    const env = baseEnvironment();
    env.nodes.bitcoind.spread = 'region';
    const r = environmentSchema.safeParse(env);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['nodes', 'bitcoind', 'spread']);
    env.nodes.bitcoind = { client: 'bitcoind', replicas: 2, spread: 'zone' };
    expect(affinityOf(fleetOf(env).objects).podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('topology.kubernetes.io/zone');
  });
});
