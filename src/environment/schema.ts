/**
 * The one schema for environment files. The loader validates the merged result of
 * `environments/base.yaml` + `environments/<env>.yaml` against it; `nodegen schema` derives the
 * JSON Schema that editors use from the same definition.
 *
 * Closed choices are enums; Kubernetes names and quantities are checked here so that a typo is
 * reported against the line that holds it, not by the API server after `kubectl apply`.
 */
import { z } from 'zod';
import { checkIndexer, indexerSchema } from './indexer-schema.js';
import { noRpcauth, type UtxoProfile } from '../chains/profile.js';
import { ZMQ_TOPICS, unsupportedTopic } from '../chains/zmq.js';
import type { ChainProfiles } from '../chains/profiles.js';
import { customNodeSchemaOf } from './custom-schema.js';

/** DNS-1123 label: lowercase alphanumerics and '-', at most 63 characters (namespaces, Services). */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A Kubernetes resource quantity in the canonical forms operators write: `500m`, `2`, `8Gi`, `2Ti`.
 * (The API server also accepts exponent forms such as `1e3`; nobody writes those for disks.)
 */
export const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** IPv4 or IPv6 CIDR block. */
const CIDR = /^(((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)\/(3[0-2]|[12]?\d)|[0-9a-fA-F:]+:[0-9a-fA-F:]*\/(12[0-8]|1[01]\d|[1-9]?\d))$/;
const IPV4 = /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/;

/** Label keys: optional DNS subdomain prefix, then a name of at most 63 characters. */
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** Label values: empty, or at most 63 alphanumerics, '-', '_', '.', starting and ending alphanumeric. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** An image reference pinned to a tag or digest: `repo[:tag][@sha256:...]`. */
const IMAGE = /^[a-z0-9]+([._\-/:][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

export const dnsLabel = (max = 63) =>
  z
    .string()
    .max(max, { message: `must be at most ${max} characters` })
    .regex(DNS1123_LABEL, {
      message: 'must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit',
    });

/**
 * Every zod schema of environment files, built on first use: a run that loads no environment (or
 * `--help`) builds none, and zod's copying of definitions costs no start-up.
 */
function buildSchemas() {
  const quantity = z.string().regex(QUANTITY, {
    message: 'must be a Kubernetes quantity such as "500m", "2", "8Gi" or "2Ti"',
  });

  const cidr = z.string().regex(CIDR, { message: 'must be a CIDR block such as "203.0.113.0/24"' });

  const labelMap = z.record(
    z.string().regex(LABEL_KEY, { message: 'must be a Kubernetes label key' }),
    z.string().regex(LABEL_VALUE, { message: 'must be a Kubernetes label value (at most 63 characters)' }),
  );

  const image = z.string().regex(IMAGE, {
    message: 'must be an image reference such as "ethereum/client-go:v1.17.5"',
  });

  /** Requests and limits, as in a container spec. */
  const resourcesSchema = z.strictObject({
    requests: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
    limits: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
  });

  /**
   * Where a volume starts from instead of empty: every new replica is restored from the snapshot
   * rather than syncing from genesis. Exactly one of `volumeSnapshot` and `snapshotHandle`.
   */
  const restoreFromSchema = z
    .strictObject({
      /** A VolumeSnapshot that exists in the environment's namespace (a scheduled one, for example). */
      volumeSnapshot: dnsLabel(253).optional(),
      /**
       * A cloud disk snapshot by ID; nodegen writes the pre-provisioned VolumeSnapshotContent and
       * VolumeSnapshot for it. GKE: `projects/<project>/global/snapshots/<snapshot-name>`.
       */
      snapshotHandle: z.string().regex(/^[^\s]+$/, { message: 'must be a snapshot ID without spaces, such as "projects/p/global/snapshots/geth-2026-01-01"' }).optional(),
      /** Name of the VolumeSnapshot written for `snapshotHandle`. @default - the handle's last path segment */
      name: dnsLabel().optional(),
    })
    .superRefine((v, ctx) => {
      if ((v.volumeSnapshot === undefined) === (v.snapshotHandle === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'set exactly one of volumeSnapshot (an existing VolumeSnapshot) and snapshotHandle (a cloud snapshot ID)' });
      }
      if (v.name !== undefined && v.snapshotHandle === undefined) {
        ctx.addIssue({ code: 'custom', path: ['name'], message: 'name is only for snapshotHandle (it names the VolumeSnapshot nodegen writes)' });
      }
      const last = v.snapshotHandle?.split('/').pop() ?? '';
      if (v.snapshotHandle !== undefined && v.name === undefined && !(DNS1123_LABEL.test(last) && last.length <= 63)) {
        ctx.addIssue({ code: 'custom', path: ['name'], message: `the handle's last segment "${last}" is not a DNS-1123 label: set name for the VolumeSnapshot` });
      }
    });

  /** The data volume of a node. */
  const storageSchema = z.strictObject({
    /** Size of each replica's volume. Volume claim templates are immutable: grow by resizing the PVCs. */
    size: quantity.optional(),
    /** Storage class; must allow volume expansion. @default - the environment's `storage.storageClass` */
    storageClass: dnsLabel(253).optional(),
    /** Throwaway mode: an emptyDir instead of a persistent volume. Only for sandboxes. @default false */
    ephemeral: z.boolean().optional(),
    /** Restore new replicas' volumes from a snapshot (claim templates are immutable: set before the first apply). @default - empty volumes */
    restoreFrom: restoreFromSchema.optional(),
  });

  /** A cron schedule: five fields, or a macro such as `@daily`. Time zones go in `timeZone`. */
  const cron = z.string().regex(/^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$/, {
    message: 'must be a cron schedule of five fields, such as "17 3 * * *", or a macro such as "@daily"',
  });

  /** Scheduled VolumeSnapshots of a node's volumes, overriding the environment's `snapshots.schedule`. */
  const nodeSnapshotScheduleSchema = z.strictObject({
    /** Off for this node while the environment schedules the others. @default true when the environment has a schedule */
    enabled: z.boolean().optional(),
    cron: cron.optional(),
    /** Snapshots kept per volume. */
    keep: z.number().int().min(1).max(100).optional(),
  });

  const toleration = z.strictObject({
    key: z.string().optional(),
    operator: z.enum(['Equal', 'Exists']).optional(),
    value: z.string().optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
    tolerationSeconds: z.number().int().optional(),
  });

  /** Where a node's pods are scheduled: a GKE/EKS node pool, named in the environment. */
  const nodePoolSchema = z.strictObject({
    nodeSelector: labelMap.optional(),
    tolerations: z.array(toleration).optional(),
  });

  /** How a node is reached from outside its pod. */
  const exposeSchema = z.strictObject({
    /** `private`: ClusterIP Service. `public`: LoadBalancer limited to the environment's source ranges. @default private */
    rpc: z.enum(['private', 'public']).optional(),
    /** Expose the P2P port on its own Service. @default none */
    p2p: z.enum(['none', 'loadBalancer', 'nodePort']).optional(),
    /** The external IPv4 address peers should dial; wired to `--nat extip:` / `externalip=`. */
    p2pAddress: z.string().regex(IPV4, { message: 'must be an IPv4 address' }).optional(),
    /** `ClientIP`: each client pod sticks to one replica (geth filters are per replica). @default None */
    rpcAffinity: z.enum(['None', 'ClientIP']).optional(),
  });

  const common = {
    /** Number of replicas (each with its own volume). @default 1 */
    replicas: z.number().int().min(0).max(50).optional(),
    image: image.optional(),
    resources: resourcesSchema.optional(),
    storage: storageSchema.optional(),
    /** Name of an entry in the environment's `nodePools`. */
    nodePool: dnsLabel().optional(),
    expose: exposeSchema.optional(),
    /** Extra command-line arguments, appended after nodegen's own. */
    extraArgs: z.array(z.string()).optional(),
    /** Spread replicas over hosts or zones (preferred anti-affinity). @default host with more than one replica */
    spread: z.enum(['none', 'host', 'zone']).optional(),
    /** This node's snapshot schedule, field by field over the environment's `snapshots.schedule`. */
    snapshotSchedule: nodeSnapshotScheduleSchema.optional(),
  };

  const GETH_NETWORKS = ['mainnet', 'hoodi', 'sepolia'] as const;
  const GETH_HTTP_APIS = ['eth', 'net', 'web3', 'txpool', 'debug', 'admin', 'miner', 'engine'] as const;

  /**
   * A client's release version (`1.17.5`, `8.0.0-rc.0`), for the fork check (policy/fork-readiness)
   * when the image's tag does not say it: a digest alone, or a private tag.
   */
  const clientVersion = z.string().regex(/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, { message: 'must be a release version such as "1.17.5" or "8.0.0-rc.0"' });

  const consensusSchema = z.strictObject({
    client: z.enum(['lighthouse', 'prysm']).optional(),
    image: image.optional(),
    /** The client's version when the image's tag does not say it. @default - read from the image's tag */
    version: clientVersion.optional(),
    checkpointSyncUrl: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * Serve the blob APIs: `supernode` keeps all 128 data columns, `semi-supernode` half (enough to
     * rebuild every blob); storage and resources grow to match. @default none (the client's default custody)
     */
    blobs: z.enum(['none', 'semi-supernode', 'supernode']).optional(),
    resources: resourcesSchema.optional(),
    storage: storageSchema.optional(),
    extraArgs: z.array(z.string()).optional(),
  });

  const gethNodeSchema = z.strictObject({
    client: z.literal('geth'),
    network: z.enum(GETH_NETWORKS).optional(),
    ...common,
    /** geth's version when the image's tag does not say it. @default - read from the image's tag */
    version: clientVersion.optional(),
    /** The hourly in-cluster fork check (`eth_config`, `fork_schedule`) and its alert. @default true */
    forkCheck: z.boolean().optional(),
    syncMode: z.enum(['snap', 'full']).optional(),
    gcMode: z.enum(['full', 'archive']).optional(),
    /** Blocks whose transactions are indexed (0 = the whole chain). @default 0 */
    historyTransactions: z.number().int().min(0).optional(),
    /** Blocks whose logs are indexed (0 = the whole chain). @default 0 */
    historyLogs: z.number().int().min(0).optional(),
    /** Chain history kept: `all` or `postmerge`. @default 'all' */
    historyChain: z.enum(['all', 'postmerge']).optional(),
    httpApi: z.array(z.enum(GETH_HTTP_APIS)).optional(),
    corsDomains: z.array(z.string()).optional(),
    maxPeers: z.number().int().min(0).max(1000).optional(),
    consensus: consensusSchema.optional(),
  });

  const RPCAUTH = /^[A-Za-z0-9_.-]+:[0-9a-f]{32}\$[0-9a-f]{64}$/;
  const rpcauth = z.string().regex(RPCAUTH, {
    message: 'must be an rpcauth line "user:<32 hex salt>$<64 hex hmac>" (make one with `nodegen rpcauth <user>`)',
  });

  /** A Bitcoin Core RPC method name. A comma or space would split an `rpcwhitelist` line, so neither is allowed. */
  const rpcMethod = z.string().regex(/^[a-z][a-z0-9]*$/, {
    message: 'must be one RPC method name such as "getblockchaininfo" (lowercase letters and digits; a comma or space would add methods to the whitelist)',
  });

  /** An RPC user name; `__cookie__`, the daemon's own cookie login for in-pod tools, is refused in checkRpcUsers. */
  const rpcUserName = z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: 'must be an RPC user name: letters, digits, "_", "." and "-"' });

  /**
   * One RPC consumer: its own login (`rpcauth`) and the only methods it may call (`rpcwhitelist`).
   * The password is in a Secret in the consumer's namespace, never in the environment files.
   */
  const rpcUserSchema = z.strictObject({
    /** The `rpcauth` line `nodegen rpcauth <user>` prints: `<user>:<salt>$<hmac>`, the user being this entry's key. */
    rpcauth,
    /** The methods this user may call; every other method is refused with HTTP 403. */
    methods: z.array(rpcMethod).min(1, { message: 'list at least one method: a user without methods can call nothing' }),
  });

  /**
   * ZeroMQ notifications (`zmqpub<topic>=tcp://0.0.0.0:<port>`), one port per topic (src/chains/zmq.ts).
   * ZeroMQ has no authentication: the ports are on a ClusterIP Service (`<node>-zmq`) and the headless
   * one only, never public, and the NetworkPolicy admits only the consumers' namespaces.
   */
  const zmqSchema = z.strictObject({
    /** Every block, serialised. @default false */
    rawblock: z.boolean().optional(),
    /** Every transaction entering the mempool or a block, serialised. @default false */
    rawtx: z.boolean().optional(),
    /** The hash of each new tip. @default false */
    hashblock: z.boolean().optional(),
    /** The hash of each transaction. @default false */
    hashtx: z.boolean().optional(),
    /** Block connects/disconnects and mempool adds/removes with a sequence number (bitcoind only: Monacoin 0.20 lacks it). @default false */
    sequence: z.boolean().optional(),
    /** Namespaces whose pods may subscribe. @default - the environment's rpcClients (namespaces and pod labels) */
    namespaces: z.array(dnsLabel()).optional(),
  });

  const utxoCommon = {
    ...common,
    /**
     * The apps that call RPC, by user name: each gets its own `rpcauth` login and only its listed methods
     * (`rpcwhitelist`, with `rpcwhitelistdefault=1`). @default {} (only the in-pod cookie login)
     */
    rpcUsers: z.record(rpcUserName, rpcUserSchema).optional(),
    /**
     * The metrics exporter's own login, `nodegen rpcauth <user>`; it may call only the read-only methods
     * it needs. Its password is in the Secret `<node>-rpc-exporter` (key `password`) in the node's
     * namespace. Required where monitoring is enabled.
     */
    exporterRpcauth: rpcauth.optional(),
    /** Keep only the newest N MiB of blocks (0 = unpruned, minimum 550). @default 0 */
    prune: z
      .number()
      .int()
      .refine((v) => v === 0 || v >= 550, { message: 'must be 0 (unpruned) or at least 550 (MiB), the daemon\'s minimum' })
      .optional(),
    /** Build the full transaction index (incompatible with pruning). @default false */
    txindex: z.boolean().optional(),
    /** Database cache in MiB. @default 450 (the client's own default) */
    dbcache: z.number().int().min(4).optional(),
    maxConnections: z.number().int().min(0).max(1000).optional(),
    /** ZeroMQ notifications for consumers such as indexers and Lightning nodes; see zmqSchema. */
    zmq: zmqSchema.optional(),
    /** An Electrum server (Fulcrum) beside the node; bitcoind only (README "Electrum indexer"). @default - none */
    indexer: indexerSchema({ rpcauth, image, quantity, resources: resourcesSchema, dnsLabel }).optional(),
  };

  /** A node of a chain profile (bitcoind, monacoind, a project's `chains/<client>.yaml`): its client, its networks, and what every Bitcoin-family daemon shares. */
  function utxoNodeSchema(profile: UtxoProfile) {
    const networks = Object.keys(profile.networks) as [string, ...string[]];
    return z.strictObject({ client: z.literal(profile.client), network: z.enum(networks).optional(), ...utxoCommon }).superRefine((v, ctx) => {
      checkRpcUsers(v, ctx);
      checkIndexer(profile.client, profile.electrumIndexer, v, ctx);
      // The daemon refuses an unknown key at startup; say so here, with the line, not in the pod's log.
      for (const topic of ZMQ_TOPICS) {
        if (v.zmq?.[topic] === true && profile.zmq.ports[topic] === undefined) ctx.addIssue({ code: 'custom', path: ['zmq', topic], message: unsupportedTopic(profile, topic) });
      }
      if (!profile.supports.rpcauth) {
        // Without rpcauth a login needs rpcuser/rpcpassword in the conf: a password in dist/, which is committed.
        for (const key of ['rpcUsers', 'exporterRpcauth'] as const) {
          if (v[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: noRpcauth(profile) });
        }
      }
    });
  }

  /** A node of a chain nodegen has no profile for (README "Custom nodes"); see custom-schema.ts. */
  const customNodeSchema = customNodeSchemaOf({ common, image, quantity, resources: resourcesSchema, storage: storageSchema, dnsLabel });

  /** Every kind of node: geth, a node of each chain profile, a custom node. */
  function nodeSchemaFor(chains: ChainProfiles): z.ZodTypeAny {
    return z.discriminatedUnion('client', [gethNodeSchema, ...[...chains.values()].map(utxoNodeSchema), customNodeSchema]);
  }

  /**
   * GitOps: a controller in the cluster pulls dist/<env> from git instead of a pipeline applying it.
   * synth then also writes the engine's objects into dist/<env>/gitops/ (applied once, by hand or
   * by a bootstrap pipeline: `kubectl apply -f dist/<env>/gitops`).
   */
  const gitopsSchema = z.strictObject({
    /** `argocd` writes an Application; `flux` a GitRepository and a Kustomization. */
    engine: z.enum(['argocd', 'flux']),
    /** The repository holding dist/ (https or ssh). */
    repoURL: z.string().regex(/^(https:\/\/|ssh:\/\/|git@)[^\s]+$/, { message: 'must be an https://, ssh:// or git@ repository URL' }),
    /** Branch (or tag) to follow. @default 'main' */
    revision: z.string().min(1).default('main'),
    /** Folder in the repository. @default 'dist/<env>' */
    path: z.string().min(1).optional(),
    /** Sync on every change without a person pressing sync. @default true */
    automated: z.boolean().default(true),
    /** Delete objects that nodegen no longer writes. Volumes are never pruned (they belong to the StatefulSet). @default false */
    prune: z.boolean().default(false),
    /** Namespace of the engine's objects. @default - 'argocd' or 'flux-system' */
    namespace: dnsLabel().optional(),
    /** Argo CD project. @default 'default' */
    project: dnsLabel().default('default'),
    /** How often Flux looks at the repository. @default '5m' */
    interval: z.string().regex(/^([0-9]+(ms|s|m|h))+$/, { message: 'must be a duration such as "1m" or "5m30s"' }).default('5m'),
  });

  /**
   * An accepted exception to one policy rule for one node. `nodegen validate` lists every waiver
   * with its reason; a rule id or node that does not exist is an input error.
   */
  const waiverSchema = z.strictObject({
    /** The rule's id, as `nodegen validate --rules` lists it; only `policy/` rules can be waived. */
    rule: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, { message: 'must be a rule id such as "policy/public-source-ranges"' }),
    /** The node (a key of `nodes`) the waiver applies to. */
    node: dnsLabel(40),
    /** Why the rule does not apply to this node, for the reviewer. */
    reason: z.string().trim().min(10, { message: 'must say why the rule does not apply (at least 10 characters)' }),
  });

  /** A Prometheus duration such as `30s` or `1m30s`. */
  const promDuration = z.string().regex(/^([0-9]+(ms|s|m|h))+$/, { message: 'must be a duration such as "30s" or "1m"' });

  /**
   * Monitoring: scrape objects per node, the metrics ports opened to the scrapers' namespaces, and
   * one set of alert rules for the environment (written to 40-monitoring.yaml).
   */
  const monitoringSchema = z
    .strictObject({
      /** @default false */
      enabled: z.boolean().default(false),
      /**
       * `prometheus-operator`: ServiceMonitor or PodMonitor, and a PrometheusRule. `gke-managed`:
       * Google Managed Prometheus PodMonitoring and Rules. @default prometheus-operator
       */
      engine: z.enum(['prometheus-operator', 'gke-managed']).default('prometheus-operator'),
      /** Prometheus Operator: through the headless Service (`serviceMonitor`) or the pods (`podMonitor`). @default serviceMonitor */
      scrape: z.enum(['serviceMonitor', 'podMonitor']).default('serviceMonitor'),
      /** Namespaces of the scrapers; the NetworkPolicy admits the metrics ports from these only (GKE managed: gmp-system). */
      namespaces: z.array(dnsLabel()).default([]),
      /** @default 30s */
      interval: promDuration.default('30s'),
      /** Labels on the scrape objects and rules, so the Prometheus selects them (kube-prometheus-stack: `release: <release>`). */
      labels: labelMap.optional(),
      /** Write the alert rules. @default true */
      alerts: z.boolean().default(true),
      /** Runbook page; each alert links to `<runbookUrl>#<alert name in lower case>`. */
      runbookUrl: z.url({ protocol: /^https?$/ }).optional(),
    })
    .superRefine((v, ctx) => {
      if (v.enabled && v.namespaces.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['namespaces'], message: 'name the scrapers\' namespaces (such as [monitoring]): the NetworkPolicy admits metrics from these only' });
      }
    });

  /** VolumeSnapshot settings of the environment. */
  const snapshotsSchema = z.strictObject({
    /** VolumeSnapshotClass of scheduled and restored snapshots. @default - the CSI driver's default class */
    volumeSnapshotClass: dnsLabel(253).optional(),
    /** CSI driver of cloud snapshots named by `restoreFrom.snapshotHandle`. @default pd.csi.storage.gke.io */
    driver: z.string().min(1).default('pd.csi.storage.gke.io'),
    /** Snapshot every node with persistent volumes on this schedule (nodes may override or opt out). */
    schedule: z
      .strictObject({
        /** @default "17 3 * * *" */
        cron: cron.default('17 3 * * *'),
        /** Time zone of `cron`. @default Etc/UTC */
        timeZone: z.string().min(1).default('Etc/UTC'),
        /** Snapshots kept per volume; older scheduled ones are deleted. @default 3 */
        keep: z.number().int().min(1).max(100).default(3),
      })
      .optional(),
  });

  /** The environment schema over a node schema. */
  function environmentObject(nodeSchema: z.ZodTypeAny) {
    return z.strictObject({
    /** One line shown by `nodegen list`. */
    description: z.string().optional(),
    /** The namespace every object of the environment lives in. */
    namespace: dnsLabel(),
    /**
     * The cluster the environment deploys to, for `nodegen list` and for environments that share a
     * namespace: both must name their clusters, and different ones. @default - unnamed (it may share
     * a cluster with any other environment)
     */
    cluster: dnsLabel().optional(),
    /** `testnet` or `mainnet`: decides each node's default network and what policy allows. */
    tier: z.enum(['testnet', 'mainnet']),
    /** A sandbox may relax policy (CORS/vhosts `*`, unpinned images). Only `nodetest` should be one. @default false */
    sandbox: z.boolean().default(false),
    /** Where public endpoints are allowed at all, and from which source ranges. */
    publicEndpoints: z
      .strictObject({
        allowed: z.boolean().default(false),
        sourceRanges: z.array(cidr).default([]),
      })
      .default({ allowed: false, sourceRanges: [] }),
    /** Who may call RPC: namespaces and/or pod labels admitted by the NetworkPolicy. */
    rpcClients: z
      .strictObject({
        namespaces: z.array(dnsLabel()).default([]),
        podLabels: labelMap.optional(),
      })
      .default({ namespaces: [] }),
    /** The cluster's pod (and service) ranges; bitcoind/monacoind `rpcallowip` is limited to them. */
    clusterCidrs: z.array(cidr).min(1),
    storage: z
      .strictObject({
        /** Default storage class for node volumes. Must allow volume expansion. */
        storageClass: dnsLabel(253),
      }),
    nodePools: z.record(dnsLabel(), nodePoolSchema).default({}),
    /** Let Argo CD or Flux pull dist/<env> (optional). */
    gitops: gitopsSchema.optional(),
    /** Prometheus scraping and alert rules for every node (off unless enabled). */
    monitoring: monitoringSchema.default({ enabled: false, engine: 'prometheus-operator', scrape: 'serviceMonitor', namespaces: [], interval: '30s', alerts: true }),
    /** VolumeSnapshots: the class, the CSI driver of restored cloud snapshots, and a schedule for every node. */
    snapshots: snapshotsSchema.default({ driver: 'pd.csi.storage.gke.io' }),
    /** The fleet, keyed by node name (used in object names: `geth` gives StatefulSet `geth`). */
    nodes: z.record(dnsLabel(40), nodeSchema),
    /** Accepted exceptions to policy rules, each for one node with its reason (`nodegen validate` shows them). @default [] */
    waivers: z.array(waiverSchema).default([]),
    });
  }

  return { quantity, image, resourcesSchema, restoreFromSchema, storageSchema, nodePoolSchema, exposeSchema, gethNodeSchema, rpcUserSchema, zmqSchema, gitopsSchema, waiverSchema, monitoringSchema, snapshotsSchema, utxoNodeSchema, customNodeSchema, nodeSchemaFor, environmentObject };
}

type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | undefined;

/** The schemas, built once. */
function schemas(): Schemas {
  return (built ??= buildSchemas());
}

/** The building blocks other schemas share with this one (chain profiles, custom nodes' parts). */
export function schemaParts(): Pick<Schemas, 'quantity' | 'image' | 'resourcesSchema'> & { readonly dnsLabel: typeof dnsLabel } {
  const { quantity, image, resourcesSchema } = schemas();
  return { dnsLabel, quantity, image, resourcesSchema };
}

/** Each consumer's `rpcauth` names the consumer's own user; the exporter's user is nobody else's. */
function checkRpcUsers(v: { rpcUsers?: Record<string, { rpcauth: string }>; exporterRpcauth?: string }, ctx: z.RefinementCtx): void {
  for (const [user, u] of Object.entries(v.rpcUsers ?? {})) {
    if (user === '__cookie__') {
      ctx.addIssue({ code: 'custom', path: ['rpcUsers', user], message: '"__cookie__" is the daemon\'s cookie login for in-pod tools; choose another user name' });
      continue;
    }
    const named = u.rpcauth.split(':')[0];
    if (named !== user) {
      ctx.addIssue({ code: 'custom', path: ['rpcUsers', user, 'rpcauth'], message: `the rpcauth line is for user "${named}", not "${user}": make one with \`nodegen rpcauth ${user}\`` });
    }
  }
  const exporter = v.exporterRpcauth?.split(':')[0];
  if (exporter !== undefined && (exporter === '__cookie__' || Object.hasOwn(v.rpcUsers ?? {}, exporter))) {
    ctx.addIssue({ code: 'custom', path: ['exporterRpcauth'], message: `user "${exporter}" is already ${exporter === '__cookie__' ? 'the cookie login' : 'a consumer in rpcUsers'}: give the exporter a user of its own (\`nodegen rpcauth exporter\`)` });
  }
}

/** A node of a chain profile (bitcoind, monacoind, a project's own). */
export type UtxoNodeSpec = z.output<ReturnType<Schemas['utxoNodeSchema']>>;
export type NodeSpec = GethNodeSpec | UtxoNodeSpec | CustomNodeSpec;

export function isGethNode(node: NodeSpec): node is GethNodeSpec {
  return node.client === 'geth';
}

export function isCustomNode(node: NodeSpec): node is CustomNodeSpec {
  return node.client === 'custom';
}

/** The clients a node may name, in the order messages list them. */
export function knownClients(chains: ChainProfiles): string[] {
  return ['geth', ...chains.keys(), 'custom'];
}

export type CustomNodeSpec = z.output<Schemas['customNodeSchema']>;

type EnvironmentSchema = z.ZodType<EnvironmentSpec, z.input<ReturnType<Schemas['environmentObject']>>>;
const bySet = new WeakMap<ChainProfiles, EnvironmentSchema>();

/**
 * The schema of an environment whose nodes may name these chain profiles (the built-in ones and
 * the project's), built on first use for each set.
 */
export function environmentSchemaFor(chains: ChainProfiles): EnvironmentSchema {
  let schema = bySet.get(chains);
  if (!schema) {
    const s = schemas();
    schema = s.environmentObject(s.nodeSchemaFor(chains)) as unknown as EnvironmentSchema;
    bySet.set(chains, schema);
  }
  return schema;
}

export type EnvironmentSpec = Omit<z.output<ReturnType<Schemas['environmentObject']>>, 'nodes'> & { nodes: Record<string, NodeSpec> };
export type GethNodeSpec = z.output<Schemas['gethNodeSchema']>;
export type ResourcesSpec = z.output<Schemas['resourcesSchema']>;
export type NodePoolSpec = z.output<Schemas['nodePoolSchema']>;
export type ExposeSpec = z.output<Schemas['exposeSchema']>;
export type StorageSpec = z.output<Schemas['storageSchema']>;
export type WaiverSpec = z.output<Schemas['waiverSchema']>;
export type GitopsSpec = z.output<Schemas['gitopsSchema']>;
export type MonitoringSpec = z.output<Schemas['monitoringSchema']>;
export type SnapshotsSpec = z.output<Schemas['snapshotsSchema']>;
export type RestoreFromSpec = z.output<Schemas['restoreFromSchema']>;
export type RpcUserSpec = z.output<Schemas['rpcUserSchema']>;
export type ZmqSpec = z.output<Schemas['zmqSchema']>;
export type IndexerSpec = NonNullable<UtxoNodeSpec['indexer']>;

/** The network a node runs: the one it names, else its environment tier's (testnets below staging, mainnets above). */
export function nodeNetwork(env: Pick<EnvironmentSpec, 'tier'>, node: NodeSpec, chains: ChainProfiles): string {
  if (node.network !== undefined) return node.network;
  if (isGethNode(node)) return env.tier === 'mainnet' ? 'mainnet' : 'hoodi';
  return chains.get(node.client)!.tiers[env.tier];
}
