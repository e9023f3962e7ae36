/**
 * Exposure by purpose: a replica-sticky RPC Service where consumers keep state on one replica, and
 * egress that lets P2P reach the internet but nothing inside the cluster.
 */
import { describe, expect, it } from 'vitest';
import { App, Chart } from 'cdk8s';
import { GethNode } from '../../src/constructs/geth-node.js';
import { BitcoindNode } from '../../src/constructs/bitcoind-node.js';
import { EGRESS_CLOSED_RANGES } from '../../src/constructs/blockchain-node.js';
import { isPrivateCidr } from '../../src/validate/policy-rules.js';

type Obj = { kind: string; metadata: { name: string }; spec: any };
function render(build: (c: Chart) => void): Obj[] {
  const chart = new Chart(new App(), 'test', { disableResourceNameHashes: true });
  build(chart);
  return chart.toJson() as Obj[];
}
const find = (objects: Obj[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

describe('RPC session affinity', () => {
  it('is off by default: calls spread over the ready replicas', () => {
    const svc = find(render((c) => new GethNode(c, 'geth', { replicas: 2 })), 'Service', 'geth');
    expect(svc.spec.sessionAffinity).toBeUndefined();
  });

  it('pins each client pod to one replica with rpcAffinity: ClientIP, the window written out', () => {
    const objects = render((c) => new GethNode(c, 'geth', { replicas: 2, expose: { rpcAffinity: 'ClientIP' } }));
    expect(find(objects, 'Service', 'geth').spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } });
    // Only the app-facing Service: the headless one resolves to every replica by name.
    expect(find(objects, 'Service', 'geth-headless').spec.sessionAffinity).toBeUndefined();
  });
});

describe('egress', () => {
  const policy = (build: (c: Chart) => void, name: string) => find(render(build), 'NetworkPolicy', name).spec;

  it.each([
    ['geth', (c: Chart) => new GethNode(c, 'geth', { clusterCidrs: ['10.0.0.0/8', '198.18.0.0/15'] })],
    ['btc', (c: Chart) => new BitcoindNode(c, 'btc', { clusterCidrs: ['10.0.0.0/8', '198.18.0.0/15'] })],
  ] as const)('%s: DNS anywhere, the internet on any port, nothing private, link-local or of the cluster', (name, build) => {
    const spec = policy(build, name);
    expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(spec.egress).toHaveLength(2);
    expect(spec.egress[0]).toEqual({ ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] });
    const [v4, v6] = spec.egress[1].to.map((t: any) => t.ipBlock);
    expect(spec.egress[1].ports).toBeUndefined();
    expect(v4.cidr).toBe('0.0.0.0/0');
    expect(v4.except).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '198.18.0.0/15']);
    expect(v6).toEqual({ cidr: '::/0', except: ['fc00::/7', 'fe80::/10'] });
  });

  it('closes every private range the cluster-cidrs rule knows, and the metadata server', () => {
    for (const r of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7']) expect(EGRESS_CLOSED_RANGES).toContain(r);
    expect(EGRESS_CLOSED_RANGES.filter((r) => !r.startsWith('169.254') && !r.startsWith('fe80')).every(isPrivateCidr)).toBe(true);
    expect(EGRESS_CLOSED_RANGES).toContain('169.254.0.0/16');
  });
});
