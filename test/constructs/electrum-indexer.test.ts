/**
 * ElectrumIndexer: defaults per network, the password only by reference, unprivileged pods with
 * requests and limits, the Electrum port open to the listed namespaces only, and the node's RPC
 * (and ZMQ) opened to the indexer alone.
 */
import { describe, expect, it } from 'vitest';
import { BitcoindNode } from '../../src/constructs/bitcoind-node.js';
import { ElectrumIndexer, withIndexerUser } from '../../src/constructs/electrum-indexer.js';
import { FULCRUM_IMAGE, FULCRUM_METHODS } from '../../src/chains/fulcrum.js';
import { ConstructError } from '../../src/errors.js';
import { container, find, render, type K8sObject } from './synth-helper.js';

const AUTH = `indexer:${'a'.repeat(32)}$${'b'.repeat(64)}`;

function build(network: 'main' | 'testnet4' | 'regtest', extra: Partial<ConstructorParameters<typeof ElectrumIndexer>[2]> = {}): K8sObject[] {
  return render((chart) => {
    const node = new BitcoindNode(chart, 'btc', { namespace: 'chains', network, txindex: true, rpcUsers: withIndexerUser(undefined, { rpcauth: AUTH }) });
    new ElectrumIndexer(chart, 'btc-indexer', { node, network, rpcauth: AUTH, clientNamespaces: ['wallet-api'], ...extra });
  });
}

describe('ElectrumIndexer', () => {
  it('writes its own StatefulSet and volume, sized for the network, with the pinned image', () => {
    const main = find(build('main'), 'StatefulSet', 'btc-indexer');
    expect(main.spec.replicas).toBe(1);
    expect(main.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('300Gi');
    expect(main.spec.template.spec.containers[0].image).toBe(FULCRUM_IMAGE);
    expect(find(build('testnet4'), 'StatefulSet', 'btc-indexer').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('30Gi');
    const sized = find(build('main', { storage: { size: '500Gi', storageClass: 'fast' } }), 'StatefulSet', 'btc-indexer');
    expect(sized.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '500Gi' } } });
  });

  it('points Fulcrum at the node\'s Service with its own user; the password comes only from the Secret', () => {
    const objects = build('testnet4');
    const conf = find(objects, 'ConfigMap', 'btc-indexer-config').data!['fulcrum.conf']!;
    expect(conf).toContain('bitcoind = btc.chains.svc:48332\n');
    expect(conf).toContain('rpcuser = indexer\n');
    expect(conf).not.toMatch(/rpcpassword/);
    const c = container(objects, 'btc-indexer', 'fulcrum');
    expect(c.command).toEqual(['Fulcrum', '/nodegen/config/fulcrum.conf']);
    expect(c.env).toContainEqual({ name: 'RPCPASSWORD', valueFrom: { secretKeyRef: { name: 'btc-rpc-indexer', key: 'password' } } });
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('adds the indexer to the node as a user limited to exactly the methods Fulcrum calls', () => {
    const conf = find(build('testnet4'), 'ConfigMap', 'btc-config').data!['bitcoin.conf']!;
    expect(conf).toContain(`rpcauth=${AUTH}\n`);
    expect(conf).toContain(`rpcwhitelist=indexer:${Object.keys(FULCRUM_METHODS).sort().join(',')}\n`);
    expect(conf).toContain('txindex=1\n');
    const users = { app: { rpcauth: `app:${'c'.repeat(32)}$${'d'.repeat(64)}`, methods: ['getblock'] } };
    expect(withIndexerUser(users, undefined)).toBe(users);
    expect(Object.keys(withIndexerUser(users, { rpcauth: AUTH })!)).toEqual(['app', 'indexer']);
  });

  it('runs unprivileged (restricted) with requests and limits', () => {
    const set = find(build('main'), 'StatefulSet', 'btc-indexer');
    expect(set.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(set.spec.template.spec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(set.spec.template.spec.automountServiceAccountToken).toBe(false);
    const c = set.spec.template.spec.containers[0];
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(c.resources).toEqual({ requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } });
  });

  it('is ready only when indexed to the tip (probe.py ready), alive while its stats endpoint answers', () => {
    const c = container(build('testnet4'), 'btc-indexer', 'fulcrum');
    expect(c.readinessProbe.exec.command).toEqual(['python3', '/nodegen/config/probe.py', 'ready']);
    expect(c.livenessProbe.exec.command).toEqual(['python3', '/nodegen/config/probe.py', 'alive']);
    expect(c.env).toContainEqual({ name: 'BITCOIND_URL', value: 'http://btc.chains.svc:48332/' });
  });

  it('opens the Electrum port to the listed namespaces only, on a ClusterIP Service, and sends only to the node', () => {
    const objects = build('testnet4');
    expect(find(objects, 'Service', 'btc-electrum').spec).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'electrum', port: 50001 }] });
    const policy = find(objects, 'NetworkPolicy', 'btc-indexer');
    expect(policy.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'wallet-api' } } }], ports: [{ port: 50001, protocol: 'TCP' }] },
    ]);
    expect(policy.spec.egress[1]).toEqual({
      to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'bitcoind', 'app.kubernetes.io/instance': 'btc' } } }],
      ports: [{ port: 48332, protocol: 'TCP' }],
    });
    expect(policy.spec.egress).toHaveLength(2);
    expect(find(build('testnet4', { clientNamespaces: [] }), 'NetworkPolicy', 'btc-indexer').spec.ingress).toEqual([]);
  });

  it('opens the node\'s RPC to the indexer pods, and its ZMQ ports when given', () => {
    const rpc = find(build('main', { zmqPorts: [28332] }), 'NetworkPolicy', 'btc-indexer-rpc');
    expect(rpc.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'bitcoind', 'app.kubernetes.io/instance': 'btc' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'fulcrum', 'app.kubernetes.io/instance': 'btc-indexer' } } }], ports: [{ port: 8332, protocol: 'TCP' }, { port: 28332, protocol: 'TCP' }] }],
    });
  });

  it('refuses a password where the rpcauth hash belongs', () => {
    expect(() => build('testnet4', { rpcauth: 'indexer:hunter2' })).toThrow(ConstructError);
    expect(() => build('testnet4', { rpcauth: 'indexer:hunter2' })).toThrow(/nodegen rpcauth indexer/);
  });
});
