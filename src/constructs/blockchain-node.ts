/**
 * The shared base of every node construct: the StatefulSet, its Services, the ConfigMap, the
 * NetworkPolicy, labels, security context and placement. Subclasses describe only what is
 * chain-specific (containers, ports, config files) as a {@link NodeWorkload}.
 */
import { ConstructError } from '../errors.js';
import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import type { ApiObject } from 'cdk8s';
import * as k8s from './k8s.js';
import type { SyncThresholds } from '../chains/alert-thresholds.js';
import { requireQuantity, type NodeResources } from './containers.js';
import { standardLabels } from './labels.js';
import { NodeMonitoring, type MetricsEndpoint, type NodeMonitoringOptions } from './node-monitoring.js';
import { SnapshotSchedule } from './snapshot-schedule.js';
import type { AlertedNode } from './sync-alerts.js';

// Moved to their own files; re-exported so existing imports keep working.
export { containerSecurity, toK8sResources, type NodeResources } from './containers.js';
export { ENVIRONMENT_LABEL, MANAGED_BY, PART_OF, standardLabels } from './labels.js';

/** The node's data volume. */
export interface NodeStorage {
  /**
   * Size of each replica's volume. Volume claim templates are immutable after creation: to grow a
   * volume, resize each PVC (`kubectl patch pvc`), which needs a storage class allowing expansion.
   * @default - the chain's realistic size for the network
   */
  readonly size?: string;
  /** @default - the cluster's default storage class */
  readonly storageClass?: string;
  /**
   * Throwaway mode: an emptyDir instead of a persistent volume; the chain resyncs on every restart.
   * @default false
   */
  readonly ephemeral?: boolean;
  /**
   * A VolumeSnapshot in the node's namespace that every new replica's volume is restored from
   * (the claim template's `dataSource`), instead of starting empty and syncing from genesis.
   * Claim templates are immutable: set this before the StatefulSet exists, or recreate the
   * StatefulSet with `--cascade=orphan`; existing volumes are never touched.
   * @default - none (an empty volume)
   */
  readonly restoreFrom?: string;
}

/** Scheduling onto a node pool. */
export interface NodePlacement {
  /** @default {} */
  readonly nodeSelector?: Record<string, string>;
  /** @default [] */
  readonly tolerations?: ReadonlyArray<{
    readonly key?: string;
    readonly operator?: string;
    readonly value?: string;
    readonly effect?: string;
    readonly tolerationSeconds?: number;
  }>;
}

/** Who may reach the node, and how. */
export interface NodeExposure {
  /**
   * `private`: RPC on a ClusterIP Service. `public`: a LoadBalancer limited to `publicSourceRanges`.
   * @default 'private'
   */
  readonly rpc?: 'private' | 'public';
  /** Expose the P2P ports on their own Service. @default 'none' */
  readonly p2p?: 'none' | 'loadBalancer' | 'nodePort';
  /** External IPv4 address peers should dial; wired to the client's advertise flag. @default - none */
  readonly p2pAddress?: string;
  /**
   * `ClientIP`: the RPC Service sends each client pod to the same replica (kube-proxy session
   * affinity, 3 hours), for state kept per replica such as geth's `eth_newFilter` filters. A client
   * can also pin one replica itself through the headless Service (`<name>-0.<name>-headless`).
   * @default 'None'
   */
  readonly rpcAffinity?: 'None' | 'ClientIP';
}

/** Props shared by every node construct. */
export interface BlockchainNodeProps {
  /** Namespace of every object. @default - none (the kubectl context's namespace) */
  readonly namespace?: string;
  /** Environment name, written as the `nodegen.dev/environment` label. @default - no label */
  readonly environment?: string;
  /** Replicas, each with its own volume and its own sync. @default 1 */
  readonly replicas?: number;
  /** Container image. @default - the client's pinned release */
  readonly image?: string;
  /** @default - sized for the chain and network */
  readonly resources?: NodeResources;
  /** @default - persistent, sized for the chain and network */
  readonly storage?: NodeStorage;
  /** @default - no node selector, no tolerations */
  readonly placement?: NodePlacement;
  /** @default - private RPC, no P2P Service */
  readonly expose?: NodeExposure;
  /** Source ranges a public LoadBalancer admits. Required when anything is public. @default [] */
  readonly publicSourceRanges?: readonly string[];
  /** Namespaces whose pods may call RPC (NetworkPolicy). @default [] */
  readonly rpcClientNamespaces?: readonly string[];
  /**
   * The cluster's own ranges, closed to the node's egress besides the private ranges
   * (EGRESS_CLOSED_RANGES), which are always closed. @default []
   */
  readonly clusterCidrs?: readonly string[];
  /** Pod labels whose pods (any admitted namespace or this one) may call RPC. @default - none */
  readonly rpcClientPodLabels?: Record<string, string>;
  /** Arguments appended after nodegen's own. @default [] */
  readonly extraArgs?: readonly string[];
  /**
   * How replicas are spread (with more than one replica): `host` prefers different machines,
   * `zone` prefers different zones, then machines. Preferred, not required: a full zone delays
   * nothing. With more than one replica a PodDisruptionBudget (maxUnavailable 1) is written too.
   * @default - 'host' with more than one replica, else 'none'
   */
  readonly spread?: 'none' | 'host' | 'zone';
  /** Namespaces whose pods may scrape the metrics ports (NetworkPolicy). @default [] (none) */
  readonly metricsScraperNamespaces?: readonly string[];
  /** Write a scrape object (ServiceMonitor, PodMonitor or PodMonitoring) for the node. @default - none */
  readonly monitoring?: NodeMonitoringOptions;
  /**
   * Snapshot the node's volumes on a schedule (replica 0's claims; for geth the execution volume
   * only, see {@link GethNode}). Ignored for ephemeral storage. @default - none
   */
  readonly snapshotSchedule?: NodeSnapshotSchedule;
}

/** Scheduled snapshots of a node's volumes (see {@link SnapshotSchedule}). */
export interface NodeSnapshotSchedule {
  /** Cron schedule. @default '17 3 * * *' */
  readonly schedule?: string;
  /** @default 'Etc/UTC' */
  readonly timeZone?: string;
  /** Snapshots kept per volume. @default 3 */
  readonly keep?: number;
  /** @default - the CSI driver's default VolumeSnapshotClass */
  readonly volumeSnapshotClass?: string;
}

/** A port of the node, and who may reach it. */
export interface NodePort {
  /** IANA-style name, at most 15 characters. */
  readonly name: string;
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
  /**
   * `rpc`: cluster clients; `p2p`: anyone; `metrics`: Prometheus; `pod`: an API for the pod itself
   * (its probes and sidecars), listed on the headless Service only and admitted by no NetworkPolicy
   * rule; `internal`: never on a Service; `zmq`: an unauthenticated notification feed, on its own
   * ClusterIP Service (`<name>-zmq`) and the headless one, admitted from the workload's `zmqClients`
   * only, never public.
   */
  readonly role: 'rpc' | 'p2p' | 'metrics' | 'pod' | 'internal' | 'zmq';
  /** Where a `metrics` port serves Prometheus text. @default '/metrics' */
  readonly metricsPath?: string;
}

/** What a subclass contributes: everything chain-specific about the pod. */
export interface NodeWorkload {
  readonly containers: k8s.Container[];
  readonly initContainers?: k8s.Container[];
  /** Extra pod volumes (the data, config, scripts and tmp volumes are added by the base). */
  readonly volumes?: k8s.Volume[];
  /** Persistent volumes: one claim template each (or an emptyDir in throwaway mode). */
  readonly dataVolumes: ReadonlyArray<{
    readonly name: string;
    readonly size: string;
    readonly storageClass?: string;
    /** VolumeSnapshot the claim is restored from. */
    readonly restoreFrom?: string;
    /** Whether the snapshot schedule copies this volume. @default true */
    readonly snapshot?: boolean;
  }>;
  /** Files of the node's ConfigMap (config files and probe scripts). */
  readonly files: Record<string, string>;
  readonly ports: readonly NodePort[];
  /** UID/GID the client runs as; fsGroup makes the volumes writable for it. */
  readonly runAsUser: number;
  /** Time for the client to flush its database on SIGTERM. */
  readonly terminationGracePeriodSeconds: number;
  /** Who may connect to the `zmq` ports (never an address range: the feed has no authentication). @default - nobody */
  readonly zmqClients?: { readonly namespaces: readonly string[]; readonly podLabels?: Record<string, string> };
  /**
   * The node's own in-cluster checks (./fork-check.ts): pods with these labels, in the node's
   * namespace, are admitted to the named ports. @default - none
   */
  readonly checks?: { readonly podLabels: Record<string, string>; readonly ports: readonly string[] };
}

export const CHECKSUM_ANNOTATION = 'nodegen.dev/config-checksum';

/** The mount path of the node's ConfigMap. */
export const CONFIG_DIR = '/nodegen/config';

/**
 * Ranges a node never sends to (egress), besides the environment's `clusterCidrs`: RFC 1918, shared
 * address space (RFC 6598), link-local (the cloud metadata server), IPv6 unique local and link-local.
 */
export const EGRESS_CLOSED_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', 'fc00::/7', 'fe80::/10'];

/**
 * The construct id for a node name. constructs keeps a scope's children in a plain object and
 * looks a new id up with `children[id]`, so it refuses an id named like a member of
 * Object.prototype ("There is already a Construct with name 'constructor'"), and `constructor`
 * is a valid node name. Such a name gets an id no node name can take (`.` is not allowed in one);
 * the objects keep the name.
 */
export function constructIdOf(name: string): string {
  return name in Object.prototype ? `${name}.node` : name;
}

/**
 * Base of {@link GethNode}, {@link BitcoindNode} and {@link MonaNode}.
 *
 * Emits, all named after the construct id (no hash suffixes):
 * - `ConfigMap <name>-config`: config files and probe scripts (none without files); its checksum rolls the pods;
 * - `Service <name>-headless`: the StatefulSet's governing Service (stable pod DNS);
 * - `Service <name>`: RPC, ClusterIP (or a source-ranged LoadBalancer when public);
 * - `Service <name>-p2p`: only when P2P is exposed;
 * - `StatefulSet <name>`;
 * - `NetworkPolicy <name>`: RPC from the named clients, P2P from anywhere, metrics from the
 *   scraper namespaces, nothing else in; out, DNS and addresses outside EGRESS_CLOSED_RANGES;
 * - `PodDisruptionBudget <name>`: only with more than one replica (maxUnavailable 1);
 * - a `ServiceMonitor`, `PodMonitor` or `PodMonitoring <name>` when `monitoring` is given;
 * - `<name>-snapshots` (CronJob, ServiceAccount, Role, RoleBinding) when `snapshotSchedule` is given.
 */
export abstract class BlockchainNode extends Construct {
  /** Object name stem (the construct id). */
  readonly name: string;
  readonly namespace?: string;
  readonly replicas: number;
  readonly image: string;
  readonly expose: Required<Pick<NodeExposure, 'rpc' | 'p2p'>> & Pick<NodeExposure, 'p2pAddress'>;
  readonly publicSourceRanges: readonly string[];
  readonly extraArgs: readonly string[];
  /** Labels that select this node's pods (immutable once a StatefulSet exists). */
  readonly selectorLabels: Record<string, string>;
  /** Labels on every object of this node. */
  readonly labels: Record<string, string>;
  /** The client: `geth`, `bitcoind`, `monacoind`. */
  abstract readonly client: string;
  /** How replicas are spread (resolved default). */
  readonly spread: 'none' | 'host' | 'zone';

  protected readonly props: BlockchainNodeProps;
  statefulSet?: ApiObject;
  /** Claim template names (`data`, `beacon-data`); empty in throwaway mode. */
  volumeClaimNames: readonly string[] = [];
  /** Set when the node has more than one replica. */
  podDisruptionBudget?: ApiObject;
  /** Set when `monitoring` is given. */
  monitoring?: NodeMonitoring;
  /** Set when `snapshotSchedule` is given and the storage is persistent. */
  snapshotSchedule?: SnapshotSchedule;

  constructor(scope: Construct, id: string, props: BlockchainNodeProps, client: string, defaultImage: string) {
    super(scope, constructIdOf(id));
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(id) || id.length > 40) {
      throw new ConstructError(`node name "${id}" must be a DNS-1123 label of at most 40 characters (it prefixes object names)`);
    }
    this.props = props;
    this.name = id;
    this.namespace = props.namespace;
    this.replicas = props.replicas ?? 1;
    this.image = props.image ?? defaultImage;
    this.expose = { rpc: props.expose?.rpc ?? 'private', p2p: props.expose?.p2p ?? 'none', p2pAddress: props.expose?.p2pAddress };
    this.publicSourceRanges = props.publicSourceRanges ?? [];
    this.extraArgs = props.extraArgs ?? [];
    this.selectorLabels = { 'app.kubernetes.io/name': client, 'app.kubernetes.io/instance': id };
    this.labels = standardLabels({ name: client, instance: id, component: 'full-node', environment: props.environment });
    this.spread = props.spread ?? (this.replicas > 1 ? 'host' : 'none');
    if (this.expose.rpc === 'public' && this.publicSourceRanges.length === 0) {
      throw new ConstructError(
        `${id}: public RPC needs source ranges; set publicEndpoints.sourceRanges in the environment (a LoadBalancer open to 0.0.0.0/0 is never written)`,
        { node: id, key: 'expose.rpc' },
      );
    }
    if (this.expose.p2p !== 'none' && this.replicas > 1 && this.expose.p2pAddress) {
      throw new ConstructError(`${id}: one P2P address cannot be advertised by ${this.replicas} replicas; use replicas: 1 or drop expose.p2pAddress`, { node: id, key: 'expose.p2pAddress' });
    }
  }

  private metadata(name: string, extra: Partial<k8s.ObjectMeta> = {}): k8s.ObjectMeta {
    return { name, ...(this.namespace ? { namespace: this.namespace } : {}), labels: this.labels, ...extra };
  }

  /** Builds every object from the subclass's workload. Call once, at the end of the constructor. */
  protected buildWorkload(w: NodeWorkload): void {
    const name = this.name;
    const ephemeral = this.props.storage?.ephemeral ?? false;
    const configName = `${name}-config`;
    // A node without files (a custom node) gets no ConfigMap: the API server stores an empty
    // `data` as none, so an empty one would never read back as written.
    const hasFiles = Object.keys(w.files).length > 0;
    const checksum = createHash('sha256').update(JSON.stringify(Object.entries(w.files).sort())).digest('hex');

    if (hasFiles) k8s.kubeObject(this, 'config', 'ConfigMap', { metadata: this.metadata(configName), data: w.files });

    const servicePorts = (role: NodePort['role'] | 'all'): k8s.ServicePort[] =>
      w.ports
        .filter((p) => p.role !== 'internal' && (role === 'all' || p.role === role))
        .map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol ?? 'TCP' }));

    k8s.kubeObject(this, 'headless', 'Service', {
      metadata: this.metadata(`${name}-headless`),
      spec: {
        clusterIP: 'None',
        // Pod DNS exists while a replica is still syncing (not ready), for debugging and peering.
        publishNotReadyAddresses: true,
        selector: this.selectorLabels,
        ports: servicePorts('all'),
      },
    });

    const rpcPublic = this.expose.rpc === 'public';
    // The stickiness window is written out, not left to the API server's default (3 hours).
    const affinity: Pick<k8s.ServiceSpec, 'sessionAffinity' | 'sessionAffinityConfig'> =
      this.props.expose?.rpcAffinity === 'ClientIP' ? { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } } : {};
    k8s.kubeObject(this, 'rpc', 'Service', {
      metadata: this.metadata(name),
      spec: rpcPublic
        ? {
            type: 'LoadBalancer',
            loadBalancerSourceRanges: [...this.publicSourceRanges],
            // Keeps client addresses, so the NetworkPolicy's ipBlocks see the real source.
            externalTrafficPolicy: 'Local',
            selector: this.selectorLabels,
            ports: servicePorts('rpc'),
            ...affinity,
          }
        : { type: 'ClusterIP', selector: this.selectorLabels, ports: servicePorts('rpc'), ...affinity },
    });

    this.buildZmqService(servicePorts('zmq'));

    if (this.expose.p2p !== 'none') {
      const p2p = w.ports.filter((p) => p.role === 'p2p');
      const nodePort = this.expose.p2p === 'nodePort';
      if (nodePort) {
        const outside = p2p.filter((p) => p.port < 30000 || p.port > 32767);
        if (outside.length > 0) {
          throw new ConstructError(
            `${name}: P2P port(s) ${outside.map((p) => p.port).join(', ')} are outside the NodePort range 30000-32767, ` +
              'so peers could not reach the advertised port; use expose.p2p: loadBalancer',
            { node: name, key: 'expose.p2p' },
          );
        }
      }
      k8s.kubeObject(this, 'p2p', 'Service', {
        metadata: this.metadata(`${name}-p2p`),
        spec: {
          type: nodePort ? 'NodePort' : 'LoadBalancer',
          externalTrafficPolicy: 'Local',
          ...(this.expose.p2pAddress && !nodePort ? { loadBalancerIP: this.expose.p2pAddress } : {}),
          selector: this.selectorLabels,
          ports: p2p.map((p) => ({
            name: p.name,
            port: p.port,
            targetPort: p.name,
            protocol: p.protocol ?? 'TCP',
            ...(nodePort ? { nodePort: p.port } : {}),
          })),
        },
      });
    }

    const claims: k8s.PersistentVolumeClaim[] = ephemeral
      ? []
      : w.dataVolumes.map((v) => ({
          metadata: { name: v.name, labels: this.selectorLabels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(v.storageClass ? { storageClassName: v.storageClass } : {}),
            // Each new replica's volume starts as a copy of the snapshot instead of empty.
            ...(v.restoreFrom ? { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: v.restoreFrom } } : {}),
            resources: { requests: { storage: v.size } },
          },
        }));
    this.volumeClaimNames = ephemeral ? [] : w.dataVolumes.map((v) => v.name);
    const volumes: k8s.Volume[] = [
      ...(hasFiles ? [{ name: 'config', configMap: { name: configName, defaultMode: 0o555 } }] : []),
      { name: 'tmp', emptyDir: {} },
      ...(ephemeral ? w.dataVolumes.map((v) => ({ name: v.name, emptyDir: { sizeLimit: v.size } })) : []),
      ...(w.volumes ?? []),
    ];
    const placement = this.props.placement ?? {};

    this.statefulSet = k8s.kubeObject(this, 'statefulset', 'StatefulSet', {
      metadata: this.metadata(name),
      spec: {
        serviceName: `${name}-headless`,
        replicas: this.replicas,
        // Parallel: a new replica must not wait days for the previous one to finish syncing.
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        revisionHistoryLimit: 5,
        // Data outlives scale-downs and deletion of the StatefulSet.
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        selector: { matchLabels: this.selectorLabels },
        // The API server drops an empty list; writing none keeps dist/ equal to what it stores.
        ...(claims.length > 0 ? { volumeClaimTemplates: claims } : {}),
        template: {
          metadata: { labels: this.labels, ...(hasFiles ? { annotations: { [CHECKSUM_ANNOTATION]: checksum } } : {}) },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: w.terminationGracePeriodSeconds,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: w.runAsUser,
              runAsGroup: w.runAsUser,
              fsGroup: w.runAsUser,
              // Large chain volumes: chown only when the root's ownership is wrong, not on every start.
              fsGroupChangePolicy: 'OnRootMismatch',
              seccompProfile: { type: 'RuntimeDefault' },
            },
            ...(placement.nodeSelector && Object.keys(placement.nodeSelector).length > 0 ? { nodeSelector: placement.nodeSelector } : {}),
            ...(placement.tolerations && placement.tolerations.length > 0 ? { tolerations: placement.tolerations.map((t) => ({ ...t })) } : {}),
            ...this.affinity(),
            initContainers: w.initContainers,
            containers: w.containers,
            volumes,
          },
        },
      },
    });

    this.buildNetworkPolicy(w.ports, w.zmqClients, w.checks);

    if (this.replicas > 1) {
      this.podDisruptionBudget = k8s.kubeObject(this, 'pdb', 'PodDisruptionBudget', {
        metadata: this.metadata(name),
        spec: {
          // One replica at a time may be drained: the others keep serving.
          maxUnavailable: 1,
          selector: { matchLabels: this.selectorLabels },
          // A replica that is not ready (still syncing) serves nothing: a drain may always evict it.
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      });
    }

    if (this.props.monitoring) {
      const endpoints: MetricsEndpoint[] = w.ports.filter((p) => p.role === 'metrics').map((p) => ({ port: p.name, path: p.metricsPath ?? '/metrics' }));
      this.monitoring = new NodeMonitoring(this, 'monitoring', {
        ...this.props.monitoring,
        name,
        namespace: this.namespace,
        nodeLabels: this.labels,
        selector: this.selectorLabels,
        endpoints,
      });
    }

    const schedule = this.props.snapshotSchedule;
    if (schedule && !ephemeral && this.replicas > 0) {
      this.snapshotSchedule = new SnapshotSchedule(this, 'snapshots', {
        ...schedule,
        namespace: this.namespace,
        environment: this.props.environment,
        node: name,
        // Replica 0's claims: every replica holds the same chain. Volumes that rebuild faster than
        // they restore (a beacon node's) opt out.
        claims: w.dataVolumes.filter((v) => v.snapshot ?? true).map((v) => `${v.name}-${name}-0`),
      });
    }
  }

  /** Anti-affinity for the chosen spread; none with a single replica. */
  private affinity(): { affinity?: k8s.Affinity } {
    if (this.replicas < 2 || this.spread === 'none') return {};
    const term = (weight: number, topologyKey: string): k8s.WeightedPodAffinityTerm => ({
      weight,
      podAffinityTerm: { topologyKey, labelSelector: { matchLabels: this.selectorLabels } },
    });
    // Preferred, not required: a zone or host that is full must not leave a replica unscheduled.
    const terms =
      this.spread === 'zone'
        ? [term(100, 'topology.kubernetes.io/zone'), term(50, 'kubernetes.io/hostname')]
        : [term(100, 'kubernetes.io/hostname')];
    return { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms } } };
  }

  /** What the chain-specific alert rules need: its chain, metrics source and thresholds. */
  protected abstract alertFacts(): Pick<AlertedNode, 'chain' | 'metrics' | 'consensus' | 'daemon'> & { readonly thresholds: SyncThresholds | undefined };

  /** This node as the environment's alert rules see it (see {@link SyncAlerts}). */
  get alertedNode(): AlertedNode {
    const facts = this.alertFacts();
    return {
      name: this.name,
      ...facts,
      volumes: this.volumeClaimNames,
      ...(this.snapshotSchedule ? { snapshotCronJob: this.snapshotSchedule.name } : {}),
      ...this.extraAlertFacts(),
    };
  }

  /** What a subclass adds to its alerted node (geth: its fork check). @default {} */
  protected extraAlertFacts(): Partial<AlertedNode> {
    return {};
  }

  /**
   * The ZeroMQ feed's own Service: always ClusterIP, whatever `expose.rpc` says, so the feed keeps
   * its address when RPC goes public and is never on a LoadBalancer (ZeroMQ has no authentication).
   */
  private buildZmqService(ports: k8s.ServicePort[]): void {
    if (ports.length === 0) return;
    k8s.kubeObject(this, 'zmq', 'Service', {
      metadata: this.metadata(`${this.name}-zmq`),
      spec: { type: 'ClusterIP', selector: this.selectorLabels, ports },
    });
  }

  private buildNetworkPolicy(ports: readonly NodePort[], zmqClients: NodeWorkload['zmqClients'], checks: NodeWorkload['checks']): void {
    const toPolicyPorts = (role: NodePort['role']) =>
      ports.filter((p) => p.role === role).map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' }));
    const rpcPeers: k8s.NetworkPolicyPeer[] = [];
    for (const ns of this.props.rpcClientNamespaces ?? []) {
      rpcPeers.push({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });
    }
    if (this.props.rpcClientPodLabels && Object.keys(this.props.rpcClientPodLabels).length > 0) {
      rpcPeers.push({ podSelector: { matchLabels: this.props.rpcClientPodLabels } });
    }
    if (this.expose.rpc === 'public') {
      for (const cidr of this.publicSourceRanges) rpcPeers.push({ ipBlock: { cidr } });
    }
    const ingress: k8s.NetworkPolicyIngressRule[] = [];
    if (rpcPeers.length > 0) ingress.push({ from: rpcPeers, ports: toPolicyPorts('rpc') });
    // The feed's consumers by namespace and pod label only: never an ipBlock, so never the public source ranges.
    const zmqPeers: k8s.NetworkPolicyPeer[] = [
      ...(zmqClients?.namespaces ?? []).map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })),
      ...(zmqClients?.podLabels && Object.keys(zmqClients.podLabels).length > 0 ? [{ podSelector: { matchLabels: zmqClients.podLabels } }] : []),
    ];
    const zmq = toPolicyPorts('zmq');
    if (zmqPeers.length > 0 && zmq.length > 0) ingress.push({ from: zmqPeers, ports: zmq });
    const checked = ports.filter((p) => checks?.ports.includes(p.name)).map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' }));
    if (checks && checked.length > 0) ingress.push({ from: [{ podSelector: { matchLabels: checks.podLabels } }], ports: checked });
    const p2p = toPolicyPorts('p2p');
    if (p2p.length > 0) ingress.push({ ports: p2p });
    // Metrics from the scrapers' namespaces only: they tell an attacker little, but are nobody else's business.
    const scrapers = this.props.metricsScraperNamespaces ?? [];
    const metrics = toPolicyPorts('metrics');
    if (scrapers.length > 0 && metrics.length > 0) {
      ingress.push({ from: scrapers.map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })), ports: metrics });
    }
    k8s.kubeObject(this, 'network-policy', 'NetworkPolicy', {
      metadata: this.metadata(this.name),
      spec: { podSelector: { matchLabels: this.selectorLabels }, policyTypes: ['Ingress', 'Egress'], ingress, egress: this.egressRules() },
    });
  }

  /**
   * Egress: DNS anywhere, and everything outside the private and link-local ranges and the
   * cluster's own, on any port. P2P needs arbitrary internet addresses on arbitrary ports (peers
   * advertise any port), so the rule cannot be narrower than "the internet"; what it removes is
   * lateral movement: a compromised node cannot reach other pods, Services, the nodes' kubelets or
   * the cloud metadata server (169.254.169.254). The paired clients (geth and its beacon node, the
   * exporter) talk over the pod's loopback, which NetworkPolicy does not filter.
   */
  private egressRules(): k8s.NetworkPolicyEgressRule[] {
    const cluster = this.props.clusterCidrs ?? [];
    const closed = (v6: boolean) => [...new Set([...EGRESS_CLOSED_RANGES, ...cluster].filter((c) => c.includes(':') === v6))];
    return [
      { ports: [53, 53].map((port, i) => ({ port, protocol: i === 0 ? 'UDP' : 'TCP' })) },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: closed(false) } }, { ipBlock: { cidr: '::/0', except: closed(true) } }] },
    ];
  }

  /** Container ports for a set of node ports. */
  protected static containerPorts(ports: readonly NodePort[]): k8s.ContainerPort[] {
    return ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol ?? 'TCP' }));
  }

  /** Resolves a storage size, naming the node and key when it is not a quantity. */
  protected resolveSize(key: string, size: string | undefined, fallback: string): string {
    const s = size ?? fallback;
    requireQuantity(this.name, key, s);
    return s;
  }
}
