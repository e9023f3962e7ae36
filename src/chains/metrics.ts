/**
 * The Prometheus metrics nodegen's alerts read, each with the source that defines it. Only names
 * listed here may appear in an alert expression (tests parse every expression and check), so a
 * client upgrade that renames a metric is caught by re-checking this one file.
 *
 * Pinned versions: geth v1.17.10 (these names re-checked there), Lighthouse v8.2.2, Prysm v7.1.8, bitcoin-prometheus-exporter
 * v0.7.0, kubelet and kube-state-metrics of Kubernetes 1.3x.
 */

/**
 * geth, served at `/debug/metrics/prometheus` on `--metrics.port` (6060). geth registers metrics
 * with slash-separated names; its Prometheus handler writes them with `/` replaced by `_`
 * (`mutateKey` in metrics/prometheus/collector.go).
 */
export const GETH_METRICS = {
  /**
   * Number of the head block. Stays at 0 (genesis) during the first snap sync: the head moves to
   * the pivot only when its state is complete.
   * @see https://github.com/ethereum/go-ethereum/blob/master/core/blockchain.go (`chain/head/block`)
   */
  headBlock: 'chain_head_block',
  /**
   * Number of the head header. Runs ahead of the head block while geth is behind.
   * @see https://github.com/ethereum/go-ethereum/blob/master/core/blockchain.go (`chain/head/header`)
   */
  headHeader: 'chain_head_header',
  /**
   * Connected peers (registered only with `--metrics`, which nodegen always sets).
   * @see https://github.com/ethereum/go-ethereum/blob/master/p2p/metrics.go (`p2p/peers`)
   */
  peers: 'p2p_peers',
} as const;

/** Lighthouse beacon node, served at `/metrics` on `--metrics-port` (5054). */
export const LIGHTHOUSE_METRICS = {
  /**
   * Slot of the head block.
   * @see https://github.com/sigp/lighthouse/blob/stable/beacon_node/beacon_chain/src/metrics.rs (`HEAD_STATE_SLOT`)
   */
  headSlot: 'beacon_head_state_slot',
  /**
   * The wall-clock slot: what the head slot should be.
   * @see https://github.com/sigp/lighthouse/blob/stable/common/slot_clock/src/metrics.rs (`PRESENT_SLOT`)
   */
  clockSlot: 'slotclock_present_slot',
  /**
   * Connected libp2p peers.
   * @see https://github.com/sigp/lighthouse/blob/stable/beacon_node/lighthouse_network/src/metrics.rs (`PEERS_CONNECTED`)
   */
  peers: 'libp2p_peers',
} as const;

/** Prysm beacon node, served at `/metrics` on `--monitoring-port` (8080). */
export const PRYSM_METRICS = {
  /**
   * Slot of the head block.
   * @see https://github.com/prysmaticlabs/prysm/blob/develop/beacon-chain/blockchain/metrics.go (`beaconHeadSlot`)
   */
  headSlot: 'beacon_head_slot',
  /**
   * The slot the clock says it is.
   * @see https://github.com/prysmaticlabs/prysm/blob/develop/beacon-chain/blockchain/metrics.go (`clockTimeSlot`)
   */
  clockSlot: 'beacon_clock_time_slot',
  /**
   * Peers by state; nodegen reads `state="Connected"`.
   * @see https://github.com/prysmaticlabs/prysm/blob/develop/beacon-chain/p2p/monitoring.go (`p2pPeerCount`)
   */
  peers: 'p2p_peer_count',
} as const;

/**
 * bitcoind and monacoind have no metrics endpoint; the exporter sidecar (utxo-exporter.ts) reads
 * RPC and serves these at `/metrics` on 9332, with the `bitcoin_` prefix for both daemons.
 * @see https://github.com/jvstein/bitcoin-prometheus-exporter/blob/master/bitcoind-monitor.py
 */
export const UTXO_EXPORTER_METRICS = {
  /** `getblockchaininfo.blocks`: height of the best validated block. */
  blocks: 'bitcoin_blocks',
  /** `getnetworkinfo.connections`: connected peers. */
  peers: 'bitcoin_peers',
  /** `getblockchaininfo.verificationprogress`: 0..1 estimate, about 1 when synced. */
  verificationProgress: 'bitcoin_verification_progress',
} as const;

/**
 * Volume usage, served by each kubelet (`/metrics`), labelled `namespace` and `persistentvolumeclaim`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/metrics/collectors/volume_stats.go
 */
export const KUBELET_VOLUME_METRICS = {
  availableBytes: 'kubelet_volume_stats_available_bytes',
  capacityBytes: 'kubelet_volume_stats_capacity_bytes',
} as const;

/**
 * Object state, served by kube-state-metrics.
 * @see https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/pod-metrics.md
 * @see https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/cronjob-metrics.md
 */
export const KUBE_STATE_METRICS = {
  /** Counter per container, labelled `namespace`, `pod`, `container`. */
  containerRestarts: 'kube_pod_container_status_restarts_total',
  /** Unix time of the CronJob's last successful Job (experimental in kube-state-metrics). */
  cronJobLastSuccess: 'kube_cronjob_status_last_successful_time',
  /** Unix time the CronJob was created. */
  cronJobCreated: 'kube_cronjob_created',
  /** Unix time the CronJob last started a Job. */
  cronJobLastSchedule: 'kube_cronjob_status_last_schedule_time',
} as const;

/** Prometheus's own per-target series: 1 when the last scrape succeeded. */
export const PROMETHEUS_UP = 'up';

/** Every metric name an alert may use. */
export const KNOWN_METRICS: ReadonlySet<string> = new Set<string>([
  ...Object.values(GETH_METRICS),
  ...Object.values(LIGHTHOUSE_METRICS),
  ...Object.values(PRYSM_METRICS),
  ...Object.values(UTXO_EXPORTER_METRICS),
  ...Object.values(KUBELET_VOLUME_METRICS),
  ...Object.values(KUBE_STATE_METRICS),
  PROMETHEUS_UP,
]);
