/**
 * Alert rules: every expression parses (the Prometheus project's own PromQL grammar,
 * @prometheus-io/lezer-promql), uses only metric names the clients really export
 * (src/chains/metrics.ts, each with its source), has a summary, a description and a runbook, and
 * uses the thresholds of its chain; the rule objects pass their CRD schemas.
 */
import { describe, expect, it } from 'vitest';
import { App, Chart } from 'cdk8s';
import { parser } from '@prometheus-io/lezer-promql';
import { ConstructError } from '../../src/errors.js';
import { BitcoindNode } from '../../src/constructs/bitcoind-node.js';
import { GethNode } from '../../src/constructs/geth-node.js';
import { MonaNode } from '../../src/constructs/mona-node.js';
import type { BlockchainNode } from '../../src/constructs/blockchain-node.js';
import { SyncAlerts, nodeAlertRules, type AlertRule, type AlertedNode } from '../../src/constructs/sync-alerts.js';
import { GETH_METRICS, KNOWN_METRICS, LIGHTHOUSE_METRICS, PRYSM_METRICS, UTXO_EXPORTER_METRICS } from '../../src/chains/metrics.js';
import { GETH_THRESHOLDS } from '../../src/chains/alert-thresholds.js';
import { builtInProfile } from '../../src/chains/profiles.js';
import { baseEnvironment, crdErrors, find, fleetOf, type Obj } from './helpers.js';

const MONA_IMAGE = 'registry.internal/monacoind:0.20.4';
/** The exporter's own login (a salted hash; the password is never known here). */
const EXPORTER = `exporter:${'0'.repeat(32)}$${'1'.repeat(64)}`;

/** The alerting profile of a node built in a throwaway chart. */
function alerted(build: (c: Chart) => BlockchainNode): AlertedNode {
  return build(new Chart(new App(), 'test', { disableResourceNameHashes: true })).alertedNode;
}

const NODES: Record<string, AlertedNode> = {
  'geth + lighthouse': alerted((c) => new GethNode(c, 'geth', { namespace: 'chains', network: 'mainnet', snapshotSchedule: {} })),
  'geth + prysm': alerted((c) => new GethNode(c, 'geth-prysm', { namespace: 'chains', consensus: { client: 'prysm' } })),
  'bitcoind main': alerted((c) => new BitcoindNode(c, 'bitcoind', { namespace: 'chains', network: 'main', metricsExporter: true, exporterRpcauth: EXPORTER })),
  'bitcoind testnet4': alerted((c) => new BitcoindNode(c, 'btc-test', { namespace: 'chains', metricsExporter: true, exporterRpcauth: EXPORTER })),
  'bitcoind regtest': alerted((c) => new BitcoindNode(c, 'btc-reg', { namespace: 'chains', network: 'regtest', metricsExporter: true, exporterRpcauth: EXPORTER })),
  'monacoind main': alerted((c) => new MonaNode(c, 'monacoind', { namespace: 'chains', image: MONA_IMAGE, network: 'main', metricsExporter: true, exporterRpcauth: EXPORTER })),
  'monacoind test': alerted((c) => new MonaNode(c, 'mona-test', { namespace: 'chains', image: MONA_IMAGE, metricsExporter: true, exporterRpcauth: EXPORTER })),
};

const rulesOf = (n: AlertedNode) => nodeAlertRules('chains', n);
const rule = (rules: readonly AlertRule[], alert: string) => {
  const r = rules.find((x) => x.alert === alert);
  if (!r) throw new Error(`no ${alert} in ${rules.map((x) => x.alert).join(', ')}`);
  return r;
};

/** PromQL syntax errors (the grammar's error nodes) and the metric names an expression selects. */
function parse(expr: string): { errors: number[]; metrics: string[] } {
  const errors: number[] = [];
  const metrics: string[] = [];
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.type.isError) errors.push(n.from);
      if (n.name === 'Identifier' && n.node.parent?.name === 'VectorSelector') metrics.push(expr.slice(n.from, n.to));
    },
  });
  return { errors, metrics };
}

describe('the PromQL check', () => {
  it('catches a broken expression and reads the metric names', () => {
    expect(parse('sum(rate(up[5m]) by (job)').errors.length).toBeGreaterThan(0);
    expect(parse('up{job="x"} ==').errors.length).toBeGreaterThan(0);
    expect(parse('changes(a{x="1"}[5m]) == 0 and b offset 5m > 0')).toEqual({ errors: [], metrics: ['a', 'b'] });
  });
});

describe.each(Object.entries(NODES))('alerts of %s', (_label, node) => {
  const rules = rulesOf(node);

  it('parse as PromQL and use only metric names the clients export', () => {
    for (const r of rules) {
      const { errors, metrics } = parse(r.expr);
      expect(errors, `${r.alert}: ${r.expr}`).toEqual([]);
      expect(metrics.length, r.alert).toBeGreaterThan(0);
      for (const m of metrics) expect(KNOWN_METRICS.has(m), `${r.alert} uses ${m}`).toBe(true);
    }
  });

  it("select only this node's pods or claims in its namespace", () => {
    for (const r of rules) {
      expect(r.expr).toContain('namespace="chains"');
      expect(r.expr).toMatch(new RegExp(`pod=~"${node.name}-\\[0-9\\]\\+"|persistentvolumeclaim=~"\\([a-z|-]+\\)-${node.name}-\\[0-9\\]\\+"|cronjob="${node.name}-(snapshots|fork-check)"`));
    }
  });

  it('each carry a severity, a summary, a description and a runbook a reviewer can act on', () => {
    for (const r of rules) {
      expect(['warning', 'critical']).toContain(r.labels['severity']);
      expect(r.labels['node']).toBe(node.name);
      expect(r.for).toMatch(/^[0-9]+[smh]$/);
      expect(r.annotations.summary.length, r.alert).toBeGreaterThan(15);
      expect(r.annotations.description.length, r.alert).toBeGreaterThan(30);
      expect(r.annotations.runbook.length, r.alert).toBeGreaterThan(30);
      // A runbook line names something to do: a command or a concrete check.
      expect(r.annotations.runbook, r.alert).toMatch(/kubectl|[Cc]heck|[Gg]row|[Pp]lan|[Ss]ilence/);
    }
  });

  it('are uniquely named within the node', () => {
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('thresholds per chain', () => {
  it('geth: stalled after 5 minutes of 12 s slots, behind by 64 blocks for 30 minutes, ignoring the first snap sync', () => {
    const rules = rulesOf(NODES['geth + lighthouse']!);
    expect(GETH_THRESHOLDS.mainnet).toEqual({ blockTime: '12s', headStalledAfter: '5m', notSyncedFor: '30m', noPeersFor: '10m' });
    expect(rule(rules, 'ChainNodeHeadStalled').expr).toBe(
      'changes(chain_head_block{namespace="chains",pod=~"geth-[0-9]+"}[5m]) == 0 and chain_head_block{namespace="chains",pod=~"geth-[0-9]+"} offset 5m > 0',
    );
    expect(rule(rules, 'ChainNodeHeadStalled').labels['severity']).toBe('critical');
    const notSynced = rule(rules, 'ChainNodeNotSynced');
    expect(notSynced.expr).toBe(
      '(chain_head_header{namespace="chains",pod=~"geth-[0-9]+"} - chain_head_block{namespace="chains",pod=~"geth-[0-9]+"}) > 64 and chain_head_block{namespace="chains",pod=~"geth-[0-9]+"} > 0',
    );
    expect(notSynced.for).toBe('30m');
    expect(rule(rules, 'ChainNodeNoPeers').expr).toBe('p2p_peers{namespace="chains",pod=~"geth-[0-9]+"} == 0');
  });

  it("geth's consensus client: more than one epoch behind the clock; peers by its own metric", () => {
    const lh = rulesOf(NODES['geth + lighthouse']!);
    expect(rule(lh, 'BeaconNodeNotSynced').expr).toBe(
      `(${LIGHTHOUSE_METRICS.clockSlot}{namespace="chains",pod=~"geth-[0-9]+"} - ${LIGHTHOUSE_METRICS.headSlot}{namespace="chains",pod=~"geth-[0-9]+"}) > 32`,
    );
    expect(rule(lh, 'BeaconNodeNoPeers').expr).toBe('libp2p_peers{namespace="chains",pod=~"geth-[0-9]+"} == 0');
    const prysm = rulesOf(NODES['geth + prysm']!);
    expect(rule(prysm, 'BeaconNodeNotSynced').expr).toContain(`${PRYSM_METRICS.clockSlot}{`);
    expect(rule(prysm, 'BeaconNodeNoPeers').expr).toBe('p2p_peer_count{namespace="chains",pod=~"geth-prysm-[0-9]+",state="Connected"} == 0');
  });

  it('bitcoind: 2 hours without a block on mainnet (12 block times), 4 hours on testnet4', () => {
    expect(builtInProfile('bitcoind').networks['main']!.thresholds!.blockTime).toBe('10m');
    expect(rule(rulesOf(NODES['bitcoind main']!), 'ChainNodeHeadStalled').expr).toBe(
      'changes(bitcoin_blocks{namespace="chains",pod=~"bitcoind-[0-9]+"}[2h]) == 0 and bitcoin_blocks{namespace="chains",pod=~"bitcoind-[0-9]+"} offset 2h',
    );
    expect(rule(rulesOf(NODES['bitcoind testnet4']!), 'ChainNodeHeadStalled').expr).toContain('[4h]');
    const notSynced = rule(rulesOf(NODES['bitcoind main']!), 'ChainNodeNotSynced');
    expect(notSynced.expr).toBe('bitcoin_verification_progress{namespace="chains",pod=~"bitcoind-[0-9]+"} < 0.9999');
    expect(notSynced.for).toBe('6h');
  });

  it('monacoind: 30 minutes without a block on mainnet (about 20 blocks of 90 s)', () => {
    expect(builtInProfile('monacoind').networks['main']!.thresholds!.blockTime).toBe('90s');
    expect(rule(rulesOf(NODES['monacoind main']!), 'ChainNodeHeadStalled').expr).toContain(`changes(${UTXO_EXPORTER_METRICS.blocks}{namespace="chains",pod=~"monacoind-[0-9]+"}[30m])`);
    expect(rule(rulesOf(NODES['monacoind main']!), 'ChainNodeNotSynced').for).toBe('2h');
    expect(rule(rulesOf(NODES['monacoind test']!), 'ChainNodeHeadStalled').expr).toContain('[6h]');
  });

  it('regtest: no stall, sync or peer alerts (blocks come only on request), the rest stay', () => {
    const names = rulesOf(NODES['bitcoind regtest']!).map((r) => r.alert);
    expect(names).toEqual(['ChainNodeMetricsAbsent', 'ChainNodeVolumeAlmostFull', 'ChainNodeVolumeFillingUp', 'ChainNodeRestarting']);
  });
});

describe('alerts every node gets', () => {
  const geth = rulesOf(NODES['geth + lighthouse']!);

  it('volume more than 85% full, and predicted to fill within 4 days, for each of its claims', () => {
    const claims = 'namespace="chains",persistentvolumeclaim=~"(data|beacon-data)-geth-[0-9]+"';
    expect(rule(geth, 'ChainNodeVolumeAlmostFull').expr).toBe(
      `1 - kubelet_volume_stats_available_bytes{${claims}} / kubelet_volume_stats_capacity_bytes{${claims}} > 0.85`,
    );
    expect(rule(geth, 'ChainNodeVolumeFillingUp').expr).toBe(
      `kubelet_volume_stats_available_bytes{${claims}} / kubelet_volume_stats_capacity_bytes{${claims}} < 0.4 and predict_linear(kubelet_volume_stats_available_bytes{${claims}}[12h], 4 * 24 * 3600) < 0`,
    );
    expect(rule(geth, 'ChainNodeVolumeAlmostFull').annotations.runbook).toMatch(/patch pvc/);
  });

  it('a container restarting 3 times within an hour', () => {
    expect(rule(geth, 'ChainNodeRestarting').expr).toBe('changes(kube_pod_container_status_restarts_total{namespace="chains",pod=~"geth-[0-9]+"}[1h]) >= 3');
  });

  it('no metrics at all, so a broken scrape never silences the other alerts', () => {
    expect(rule(geth, 'ChainNodeMetricsAbsent').expr).toBe(`absent(${GETH_METRICS.headBlock}{namespace="chains",pod=~"geth-[0-9]+"})`);
    expect(rule(rulesOf(NODES['bitcoind main']!), 'ChainNodeMetricsAbsent').expr).toBe('absent(bitcoin_blocks{namespace="chains",pod=~"bitcoind-[0-9]+"})');
  });

  it('an overdue snapshot, only when snapshots are scheduled', () => {
    const r = rule(geth, 'ChainNodeSnapshotOverdue');
    expect(r.expr).toBe(
      '(time() - kube_cronjob_status_last_successful_time{namespace="chains",cronjob="geth-snapshots"}) > 172800 or ' +
        '(time() - kube_cronjob_created{namespace="chains",cronjob="geth-snapshots"} > 172800 unless kube_cronjob_status_last_successful_time{namespace="chains",cronjob="geth-snapshots"})',
    );
    expect(rulesOf(NODES['bitcoind main']!).map((x) => x.alert)).not.toContain('ChainNodeSnapshotOverdue');
  });

  it('only Kubernetes alerts for a UTXO node without its exporter', () => {
    const bare = alerted((c) => new BitcoindNode(c, 'bitcoind', { namespace: 'chains' }));
    expect(rulesOf(bare).map((r) => r.alert)).toEqual(['ChainNodeVolumeAlmostFull', 'ChainNodeVolumeFillingUp', 'ChainNodeRestarting']);
  });
});

describe('SyncAlerts', () => {
  const build = (props: Partial<ConstructorParameters<typeof SyncAlerts>[2]> = {}): Obj => {
    const chart = new Chart(new App(), 'test', { disableResourceNameHashes: true });
    new SyncAlerts(chart, 'alerts', { namespace: 'chains', environment: 'qa', nodes: Object.values(NODES), labels: { release: 'kube-prometheus-stack' }, ...props });
    return (chart.toJson() as Obj[])[0]!;
  };

  it('writes one PrometheusRule with a group per node, valid against the PrometheusRule CRD', () => {
    const o = build();
    expect(o.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(o.kind).toBe('PrometheusRule');
    expect(o.metadata.name).toBe('blockchain-nodes');
    expect(o.metadata.namespace).toBe('chains');
    expect(o.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack', 'app.kubernetes.io/component': 'alerts', 'nodegen.dev/environment': 'qa' });
    expect(o.spec.groups.map((g: any) => g.name)).toEqual(Object.values(NODES).map((n) => n.name));
    for (const g of o.spec.groups) {
      expect(g.interval).toBe('1m');
      for (const r of g.rules) expect(r.labels.environment).toBe('qa');
    }
    expect(crdErrors(o)).toEqual([]);
  });

  it('writes a Google Managed Prometheus Rules object on gke-managed, valid against its CRD', () => {
    const o = build({ engine: 'gke-managed' });
    expect(o.apiVersion).toBe('monitoring.googleapis.com/v1');
    expect(o.kind).toBe('Rules');
    expect(crdErrors(o)).toEqual([]);
  });

  it('links every alert to its runbook section when a runbook page is given', () => {
    const o = build({ runbookUrl: 'https://runbooks.example/chains' });
    const urls = o.spec.groups.flatMap((g: any) => g.rules.map((r: any) => [r.alert, r.annotations.runbook_url]));
    for (const [alert, url] of urls) expect(url).toBe(`https://runbooks.example/chains#${alert.toLowerCase()}`);
    expect(build().spec.groups[0].rules[0].annotations.runbook_url).toBeUndefined();
  });

  it('is checked by a schema that would catch a mistake', () => {
    const o = build();
    o.spec.groups[0].rules[0].for = 'thirty minutes';
    expect(crdErrors(o).join()).toMatch(/pattern/);
  });

  it('refuses to write rules for no node', () => {
    expect(() => build({ nodes: [] })).toThrow(ConstructError);
  });
});

describe('alerts in an environment', () => {
  it('go to 40-monitoring.yaml, after the nodes, for every node with replicas', () => {
    const env = baseEnvironment();
    env.monitoring = { enabled: true, namespaces: ['monitoring'], runbookUrl: 'https://wiki.example/runbook' };
    env.nodes['idle'] = { client: 'bitcoind', replicas: 0, exporterRpcauth: env.nodes.bitcoind.exporterRpcauth };
    const { files, byFile } = fleetOf(env);
    expect(files).toEqual(['00-namespace.yaml', '10-geth.yaml', '20-bitcoind.yaml', '30-monacoind.yaml', '40-monitoring.yaml']);
    const rules = find(byFile['40-monitoring.yaml']!, 'PrometheusRule', 'blockchain-nodes');
    expect(rules.spec.groups.map((g: any) => g.name)).toEqual(['geth', 'bitcoind', 'monacoind']);
    expect(crdErrors(rules)).toEqual([]);
  });

  it('are left out when the environment turns alerts off', () => {
    const env = baseEnvironment();
    env.monitoring = { enabled: true, namespaces: ['monitoring'], alerts: false };
    expect(fleetOf(env).files).not.toContain('40-monitoring.yaml');
  });
});
