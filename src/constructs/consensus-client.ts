/**
 * The beacon node that drives geth over the Engine API. It runs in geth's pod, talks to geth on
 * localhost:8551 and reads the JWT secret the pod generates at start (never written to dist/).
 */
import { Construct } from 'constructs';
import type * as k8s from './k8s.js';
import {
  CHECKPOINT_SYNC_URLS,
  CONSENSUS_DEFAULT_STORAGE,
  CONSENSUS_IMAGES,
  CONSENSUS_PORTS,
  type ConsensusClientKind,
} from '../chains/consensus.js';
import type { GethNetwork } from '../chains/geth.js';
import { BEACON_READY_SH } from '../chains/probes.js';
import { BLOB_SERVING_FLAGS, consensusDefaultStorage, consensusResources, type BlobServing } from '../chains/blobs.js';
import { CONFIG_DIR, containerSecurity, toK8sResources, type NodePort, type NodeResources, type NodeStorage } from './blockchain-node.js';

export interface ConsensusClientProps {
  /** The Ethereum network; must match geth's. */
  readonly network: GethNetwork;
  /** Which client. @default 'lighthouse' */
  readonly client?: ConsensusClientKind;
  /** @default - the client's pinned release (see CONSENSUS_IMAGES) */
  readonly image?: string;
  /**
   * Where to fetch a recent finalized state, so the node syncs in minutes instead of from genesis.
   * @default - the public endpoint for the network (CHECKPOINT_SYNC_URLS)
   */
  readonly checkpointSyncUrl?: string;
  /**
   * Serve the blob APIs: `supernode` custodies all 128 data columns, `semi-supernode` half of
   * them (enough to rebuild every blob), `none` the client's default custody (src/chains/blobs.ts).
   * @default 'none'
   */
  readonly blobs?: BlobServing;
  /**
   * @default - requests 1 CPU / 4Gi, limits 2 CPU / 6Gi (mainnet: 2 / 8Gi, 4 / 12Gi); more for
   * blob serving (consensusResources)
   */
  readonly resources?: NodeResources;
  /**
   * Beacon data volume. @default - the realistic size for the network (CONSENSUS_DEFAULT_STORAGE),
   * plus the blob columns the `blobs` mode keeps (consensusDefaultStorage)
   */
  readonly storage?: NodeStorage;
  /** File holding the shared JWT secret. */
  readonly jwtPath: string;
  /** Engine API of the execution client. @default 'http://127.0.0.1:8551' */
  readonly executionEndpoint?: string;
  /** Advertised external address (ENR / host IP). @default - none */
  readonly p2pAddress?: string;
  /** Startup probe budget in minutes. */
  readonly startupBudgetMinutes: number;
  /** Arguments appended after nodegen's own. @default [] */
  readonly extraArgs?: readonly string[];
}

/** Name of the beacon data volume (and its claim template). */
export const BEACON_VOLUME = 'beacon-data';
/** Where the beacon volume is mounted: the client's `--datadir`. */
export const BEACON_DATA = '/beacon';

/** Builds the consensus client's container; {@link GethNode} adds it to its pod. */
export class ConsensusClient extends Construct {
  readonly client: ConsensusClientKind;
  readonly image: string;
  readonly checkpointSyncUrl: string;
  readonly blobs: BlobServing;
  readonly storageSize: string;
  readonly storageClass?: string;
  /** VolumeSnapshot the beacon volume of new replicas is restored from. */
  readonly restoreFrom?: string;
  readonly ports: readonly NodePort[];
  readonly container: k8s.Container;
  /** Files for the node's ConfigMap. */
  readonly files: Record<string, string>;

  constructor(scope: Construct, id: string, props: ConsensusClientProps) {
    super(scope, id);
    this.client = props.client ?? 'lighthouse';
    this.image = props.image ?? CONSENSUS_IMAGES[this.client];
    this.checkpointSyncUrl = props.checkpointSyncUrl ?? CHECKPOINT_SYNC_URLS[props.network];
    this.blobs = props.blobs ?? 'none';
    this.storageSize = props.storage?.size ?? consensusDefaultStorage(CONSENSUS_DEFAULT_STORAGE, props.network, this.blobs);
    this.storageClass = props.storage?.storageClass;
    this.restoreFrom = props.storage?.restoreFrom;
    const p = CONSENSUS_PORTS[this.client];
    this.ports = [
      // The beacon API is the pod's own (readiness, geth's probe): never on the app-facing Service.
      { name: 'beacon-http', port: p.http, role: 'pod' },
      { name: 'beacon-p2p', port: p.p2pTcp, role: 'p2p' },
      { name: 'beacon-disc', port: p.p2pUdp, protocol: 'UDP', role: 'p2p' },
      ...(p.quic ? [{ name: 'beacon-quic', port: p.quic, protocol: 'UDP' as const, role: 'p2p' as const }] : []),
      { name: 'beacon-metrics', port: p.metrics, role: 'metrics' },
    ];
    const resources = props.resources ?? consensusResources(props.network, this.blobs);
    const engine = props.executionEndpoint ?? 'http://127.0.0.1:8551';
    // The blob-serving flag goes first among the appended ones, so it reads as nodegen's own.
    const extra = [...(this.blobs === 'none' ? [] : [BLOB_SERVING_FLAGS[this.client][this.blobs]]), ...(props.extraArgs ?? [])];

    let command: string[] | undefined;
    let args: string[];
    let readiness: k8s.Probe;
    this.files = {};
    if (this.client === 'lighthouse') {
      command = ['lighthouse', 'beacon_node'];
      args = [
        `--network=${props.network}`,
        `--datadir=${BEACON_DATA}`,
        `--execution-endpoint=${engine}`,
        `--execution-jwt=${props.jwtPath}`,
        `--checkpoint-sync-url=${this.checkpointSyncUrl}`,
        '--http',
        '--http-address=0.0.0.0',
        `--http-port=${p.http}`,
        `--port=${p.p2pTcp}`,
        `--quic-port=${p.quic}`,
        '--metrics',
        '--metrics-address=0.0.0.0',
        `--metrics-port=${p.metrics}`,
        '--disable-upnp',
        ...(props.p2pAddress ? [`--enr-address=${props.p2pAddress}`] : []),
        ...extra,
      ];
      this.files['beacon-ready.sh'] = BEACON_READY_SH;
      readiness = { exec: { command: [`${CONFIG_DIR}/beacon-ready.sh`] } };
    } else {
      // The Prysm image's entrypoint is the beacon-chain binary; only arguments are given.
      args = [
        '--accept-terms-of-use',
        `--${props.network}`,
        `--datadir=${BEACON_DATA}`,
        `--execution-endpoint=${engine}`,
        `--jwt-secret=${props.jwtPath}`,
        `--checkpoint-sync-url=${this.checkpointSyncUrl}`,
        `--genesis-beacon-api-url=${this.checkpointSyncUrl}`,
        '--http-host=0.0.0.0',
        `--http-port=${p.http}`,
        '--monitoring-host=0.0.0.0',
        `--monitoring-port=${p.metrics}`,
        `--p2p-tcp-port=${p.p2pTcp}`,
        `--p2p-udp-port=${p.p2pUdp}`,
        `--p2p-quic-port=${p.quic}`,
        ...(props.p2pAddress ? [`--p2p-host-ip=${props.p2pAddress}`] : []),
        ...extra,
      ];
      // Prysm honours the Beacon API's syncing_status: 503 while syncing, so httpGet means "synced".
      readiness = { httpGet: { path: '/eth/v1/node/health?syncing_status=503', port: 'beacon-http' } };
    }

    this.container = {
      name: this.client,
      image: this.image,
      imagePullPolicy: 'IfNotPresent',
      ...(command ? { command } : {}),
      args,
      env: [{ name: 'HOME', value: '/tmp' }],
      ports: this.ports.map((port) => ({ name: port.name, containerPort: port.port, protocol: port.protocol ?? 'TCP' })),
      resources: toK8sResources(`${(scope as { name?: string }).name ?? scope.node.id} consensus`, resources),
      securityContext: containerSecurity(),
      volumeMounts: [
        { name: BEACON_VOLUME, mountPath: BEACON_DATA },
        { name: 'jwt', mountPath: '/jwt', readOnly: true },
        { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        { name: 'tmp', mountPath: '/tmp' },
      ],
      startupProbe: { ...readiness, periodSeconds: 60, timeoutSeconds: 10, failureThreshold: props.startupBudgetMinutes },
      readinessProbe: { ...readiness, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 3 },
      // Alive while the API answers at all, synced or not.
      livenessProbe: {
        httpGet: { path: '/eth/v1/node/version', port: 'beacon-http' },
        periodSeconds: 60,
        timeoutSeconds: 10,
        failureThreshold: 5,
      },
    };
  }
}
