/**
 * The environment's alert rules: a Prometheus Operator `PrometheusRule` (or, on Google Managed
 * Prometheus, a `Rules` object with the same groups), one group per node. Every alert has a
 * summary, a description and a one-line runbook; thresholds and metric names come from
 * src/chains (alert-thresholds.ts, metrics.ts).
 *
 * The alerts, per node:
 * - ChainNodeNotSynced: behind the network for longer than the chain's threshold;
 * - ChainNodeHeadStalled: the head block has not moved for the chain's stall window;
 * - ChainNodeNoPeers: no peer for a while;
 * - BeaconNodeNotSynced, BeaconNodeNoPeers: the same for geth's consensus client;
 * - ChainNodeMetricsAbsent: no metrics at all (node down, or scraping broken: every other alert is blind);
 * - ChainNodeVolumeAlmostFull: a volume more than 85% full;
 * - ChainNodeVolumeFillingUp: a volume predicted to fill within 4 days;
 * - ChainNodeRestarting: a container restarted 3 times within an hour;
 * - ChainNodeSnapshotOverdue: no successful scheduled snapshot for 48 hours (when scheduled);
 * - ChainNodeForkUnknown: the fork check's last run failed: a replica does not know a fork of the
 *   network that nodegen's table lists (geth nodes).
 */
import { Construct } from 'constructs';
import { ConstructError } from '../errors.js';
import {
  BEACON_MAX_SLOT_LAG,
  COMMON_THRESHOLDS,
  GETH_MAX_BLOCK_LAG,
  UTXO_MIN_VERIFICATION_PROGRESS,
  type SyncThresholds,
} from '../chains/alert-thresholds.js';
import {
  GETH_METRICS,
  KUBE_STATE_METRICS,
  KUBELET_VOLUME_METRICS,
  LIGHTHOUSE_METRICS,
  PRYSM_METRICS,
  UTXO_EXPORTER_METRICS,
} from '../chains/metrics.js';
import { standardLabels } from './labels.js';
import { customResource } from './custom-resource.js';
import type { MonitoringEngine } from './node-monitoring.js';

/** What the alert rules need to know about one node. */
export interface AlertedNode {
  /** The node's name (its StatefulSet's; pods are `<name>-<ordinal>`). */
  readonly name: string;
  /** `ethereum`, a chain profile's chain (`bitcoin`, `monacoin`, `litecoin`) or a custom node's `chain` (the alerts' `chain` label). */
  readonly chain: string;
  /** A chain profile's daemon and cli, for the runbooks. */
  readonly daemon?: { readonly name: string; readonly cli: string };
  /** Which metrics describe the chain: geth's own, the UTXO exporter's, or none (no exporter). */
  readonly metrics: 'geth' | 'utxo-exporter' | 'none';
  /** geth's consensus client. */
  readonly consensus?: 'lighthouse' | 'prysm';
  /** Sync thresholds of its network; `undefined` (regtest): no sync, stall or peer alerts. */
  readonly thresholds?: SyncThresholds;
  /** Its volume claim template names (`data`, `beacon-data`); none when ephemeral. */
  readonly volumes: readonly string[];
  /** Its snapshot CronJob, when it has one. */
  readonly snapshotCronJob?: string;
  /** Its fork-check CronJob (geth nodes, ./fork-check.ts), when it has one. */
  readonly forkCheckCronJob?: string;
}

/** One alerting rule, as Prometheus (and the CRDs) define it. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook: string; readonly runbook_url?: string };
}

export interface SyncAlertsProps {
  /** The environment's namespace: alerts select series by it. */
  readonly namespace: string;
  /** Environment name, written as a label on every alert (for Alertmanager routing). @default - no label */
  readonly environment?: string;
  readonly nodes: readonly AlertedNode[];
  /** `prometheus-operator`: a PrometheusRule. `gke-managed`: a Google Managed Prometheus Rules. @default 'prometheus-operator' */
  readonly engine?: MonitoringEngine;
  /** Extra labels on the rule object, so the Prometheus selects it (`release: ...`). @default {} */
  readonly labels?: Record<string, string>;
  /** Each alert gets `runbook_url: <runbookUrl>#<alert name in lower case>`. @default - no runbook_url */
  readonly runbookUrl?: string;
  /** How often the groups are evaluated. @default '1m' */
  readonly interval?: string;
}

/** Builds one node's rules. Exported for tests and for readers: this is every alert nodegen writes. */
export function nodeAlertRules(ns: string, node: AlertedNode, extraLabels: Record<string, string> = {}): AlertRule[] {
  const pods = `namespace="${ns}",pod=~"${node.name}-[0-9]+"`;
  const labels = (severity: 'warning' | 'critical') => ({ severity, node: node.name, chain: node.chain, ...extraLabels });
  const rules: AlertRule[] = [];
  const t = node.thresholds;

  if (t && node.metrics === 'geth') {
    const g = GETH_METRICS;
    rules.push(
      {
        alert: 'ChainNodeNotSynced',
        // Head block 0 is the first snap sync (the head moves only when the pivot state is complete): not news.
        expr: `(${g.headHeader}{${pods}} - ${g.headBlock}{${pods}}) > ${GETH_MAX_BLOCK_LAG} and ${g.headBlock}{${pods}} > 0`,
        for: t.notSyncedFor,
        labels: labels('warning'),
        annotations: {
          summary: `{{ $labels.pod }}: geth is {{ $value }} blocks behind the newest header it knows`,
          description: `geth's head block has trailed its head header by more than ${GETH_MAX_BLOCK_LAG} blocks (${GETH_MAX_BLOCK_LAG} x ${t.blockTime}) for ${t.notSyncedFor}: it imports blocks slower than the chain makes them, or is stuck.`,
          runbook: `kubectl -n ${ns} logs {{ $labels.pod }} -c geth: look for import errors or "state heal"; check disk latency and CPU throttling; a node that cannot keep up needs a faster disk (pd-ssd) or more CPU.`,
        },
      },
      {
        alert: 'ChainNodeHeadStalled',
        // `offset` only matches a series at least as old as the window: a restarted pod is not "stalled" yet.
        expr: `changes(${g.headBlock}{${pods}}[${t.headStalledAfter}]) == 0 and ${g.headBlock}{${pods}} offset ${t.headStalledAfter} > 0`,
        for: '1m',
        labels: labels('critical'),
        annotations: {
          summary: `{{ $labels.pod }}: geth's head block has not moved for ${t.headStalledAfter}`,
          description: `A block is due every ${t.blockTime}; none was imported in ${t.headStalledAfter}. geth only advances when its consensus client hands it new blocks.`,
          runbook: `Check the beacon node first (kubectl -n ${ns} logs {{ $labels.pod }} -c ${node.consensus ?? 'lighthouse'}: synced? peers? Engine API errors?), then geth's logs; if both look idle, delete the pod to restart it.`,
        },
      },
      {
        alert: 'ChainNodeNoPeers',
        expr: `${g.peers}{${pods}} == 0`,
        for: t.noPeersFor,
        labels: labels('warning'),
        annotations: {
          summary: `{{ $labels.pod }}: geth has no peers`,
          description: `geth has had no peer for ${t.noPeersFor}; without peers it cannot fetch blocks.`,
          runbook: 'Check that the cluster allows egress to the internet on TCP/UDP 30303 (firewall, Cloud NAT), that the pod clock is right, and geth\'s logs for "Looking for peers".',
        },
      },
    );
  }

  if (t && node.metrics === 'geth' && node.consensus) {
    const b = node.consensus === 'lighthouse' ? LIGHTHOUSE_METRICS : PRYSM_METRICS;
    const peers = node.consensus === 'lighthouse' ? `${b.peers}{${pods}}` : `${b.peers}{${pods},state="Connected"}`;
    rules.push(
      {
        alert: 'BeaconNodeNotSynced',
        expr: `(${b.clockSlot}{${pods}} - ${b.headSlot}{${pods}}) > ${BEACON_MAX_SLOT_LAG}`,
        for: t.notSyncedFor,
        labels: labels('warning'),
        annotations: {
          summary: `{{ $labels.pod }}: the ${node.consensus} beacon node is {{ $value }} slots behind`,
          description: `The beacon head has been more than ${BEACON_MAX_SLOT_LAG} slots (one epoch) behind the clock for ${t.notSyncedFor}; geth cannot be current while it is.`,
          runbook: `kubectl -n ${ns} logs {{ $labels.pod }} -c ${node.consensus}: check peers, checkpoint sync and Engine API errors (a geth that is behind holds the beacon node back: see ChainNodeNotSynced).`,
        },
      },
      {
        alert: 'BeaconNodeNoPeers',
        expr: `${peers} == 0`,
        for: t.noPeersFor,
        labels: labels('warning'),
        annotations: {
          summary: `{{ $labels.pod }}: the ${node.consensus} beacon node has no peers`,
          description: `The beacon node has had no libp2p peer for ${t.noPeersFor}; without peers neither it nor geth follows the chain.`,
          runbook: 'Check egress to the internet on the beacon P2P ports (TCP and UDP), the pod clock, and the beacon node\'s logs for discovery errors.',
        },
      },
    );
  }

  if (t && node.metrics === 'utxo-exporter') {
    const u = UTXO_EXPORTER_METRICS;
    const daemon = node.daemon?.name ?? 'bitcoind';
    rules.push(
      {
        alert: 'ChainNodeNotSynced',
        expr: `${u.verificationProgress}{${pods}} < ${UTXO_MIN_VERIFICATION_PROGRESS}`,
        for: t.notSyncedFor,
        labels: labels('warning'),
        annotations: {
          summary: `{{ $labels.pod }}: ${daemon} is not synced (verification progress {{ $value }})`,
          description: `verificationprogress has been below ${UTXO_MIN_VERIFICATION_PROGRESS} for ${t.notSyncedFor}. Expected during the first sync (initial block download, days on mainnet); otherwise the node fell behind.`,
          runbook: `If the node is in its first sync, silence this alert until it is ready; otherwise kubectl -n ${ns} logs {{ $labels.pod }} -c ${daemon} for "UpdateTip" progress, and check disk latency and dbcache.`,
        },
      },
      {
        alert: 'ChainNodeHeadStalled',
        // `offset` only matches a series at least as old as the window: a restarted pod is not "stalled" yet.
        expr: `changes(${u.blocks}{${pods}}[${t.headStalledAfter}]) == 0 and ${u.blocks}{${pods}} offset ${t.headStalledAfter}`,
        for: '1m',
        labels: labels('critical'),
        annotations: {
          summary: `{{ $labels.pod }}: ${daemon}'s block height has not moved for ${t.headStalledAfter}`,
          description: `A block is due about every ${t.blockTime}; none arrived in ${t.headStalledAfter}, which a healthy network almost never does.`,
          runbook: `Compare the height with a block explorer; kubectl -n ${ns} logs {{ $labels.pod }} -c ${daemon} for errors or a stuck "UpdateTip"; check peers (ChainNodeNoPeers); if it is stuck, delete the pod to restart it.`,
        },
      },
      {
        alert: 'ChainNodeNoPeers',
        expr: `${u.peers}{${pods}} == 0`,
        for: t.noPeersFor,
        labels: labels('warning'),
        annotations: {
          summary: `{{ $labels.pod }}: ${daemon} has no peers`,
          description: `${daemon} has had no connection for ${t.noPeersFor}; without peers it cannot receive blocks.`,
          runbook: `Check that the cluster allows egress to the internet on the chain's P2P port (firewall, Cloud NAT) and the daemon's logs for connection errors; getpeerinfo via ${node.daemon?.cli ?? 'bitcoin-cli'} in the pod lists peers.`,
        },
      },
    );
  }

  if (node.metrics !== 'none') {
    const primary = node.metrics === 'geth' ? GETH_METRICS.headBlock : UTXO_EXPORTER_METRICS.blocks;
    rules.push({
      alert: 'ChainNodeMetricsAbsent',
      expr: `absent(${primary}{${pods}})`,
      for: COMMON_THRESHOLDS.metricsAbsentFor,
      labels: labels('warning'),
      annotations: {
        summary: `${node.name}: no metrics from any pod for ${COMMON_THRESHOLDS.metricsAbsentFor}`,
        description: `Prometheus has no ${primary} series for ${node.name} in ${ns}: the pods are down, or scraping is broken (scrape object not selected by the Prometheus, NetworkPolicy, exporter down). Every other alert of this node is blind meanwhile.`,
        runbook: `kubectl -n ${ns} get pods -l app.kubernetes.io/instance=${node.name}; then the Prometheus targets page for the node's scrape object; then the NetworkPolicy's metrics rule (monitoring.namespaces).`,
      },
    });
  }

  if (node.volumes.length > 0) {
    const claims = `namespace="${ns}",persistentvolumeclaim=~"(${node.volumes.join('|')})-${node.name}-[0-9]+"`;
    const avail = `${KUBELET_VOLUME_METRICS.availableBytes}{${claims}}`;
    const cap = `${KUBELET_VOLUME_METRICS.capacityBytes}{${claims}}`;
    const c = COMMON_THRESHOLDS;
    const grow = `resize the claim (see "Growing disks": kubectl -n ${ns} patch pvc {{ $labels.persistentvolumeclaim }} ...), then raise storage.size in the environment file`;
    rules.push(
      {
        alert: 'ChainNodeVolumeAlmostFull',
        expr: `1 - ${avail} / ${cap} > ${c.volumeFullRatio}`,
        for: '15m',
        labels: labels('warning'),
        annotations: {
          summary: `{{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full`,
          description: `A full volume stops the node (the database cannot write). Chains only grow: this does not go away by itself.`,
          runbook: `Grow it now: ${grow}; for bitcoind/monacoind, pruning (prune) is the alternative.`,
        },
      },
      {
        alert: 'ChainNodeVolumeFillingUp',
        expr: `${avail} / ${cap} < ${c.volumeTrendBelowFreeRatio} and predict_linear(${avail}[${c.volumeTrendWindow}], ${c.volumeFillDays} * 24 * 3600) < 0`,
        for: '1h',
        labels: labels('warning'),
        annotations: {
          summary: `{{ $labels.persistentvolumeclaim }} will be full within ${c.volumeFillDays} days at its current rate`,
          description: `Less than ${c.volumeTrendBelowFreeRatio * 100}% is free and the last ${c.volumeTrendWindow} of growth, continued, fills the volume within ${c.volumeFillDays} days.`,
          runbook: `Plan the resize this week: ${grow}.`,
        },
      },
    );
  }

  rules.push({
    alert: 'ChainNodeRestarting',
    // changes() counts each restart once; increase() would extrapolate to fractions.
    expr: `changes(${KUBE_STATE_METRICS.containerRestarts}{${pods}}[1h]) >= ${COMMON_THRESHOLDS.restartsPerHour}`,
    for: '0m',
    labels: labels('warning'),
    annotations: {
      summary: `{{ $labels.pod }}: container {{ $labels.container }} restarted {{ $value }} times in the last hour`,
      description: 'A restarting client redoes its startup (database checks, warm-up) each time and falls behind; repeated restarts are a crash loop, an OOM kill or a failing liveness probe.',
      runbook: `kubectl -n ${ns} describe pod {{ $labels.pod }} (Last State: OOMKilled? liveness probe failed?) and kubectl -n ${ns} logs {{ $labels.pod }} -c {{ $labels.container }} --previous; raise the memory limit for OOM kills.`,
    },
  });

  if (node.snapshotCronJob) {
    const job = `namespace="${ns}",cronjob="${node.snapshotCronJob}"`;
    const maxAge = COMMON_THRESHOLDS.snapshotMaxAgeHours * 3600;
    const last = `${KUBE_STATE_METRICS.cronJobLastSuccess}{${job}}`;
    rules.push({
      alert: 'ChainNodeSnapshotOverdue',
      expr: `(time() - ${last}) > ${maxAge} or (time() - ${KUBE_STATE_METRICS.cronJobCreated}{${job}} > ${maxAge} unless ${last})`,
      for: '10m',
      labels: labels('warning'),
      annotations: {
        summary: `${node.name}: no successful scheduled snapshot for ${COMMON_THRESHOLDS.snapshotMaxAgeHours} hours`,
        description: `The CronJob ${node.snapshotCronJob} has not completed successfully for ${COMMON_THRESHOLDS.snapshotMaxAgeHours} hours: new replicas would start from an old snapshot, or none.`,
        runbook: `kubectl -n ${ns} get jobs -l app.kubernetes.io/instance=${node.snapshotCronJob}; kubectl -n ${ns} logs job/<latest>; kubectl -n ${ns} describe volumesnapshot <newest> (quota, VolumeSnapshotClass, CSI driver errors).`,
      },
    });
  }
  if (node.forkCheckCronJob) {
    const job = `namespace="${ns}",cronjob="${node.forkCheckCronJob}"`;
    rules.push({
      alert: 'ChainNodeForkUnknown',
      // A run started after the last successful one and did not succeed (a run takes seconds; `for` covers it).
      expr: `${KUBE_STATE_METRICS.cronJobLastSchedule}{${job}} > ${KUBE_STATE_METRICS.cronJobLastSuccess}{${job}} or (${KUBE_STATE_METRICS.cronJobLastSchedule}{${job}} unless ${KUBE_STATE_METRICS.cronJobLastSuccess}{${job}})`,
      for: '30m',
      labels: labels('critical'),
      annotations: {
        summary: `${node.name}: a replica does not know a fork of its network`,
        description: `The CronJob ${node.forkCheckCronJob} found a replica whose geth (eth_config) or beacon node (fork_schedule) lacks a fork that nodegen's fork table lists. At that fork the replica stops following the chain.`,
        runbook: `kubectl -n ${ns} logs job/$(kubectl -n ${ns} get jobs -l app.kubernetes.io/instance=${node.name},app.kubernetes.io/component=fork-check -o name | tail -1 | cut -d/ -f2); then npx nodegen outdated and pin the release the table names (README "Fork readiness").`,
      },
    });
  }
  return rules;
}

/**
 * Emits one object named `blockchain-nodes` in the namespace: `PrometheusRule`
 * (monitoring.coreos.com/v1) or, on `gke-managed`, `Rules` (monitoring.googleapis.com/v1), with
 * one group per node, named after the node.
 */
export class SyncAlerts extends Construct {
  readonly groups: ReadonlyArray<{ readonly name: string; readonly interval: string; readonly rules: readonly AlertRule[] }>;

  constructor(scope: Construct, id: string, props: SyncAlertsProps) {
    super(scope, id);
    if (props.nodes.length === 0) throw new ConstructError('alert rules need at least one node');
    const interval = props.interval ?? '1m';
    const extra: Record<string, string> = props.environment ? { environment: props.environment } : {};
    this.groups = props.nodes.map((n) => ({
      name: n.name,
      interval,
      rules: nodeAlertRules(props.namespace, n, extra).map((r) =>
        props.runbookUrl ? { ...r, annotations: { ...r.annotations, runbook_url: `${props.runbookUrl}#${r.alert.toLowerCase()}` } } : r,
      ),
    }));
    const name = 'blockchain-nodes';
    customResource(this, 'rules', {
      kind: props.engine === 'gke-managed' ? 'Rules' : 'PrometheusRule',
      metadata: {
        name,
        namespace: props.namespace,
        labels: { ...standardLabels({ name: 'sync-alerts', instance: name, component: 'alerts', environment: props.environment }), ...(props.labels ?? {}) },
      },
      spec: { groups: this.groups.map((g) => ({ name: g.name, interval: g.interval, rules: g.rules.map((r) => ({ ...r })) })) },
    });
  }
}
