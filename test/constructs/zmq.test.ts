/**
 * ZeroMQ notifications of bitcoind and monacoind: the conf lines, and the one wiring from the conf's
 * address to the container port, the `<node>-zmq` Service and the NetworkPolicy rule. The flag names
 * and topics are pinned to the daemons' sources (see src/chains/zmq.ts for file:line).
 */
import { describe, expect, it } from 'vitest';
import { BitcoindNode } from '../../src/constructs/bitcoind-node.js';
import { MonaNode } from '../../src/constructs/mona-node.js';
import { builtInProfile } from '../../src/chains/profiles.js';
import { DEFAULT_NETWORK_ONLY_KEYS as NETWORK_ONLY_KEYS } from '../../src/chains/profile.js';
import { ConstructError } from '../../src/errors.js';
import { container, find, render, type K8sObject } from './synth-helper.js';

const MONA_IMAGE = 'registry.example.com/monacoind:0.20.4';
const ALL_BITCOIN = { rawblock: true, rawtx: true, hashblock: true, hashtx: true, sequence: true };

/**
 * The topics each daemon registers, as read in its source: Monacoin v0.20.3
 * src/zmq/zmqnotificationinterface.cpp:45-48 (`pubhashblock`, `pubhashtx`, `pubrawblock`,
 * `pubrawtx`) and src/init.cpp:478-481; Bitcoin Core src/init.cpp adds `-zmqpubsequence` (0.21+).
 */
const SOURCE_TOPICS = {
  bitcoind: ['hashblock', 'hashtx', 'rawblock', 'rawtx', 'sequence'],
  monacoind: ['hashblock', 'hashtx', 'rawblock', 'rawtx'],
};

/** The conf's global lines (before the first section) and its section lines. */
function split(conf: string): { global: string[]; section: string[] } {
  const lines = conf.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const at = lines.findIndex((l) => l.startsWith('['));
  return { global: lines.slice(0, at), section: lines.slice(at + 1) };
}

/** zmqpub<topic> → port, from the conf text. */
function confPorts(conf: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of conf.split('\n')) {
    const m = /^zmqpub([a-z]+)=tcp:\/\/0\.0\.0\.0:(\d+)$/.exec(l);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

function bitcoind(props: ConstructorParameters<typeof BitcoindNode>[2] = {}) {
  let node!: BitcoindNode;
  const objects = render((c) => (node = new BitcoindNode(c, 'btc', { rpcClientNamespaces: ['wallets'], ...props })));
  return { node, objects, conf: find(objects, 'ConfigMap', 'btc-config').data!['bitcoin.conf']! };
}

function ingressFor(objects: K8sObject[], name: string, port: number) {
  return find(objects, 'NetworkPolicy', name).spec.ingress.filter((r: any) => (r.ports ?? []).some((p: any) => p.port === port));
}

describe('ZeroMQ on bitcoind', () => {
  it('writes nothing without zmq: no conf line, port or Service', () => {
    const { conf, objects } = bitcoind();
    expect(conf).not.toMatch(/zmq/);
    expect(objects.some((o) => o.metadata.name === 'btc-zmq')).toBe(false);
    expect(JSON.stringify(find(objects, 'StatefulSet', 'btc'))).not.toMatch(/zmq/);
  });

  it.each(['main', 'testnet4', 'signet', 'regtest', 'test'] as const)('on %s writes each topic globally, on its own port (not network-only)', (network) => {
    const { conf } = bitcoind({ network, zmq: ALL_BITCOIN });
    const { global, section } = split(conf);
    expect(global).toEqual(expect.arrayContaining([
      'zmqpubrawblock=tcp://0.0.0.0:28332',
      'zmqpubrawtx=tcp://0.0.0.0:28333',
      'zmqpubhashblock=tcp://0.0.0.0:28334',
      'zmqpubsequence=tcp://0.0.0.0:28335',
      'zmqpubhashtx=tcp://0.0.0.0:28336',
    ]));
    expect(section.filter((l) => l.startsWith('zmq'))).toEqual([]);
    for (const key of Object.keys(confPorts(conf))) expect(NETWORK_ONLY_KEYS as readonly string[]).not.toContain(`zmqpub${key}`);
  });

  it('publishes only the topics switched on', () => {
    const { conf } = bitcoind({ zmq: { rawblock: true, rawtx: true, hashblock: false } });
    expect(confPorts(conf)).toEqual({ rawblock: 28332, rawtx: 28333 });
  });

  it('wires each address to the same port on the container, the btc-zmq Service, the headless Service and the NetworkPolicy', () => {
    const { conf, objects } = bitcoind({ zmq: ALL_BITCOIN });
    const fromConf = confPorts(conf);
    expect(Object.keys(fromConf).sort()).toEqual(SOURCE_TOPICS.bitcoind);
    const containerPorts = Object.fromEntries(container(objects, 'btc', 'bitcoind').ports.map((p: any) => [p.name, p.containerPort]));
    const svc = find(objects, 'Service', 'btc-zmq');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.selector).toEqual(find(objects, 'StatefulSet', 'btc').spec.selector.matchLabels);
    const headless = find(objects, 'Service', 'btc-headless').spec.ports;
    for (const [topic, port] of Object.entries(fromConf)) {
      expect(containerPorts[`zmq-${topic}`]).toBe(port);
      expect(svc.spec.ports).toContainEqual({ name: `zmq-${topic}`, port, targetPort: `zmq-${topic}`, protocol: 'TCP' });
      expect(headless).toContainEqual({ name: `zmq-${topic}`, port, targetPort: `zmq-${topic}`, protocol: 'TCP' });
      const rules = ingressFor(objects, 'btc', port);
      expect(rules).toHaveLength(1);
      expect(rules[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'wallets' } } }]);
    }
    expect(svc.spec.ports).toHaveLength(5);
  });

  it('keeps the ZMQ ports off the RPC Service, also when RPC is a public LoadBalancer', () => {
    const { objects } = bitcoind({ zmq: ALL_BITCOIN, expose: { rpc: 'public' }, publicSourceRanges: ['203.0.113.0/24'] });
    const rpc = find(objects, 'Service', 'btc');
    expect(rpc.spec.type).toBe('LoadBalancer');
    expect(rpc.spec.ports.map((p: any) => p.name)).toEqual(['rpc']);
    expect(find(objects, 'Service', 'btc-zmq').spec.type).toBe('ClusterIP');
    for (const port of Object.values(builtInProfile('bitcoind').zmq.ports)) {
      for (const rule of ingressFor(objects, 'btc', port)) {
        expect(rule.from.length).toBeGreaterThan(0);
        expect(rule.from.some((p: any) => p.ipBlock)).toBe(false);
      }
    }
    // RPC itself does admit the public ranges: the ZMQ rule is a different one.
    expect(ingressFor(objects, 'btc', 48332)[0].from).toContainEqual({ ipBlock: { cidr: '203.0.113.0/24' } });
  });

  it("admits zmq.namespaces instead of the RPC clients when given, and the RPC clients' pod labels by default", () => {
    const own = bitcoind({ zmq: { rawtx: true, namespaces: ['indexer'] }, rpcClientPodLabels: { app: 'wallet' } });
    expect(ingressFor(own.objects, 'btc', 28333)[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'indexer' } } }]);
    const byDefault = bitcoind({ zmq: { rawtx: true }, rpcClientPodLabels: { app: 'wallet' } });
    expect(ingressFor(byDefault.objects, 'btc', 28333)[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'wallets' } } },
      { podSelector: { matchLabels: { app: 'wallet' } } },
    ]);
  });

  it('admits nobody, and warns, when no namespace may subscribe', () => {
    const { node, objects } = bitcoind({ zmq: { rawblock: true, namespaces: [] } });
    expect(ingressFor(objects, 'btc', 28332)).toEqual([]);
    expect(node.warnings.join('\n')).toMatch(/no namespace may subscribe/);
  });
});

describe('ZeroMQ on monacoind', () => {
  const mona = (zmq: Record<string, boolean>) => {
    const objects = render((c) => new MonaNode(c, 'mona', { image: MONA_IMAGE, network: 'test', rpcClientNamespaces: ['wallets'], zmq }));
    return { objects, conf: find(objects, 'ConfigMap', 'mona-config').data!['monacoin.conf']! };
  };

  it("publishes Monacoin 0.20's four topics from 29402 (its doc/zmq.md port), globally, wired to container, Service and policy", () => {
    const { conf, objects } = mona({ rawblock: true, rawtx: true, hashblock: true, hashtx: true });
    const fromConf = confPorts(conf);
    expect(fromConf).toEqual({ rawblock: 29402, rawtx: 29403, hashblock: 29404, hashtx: 29406 });
    expect(Object.keys(fromConf).sort()).toEqual(SOURCE_TOPICS.monacoind);
    expect(split(conf).section.filter((l) => l.startsWith('zmq'))).toEqual([]);
    const svc = find(objects, 'Service', 'mona-zmq');
    for (const [topic, port] of Object.entries(fromConf)) {
      expect(container(objects, 'mona', 'monacoind').ports).toContainEqual({ name: `zmq-${topic}`, containerPort: port, protocol: 'TCP' });
      expect(svc.spec.ports).toContainEqual({ name: `zmq-${topic}`, port, targetPort: `zmq-${topic}`, protocol: 'TCP' });
      expect(ingressFor(objects, 'mona', port)).toHaveLength(1);
    }
  });

  it('refuses sequence, which Monacoin 0.20 does not have, naming the key', () => {
    expect(() => mona({ rawblock: true, sequence: true })).toThrow(ConstructError);
    expect(() => mona({ sequence: true })).toThrow(/mona: zmq\.sequence: Monacoin 0\.20 has no "sequence" topic/);
  });
});
