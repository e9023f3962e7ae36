/**
 * Metrics: every client's endpoint on a named port, the exporter sidecar of bitcoind and
 * monacoind, the scrape objects of both engines (valid against their CRDs), and the NetworkPolicy
 * admitting the scrapers and no one else.
 */
import { describe, expect, it } from 'vitest';
import { App, Chart } from 'cdk8s';
import { BitcoindNode } from '../../src/constructs/bitcoind-node.js';
import { GethNode } from '../../src/constructs/geth-node.js';
import { MonaNode } from '../../src/constructs/mona-node.js';
import { NodeMonitoring } from '../../src/constructs/node-monitoring.js';
import { EXPORTER_METHODS, UTXO_EXPORTER_IMAGE } from '../../src/chains/utxo-exporter.js';
import { baseEnvironment, crdErrors, find, fleetOf, kinds, type Obj } from './helpers.js';

function render(build: (c: Chart) => void): Obj[] {
  const chart = new Chart(new App(), 'test', { disableResourceNameHashes: true });
  build(chart);
  return chart.toJson() as Obj[];
}

const MONA_IMAGE = 'registry.internal/monacoind:0.20.4';
/** The exporter's own login (a salted hash; the password is never known here). */
const EXPORTER = `exporter:${'0'.repeat(32)}$${'1'.repeat(64)}`;
const container = (objects: Obj[], set: string, name: string) =>
  find(objects, 'StatefulSet', set).spec.template.spec.containers.find((c: { name: string }) => c.name === name);

describe('metrics endpoints', () => {
  it('geth serves /debug/metrics/prometheus on 6060 and Lighthouse /metrics on 5054, both on the headless Service', () => {
    const objects = render((c) => new GethNode(c, 'geth', { namespace: 'chains' }));
    expect(container(objects, 'geth', 'geth').args).toEqual(expect.arrayContaining(['--metrics', '--metrics.addr=0.0.0.0', '--metrics.port=6060']));
    expect(container(objects, 'geth', 'lighthouse').args).toEqual(expect.arrayContaining(['--metrics', '--metrics-address=0.0.0.0', '--metrics-port=5054']));
    const headless = find(objects, 'Service', 'geth-headless').spec.ports.map((p: any) => `${p.name}:${p.port}`);
    expect(headless).toEqual(expect.arrayContaining(['metrics:6060', 'beacon-metrics:5054']));
    expect(find(objects, 'Service', 'geth').spec.ports.map((p: any) => p.name)).not.toContain('metrics');
  });

  it('Prysm serves /metrics on 8080', () => {
    const objects = render((c) => new GethNode(c, 'geth', { namespace: 'chains', consensus: { client: 'prysm' } }));
    expect(container(objects, 'geth', 'prysm').args).toEqual(expect.arrayContaining(['--monitoring-host=0.0.0.0', '--monitoring-port=8080']));
    expect(container(objects, 'geth', 'prysm').ports).toContainEqual({ name: 'beacon-metrics', containerPort: 8080, protocol: 'TCP' });
  });
});

describe('the exporter sidecar of bitcoind and monacoind', () => {
  const btc = (metricsExporter: boolean, network: 'main' | 'testnet4' = 'testnet4') =>
    render((c) => new BitcoindNode(c, 'bitcoind', { namespace: 'chains', network, metricsExporter, exporterRpcauth: EXPORTER }));

  it('is off unless asked for (the daemons run alone)', () => {
    const objects = btc(false);
    expect(find(objects, 'StatefulSet', 'bitcoind').spec.template.spec.containers.map((c: any) => c.name)).toEqual(['bitcoind']);
    expect(find(objects, 'ConfigMap', 'bitcoind-config').data!['exporter.conf']).toBeUndefined();
  });

  it('runs the pinned exporter on a port named metrics, logging in as its own user with the password from a Secret', () => {
    const objects = btc(true);
    const e = container(objects, 'bitcoind', 'exporter');
    expect(e.image).toBe(UTXO_EXPORTER_IMAGE);
    expect(UTXO_EXPORTER_IMAGE).toMatch(/^jvstein\/bitcoin-prometheus-exporter:v\d+\.\d+\.\d+$/);
    expect(e.ports).toEqual([{ name: 'metrics', containerPort: 9332, protocol: 'TCP' }]);
    expect(e.env).toEqual([
      { name: 'BITCOIN_RPC_HOST', value: '127.0.0.1' },
      { name: 'BITCOIN_RPC_PORT', value: '48332' },
      { name: 'BITCOIN_RPC_USER', value: 'exporter' },
      { name: 'BITCOIN_RPC_PASSWORD', valueFrom: { secretKeyRef: { name: 'bitcoind-rpc-exporter', key: 'password' } } },
      { name: 'METRICS_PORT', value: '9332' },
      { name: 'HOME', value: '/tmp' },
      { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
    ]);
    // BITCOIN_CONF_PATH would make the exporter ignore the user and password (rpc_client_factory).
    expect(e.env.map((v: any) => v.name)).not.toContain('BITCOIN_CONF_PATH');
    // No data volume: the cookie, the in-pod login, is out of its reach.
    expect(e.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(e.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(e.resources).toEqual({ requests: { cpu: '10m', memory: '48Mi' }, limits: { cpu: '200m', memory: '128Mi' } });
    // The daemon's own container does not claim the metrics port.
    expect(container(objects, 'bitcoind', 'bitcoind').ports.map((p: any) => p.name)).toEqual(['rpc', 'p2p']);
    // The Secret is referenced, never written.
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('gets a login limited to the read-only methods it calls, and no exporter.conf', () => {
    const conf = find(btc(true), 'ConfigMap', 'bitcoind-config').data!;
    expect(conf['exporter.conf']).toBeUndefined();
    expect(conf['bitcoin.conf']).toContain(`rpcauth=${EXPORTER}\n`);
    expect(conf['bitcoin.conf']).toContain(`rpcwhitelist=exporter:${[...EXPORTER_METHODS].sort().join(',')}\n`);
    expect(EXPORTER_METHODS).not.toContain('stop');
  });

  it('is refused without its own login, and speaks Monacoin ports to monacoind', () => {
    expect(() => render((c) => new BitcoindNode(c, 'bitcoind', { namespace: 'chains', metricsExporter: true }))).toThrow(/bitcoind: the metrics exporter needs its own RPC login: .*nodegen rpcauth exporter.*bitcoind-rpc-exporter/);
    // Monacoin's testnet RPC port is 19402.
    const objects = render((c) => new MonaNode(c, 'monacoind', { namespace: 'chains', image: MONA_IMAGE, metricsExporter: true, exporterRpcauth: EXPORTER }));
    const e = container(objects, 'monacoind', 'exporter');
    expect(e.env).toContainEqual({ name: 'BITCOIN_RPC_PORT', value: '19402' });
    expect(e.env).toContainEqual({ name: 'BITCOIN_RPC_PASSWORD', valueFrom: { secretKeyRef: { name: 'monacoind-rpc-exporter', key: 'password' } } });
    expect(e.image).toBe(UTXO_EXPORTER_IMAGE);
  });

  it('adds the metrics port to the headless Service only', () => {
    const objects = btc(true);
    expect(find(objects, 'Service', 'bitcoind-headless').spec.ports.map((p: any) => p.name)).toEqual(['rpc', 'p2p', 'metrics']);
    expect(find(objects, 'Service', 'bitcoind').spec.ports.map((p: any) => p.name)).toEqual(['rpc']);
  });
});

describe('NodeMonitoring', () => {
  const props = {
    name: 'geth',
    namespace: 'chains',
    nodeLabels: { 'app.kubernetes.io/name': 'geth', 'app.kubernetes.io/instance': 'geth' },
    selector: { 'app.kubernetes.io/name': 'geth', 'app.kubernetes.io/instance': 'geth' },
    endpoints: [{ port: 'metrics', path: '/debug/metrics/prometheus' }, { port: 'beacon-metrics' }],
    labels: { release: 'kube-prometheus-stack' },
  };

  it('writes a ServiceMonitor over the headless Service by default', () => {
    const [o] = render((c) => new NodeMonitoring(c, 'm', props));
    expect(o!.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(o!.kind).toBe('ServiceMonitor');
    expect(o!.metadata).toEqual({ name: 'geth', namespace: 'chains', labels: { ...props.nodeLabels, release: 'kube-prometheus-stack' } });
    expect(o!.spec).toEqual({
      jobLabel: 'app.kubernetes.io/instance',
      selector: { matchLabels: props.selector },
      namespaceSelector: { matchNames: ['chains'] },
      endpoints: [
        { port: 'metrics', path: '/debug/metrics/prometheus', interval: '30s', scheme: 'http' },
        { port: 'beacon-metrics', path: '/metrics', interval: '30s', scheme: 'http' },
      ],
    });
    expect(crdErrors(o!)).toEqual([]);
  });

  it('writes a PodMonitor when asked', () => {
    const [o] = render((c) => new NodeMonitoring(c, 'm', { ...props, scrape: 'podMonitor', interval: '1m' }));
    expect(o!.kind).toBe('PodMonitor');
    expect(o!.spec.podMetricsEndpoints).toEqual([
      { port: 'metrics', path: '/debug/metrics/prometheus', interval: '1m', scheme: 'http' },
      { port: 'beacon-metrics', path: '/metrics', interval: '1m', scheme: 'http' },
    ]);
    expect(o!.spec.selector).toEqual({ matchLabels: props.selector });
    expect(crdErrors(o!)).toEqual([]);
  });

  it('writes a Google Managed Prometheus PodMonitoring on gke-managed, with the pod label the alerts use', () => {
    const [o] = render((c) => new NodeMonitoring(c, 'm', { ...props, engine: 'gke-managed' }));
    expect(o!.apiVersion).toBe('monitoring.googleapis.com/v1');
    expect(o!.kind).toBe('PodMonitoring');
    expect(o!.spec).toEqual({
      selector: { matchLabels: props.selector },
      endpoints: [
        { port: 'metrics', path: '/debug/metrics/prometheus', interval: '30s', scheme: 'http' },
        { port: 'beacon-metrics', path: '/metrics', interval: '30s', scheme: 'http' },
      ],
      targetLabels: { metadata: ['pod', 'container'] },
    });
    expect(crdErrors(o!)).toEqual([]);
  });

  it('refuses an interval that is not a duration, and a node without metrics ports', () => {
    expect(() => render((c) => new NodeMonitoring(c, 'm', { ...props, interval: '30' }))).toThrow(/not a Prometheus duration/);
    expect(() => render((c) => new NodeMonitoring(c, 'm', { ...props, endpoints: [] }))).toThrow(/no metrics port/);
  });
});

describe('monitoring in an environment', () => {
  const monitored = (monitoring: Record<string, unknown> = {}) => {
    const env = baseEnvironment();
    env.monitoring = { enabled: true, namespaces: ['monitoring'], ...monitoring };
    return fleetOf(env).objects;
  };

  it('scrapes every node with the chosen object, each valid against its CRD', () => {
    for (const [engine, scrape, kind] of [
      ['prometheus-operator', 'serviceMonitor', 'ServiceMonitor'],
      ['prometheus-operator', 'podMonitor', 'PodMonitor'],
      ['gke-managed', 'serviceMonitor', 'PodMonitoring'],
    ] as const) {
      const objects = monitored({ engine, scrape, labels: { release: 'prom' } });
      const monitors = kinds(objects, kind);
      expect(monitors.map((o) => o.metadata.name)).toEqual(['geth', 'bitcoind', 'monacoind']);
      for (const m of monitors) {
        expect(crdErrors(m)).toEqual([]);
        expect(m.metadata.labels!['release']).toBe('prom');
      }
    }
  });

  it('admits the metrics ports from the scrapers namespaces, and nothing else from them', () => {
    const objects = monitored({ namespaces: ['monitoring', 'gmp-system'] });
    const rules = find(objects, 'NetworkPolicy', 'geth').spec.ingress;
    const fromScrapers = rules.filter((r: any) => JSON.stringify(r.from ?? []).includes('monitoring'));
    expect(fromScrapers).toEqual([
      {
        from: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gmp-system' } } },
        ],
        ports: [
          { port: 6060, protocol: 'TCP' },
          { port: 5054, protocol: 'TCP' },
        ],
      },
    ]);
    const btc = find(objects, 'NetworkPolicy', 'bitcoind').spec.ingress;
    expect(btc[btc.length - 1].ports).toEqual([{ port: 9332, protocol: 'TCP' }]);
    // The RPC rule still names only the RPC clients.
    expect(JSON.stringify(rules[0].from)).not.toContain('monitoring');
  });

  it('runs the exporter sidecars only when monitoring is on', () => {
    const names = (objects: Obj[]) => find(objects, 'StatefulSet', 'bitcoind').spec.template.spec.containers.map((c: any) => c.name);
    expect(names(monitored())).toEqual(['bitcoind', 'exporter']);
    expect(names(fleetOf(baseEnvironment()).objects)).toEqual(['bitcoind']);
  });

  it('opens no metrics port and writes no scrape object when off', () => {
    const { objects, files } = fleetOf(baseEnvironment());
    expect(objects.filter((o) => o.apiVersion.startsWith('monitoring.'))).toEqual([]);
    expect(files).not.toContain('40-monitoring.yaml');
    for (const np of kinds(objects, 'NetworkPolicy')) {
      // default-deny-ingress has no rules at all.
      const ports = (np.spec.ingress ?? []).flatMap((r: any) => r.ports.map((p: any) => p.port));
      expect(ports).not.toContain(6060);
      expect(ports).not.toContain(9332);
    }
  });

  it('requires the scrapers namespaces when enabled', () => {
    const env = baseEnvironment();
    env.monitoring = { enabled: true };
    expect(() => fleetOf(env)).toThrow(/namespaces/);
  });
});
