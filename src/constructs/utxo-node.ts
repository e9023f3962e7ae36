/**
 * A node of a Bitcoin-family chain profile: bitcoind, monacoind (built-in profiles) or a project's
 * own (`chains/<client>.yaml`). A conf file with network-only keys in the network's section,
 * rpcauth credentials with per-login method whitelists, cookie-authenticated probes through the
 * in-pod cli, an optional metrics exporter and ZeroMQ: one construct for every profile.
 */
import { ConstructError } from '../errors.js';
import type { Construct } from 'constructs';
import { renderUtxoConf, utxoConf } from '../chains/utxo.js';
import { noRpcauth, type UtxoNetworkParams, type UtxoProfile } from '../chains/profile.js';
import { UTXO_ALIVE_SH, UTXO_READY_SH } from '../chains/probes.js';
import { EXPORTER_SECRET_KEY, UTXO_EXPORTER_IMAGE, exporterRpcUser, exporterSecretName } from '../chains/utxo-exporter.js';
import { COOKIE_USER, IN_POD_METHODS, type RpcUser } from '../chains/rpc-methods.js';
import { withZmq, zmqEndpoints, type ZmqEndpoint, type ZmqTopics } from '../chains/zmq.js';
import type * as k8s from './k8s.js';
import { BlockchainNode, CONFIG_DIR, containerSecurity, toK8sResources, type BlockchainNodeProps, type NodePort } from './blockchain-node.js';

/** An `rpcauth=` value: user, 16-byte hex salt, HMAC-SHA256 hex. Never a password. */
export const RPCAUTH_PATTERN = /^[A-Za-z0-9_.-]+:[0-9a-f]{32}\$[0-9a-f]{64}$/;
/** A command-line option in the one form the daemons accept: `-name` or `-name=value`. */
const DAEMON_ARG = /^-[a-z][a-z0-9.]*(=.*)?$/;

export interface UtxoNodeProps extends BlockchainNodeProps {
  /** One of the profile's networks. @default the profile's testnet-tier network (`testnet4` for bitcoind) */
  readonly network?: string;
  /**
   * The apps that call RPC, by user name: each logs in with its `rpcauth` salted hash
   * (`user:salt$hmac`, made by `nodegen rpcauth <user>`; the hash may be committed, the password
   * never is) and may call only its `methods` (`rpcwhitelist`). Every other login, the cookie's
   * aside, can call nothing (`rpcwhitelistdefault=1`).
   * @default {} (only the in-pod cookie login, limited to IN_POD_METHODS)
   */
  readonly rpcUsers?: Readonly<Record<string, { readonly rpcauth: string; readonly methods: readonly string[] }>>;
  /**
   * The metrics exporter's own login (`nodegen rpcauth <user>`), limited to EXPORTER_METHODS; its
   * password is read from the Secret `<node>-rpc-exporter`, key `password`, which the operator
   * creates in the node's namespace. Required with `metricsExporter`.
   * @default - none
   */
  readonly exporterRpcauth?: string;
  /** Ranges allowed to call RPC besides loopback (`rpcallowip`): the cluster's pod ranges. @default [] */
  readonly rpcAllowIps?: readonly string[];
  /** Keep only the newest N MiB of blocks; 0 keeps everything, else at least 550. @default 0 */
  readonly prune?: number;
  /** Index every transaction (`txindex`); not with pruning. @default false */
  readonly txindex?: boolean;
  /** UTXO cache in MiB (`dbcache`); more makes the first sync much faster. @default 450 */
  readonly dbcache?: number;
  /** @default 125 */
  readonly maxConnections?: number;
  /**
   * Run the Prometheus exporter sidecar (the daemons serve no metrics themselves) on port 9332,
   * named `metrics`. It logs in as `exporterRpcauth`'s user, never with the cookie.
   * @default false
   */
  readonly metricsExporter?: boolean;
  /**
   * ZeroMQ notifications, one port per topic (ZMQ_PORTS), for consumers such as indexers and
   * Lightning nodes. The ports are on the ClusterIP Service `<name>-zmq` and the headless one, never
   * public; the NetworkPolicy admits `zmq.namespaces`, or by default the RPC clients.
   * @default - no notifications
   */
  readonly zmq?: ZmqTopics & {
    /** Namespaces whose pods may subscribe. @default - rpcClientNamespaces and rpcClientPodLabels */
    readonly namespaces?: readonly string[];
  };
}

const DATA = '/data';
/** Readiness: how many blocks the best block may trail the best header (a block in flight). */
export const UTXO_MAX_HEADER_LAG = 2;

/**
 * A full node of a chain profile, with its conf in a ConfigMap (network-only keys under the
 * network's section), RPC through `rpcauth` hashes only, and readiness (initial block download
 * over, header lag, tip age, peers) via the profile's cli with cookie authentication.
 * {@link BitcoindNode} and {@link MonaNode} are this construct with the built-in profiles.
 */
export class UtxoNode extends BlockchainNode {
  readonly client: string;
  readonly network: string;
  readonly profile: UtxoProfile;
  readonly params: UtxoNetworkParams;
  readonly storageSize: string;
  /** The rendered conf file. */
  readonly conf: string;
  /** Warnings for the operator (a deprecated network, for example). */
  readonly warnings: string[] = [];
  readonly metricsExporter: boolean;
  /** Every login of the daemon, the cookie's and the exporter's included, with its methods. */
  readonly rpcUsers: readonly RpcUser[];
  /** The ZeroMQ topics published, with their ports (empty without `zmq`). */
  readonly zmq: readonly ZmqEndpoint[];

  constructor(scope: Construct, id: string, profile: UtxoProfile, props: UtxoNodeProps = {}) {
    const network = props.network ?? profile.tiers.testnet;
    const params = profile.networks[network];
    if (!params) throw new ConstructError(`${id}: ${profile.client} has no network "${network}" (${profile.file}: ${Object.keys(profile.networks).join(', ')})`, { node: id, key: 'network' });
    const image = props.image ?? profile.image;
    if (!image) {
      throw new ConstructError(`${id}: ${profile.client} needs an image: ${profile.imageNote ?? `its profile (${profile.file}) names none; set image`}`, { node: id, key: 'image' });
    }
    super(scope, id, props, profile.client, image);
    this.client = profile.client;
    this.network = network;
    this.profile = profile;
    this.params = params;
    const d = { ...profile, params };
    this.metricsExporter = props.metricsExporter ?? false;
    const prune = props.prune ?? 0;
    const txindex = props.txindex ?? false;
    if (prune !== 0 && prune < 550) throw new ConstructError(`${id}: prune=${prune} is below the daemon's minimum of 550 (MiB); use 0 (no pruning) or at least 550`, { node: id, key: 'prune' });
    if (prune !== 0 && txindex) throw new ConstructError(`${id}: txindex cannot be used with pruning; set prune: 0 or txindex: false`, { node: id, key: 'txindex' });
    const rpcUsers: RpcUser[] = [{ user: COOKIE_USER, methods: IN_POD_METHODS }];
    if (!profile.supports.rpcauth && (Object.keys(props.rpcUsers ?? {}).length > 0 || props.exporterRpcauth !== undefined)) {
      throw new ConstructError(`${id}: ${noRpcauth(profile)}`, { node: id, key: 'rpcUsers' });
    }
    for (const [user, u] of Object.entries(props.rpcUsers ?? {})) {
      const key = `rpcUsers.${user}`;
      if (user === COOKIE_USER) throw new ConstructError(`${id}: "${COOKIE_USER}" is the daemon's cookie login; choose another user name`, { node: id, key });
      if (!RPCAUTH_PATTERN.test(u.rpcauth) || !u.rpcauth.startsWith(`${user}:`)) {
        throw new ConstructError(`${id}: ${key}.rpcauth must be "${user}:<salt>$<hmac>"; make one with \`nodegen rpcauth ${user}\``, { node: id, key: `${key}.rpcauth` });
      }
      if (u.methods.length === 0) throw new ConstructError(`${id}: ${key}.methods is empty: list the methods ${user} may call`, { node: id, key: `${key}.methods` });
      for (const m of u.methods) {
        if (!/^[a-z][a-z0-9]*$/.test(m)) throw new ConstructError(`${id}: ${key}.methods: "${m}" is not one method name (a comma or space would add methods)`, { node: id, key: `${key}.methods` });
      }
      rpcUsers.push({ user, rpcauth: u.rpcauth, methods: u.methods });
    }
    if (this.metricsExporter) {
      const a = props.exporterRpcauth;
      if (a === undefined) {
        throw new ConstructError(
          `${id}: the metrics exporter needs its own RPC login: run \`nodegen rpcauth exporter\`, set exporterRpcauth to the hash and create the Secret ${exporterSecretName(id)} with the password (README "RPC consumers")`,
          { node: id, key: 'exporterRpcauth' },
        );
      }
      if (!RPCAUTH_PATTERN.test(a)) throw new ConstructError(`${id}: exporterRpcauth is not "user:<salt>$<hmac>"; make one with \`nodegen rpcauth exporter\``, { node: id, key: 'exporterRpcauth' });
      const exporterUser = exporterRpcUser(a);
      if (rpcUsers.some((u) => u.user === exporterUser.user)) {
        throw new ConstructError(`${id}: the exporter's user "${exporterUser.user}" is already a login of this node; give it its own`, { node: id, key: 'exporterRpcauth' });
      }
      rpcUsers.push(exporterUser);
    }
    this.rpcUsers = rpcUsers;
    for (const a of this.extraArgs) {
      if (!DAEMON_ARG.test(a)) throw new ConstructError(`${id}: extra argument "${a}" must be "-name" or "-name=value" (${d.daemon} refuses bare tokens such as "-rpcthreads 4")`, { node: id, key: 'extraArgs' });
    }
    if (d.params.deprecated) this.warnings.push(`${id}: ${d.params.deprecated}`);
    this.storageSize = this.resolveSize('storage.size', props.storage?.size, txindex ? d.params.defaultStorageTxindex : d.params.defaultStorage);

    this.zmq = zmqEndpoints(id, profile, props.zmq ?? {});
    const zmqClients = props.zmq?.namespaces
      ? { namespaces: props.zmq.namespaces }
      : { namespaces: props.rpcClientNamespaces ?? [], podLabels: props.rpcClientPodLabels };
    if (this.zmq.length > 0 && zmqClients.namespaces.length === 0 && Object.keys(zmqClients.podLabels ?? {}).length === 0) {
      this.warnings.push(`${id}: zmq publishes ${this.zmq.map((e) => e.topic).join(', ')} but no namespace may subscribe: set zmq.namespaces or rpcClients`);
    }
    this.conf = renderUtxoConf(
      // zmqpub* are not network-only (see src/chains/zmq.ts): global lines, for every network.
      withZmq(utxoConf(d.params, {
        networkOnlyKeys: profile.networkOnlyKeys,
        rpcwhitelist: profile.supports.rpcwhitelist,
        conf: profile.conf,
        rpcUsers,
        rpcAllowIps: props.rpcAllowIps ?? [],
        prune,
        txindex,
        dbcache: props.dbcache ?? 450,
        maxConnections: props.maxConnections ?? 125,
        externalIp: this.expose.p2pAddress,
      }), this.zmq),
      `${d.confFile} for ${id}, written by nodegen. Network-only keys are in [${d.params.section}].`,
    );

    const ports: NodePort[] = [
      { name: 'rpc', port: d.params.rpcPort, role: 'rpc' },
      { name: 'p2p', port: d.params.p2pPort, role: 'p2p' },
      ...this.zmq.map((e): NodePort => ({ name: e.portName, port: e.port, role: 'zmq' })),
    ];
    const conf = `${CONFIG_DIR}/${d.confFile}`;
    const probe = (file: string) => ({ exec: { command: [`${CONFIG_DIR}/${file}`] } });
    const metricsPort: NodePort = { name: 'metrics', port: profile.metricsPort, role: 'metrics', metricsPath: '/metrics' };
    const exporter: k8s.Container = {
      name: 'exporter',
      image: UTXO_EXPORTER_IMAGE,
      imagePullPolicy: 'IfNotPresent',
      // The image's own command runs the exporter; it is configured by environment only. Without
      // BITCOIN_CONF_PATH it logs in with BITCOIN_RPC_USER and BITCOIN_RPC_PASSWORD.
      env: [
        { name: 'BITCOIN_RPC_HOST', value: '127.0.0.1' },
        { name: 'BITCOIN_RPC_PORT', value: String(d.params.rpcPort) },
        { name: 'BITCOIN_RPC_USER', value: props.exporterRpcauth?.split(':')[0] ?? '' },
        // Created by the operator in the node's namespace; nodegen never writes it.
        { name: 'BITCOIN_RPC_PASSWORD', valueFrom: { secretKeyRef: { name: exporterSecretName(id), key: EXPORTER_SECRET_KEY } } },
        { name: 'METRICS_PORT', value: String(profile.metricsPort) },
        { name: 'HOME', value: '/tmp' },
        // The root filesystem is read-only: no .pyc files.
        { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
      ],
      ports: BlockchainNode.containerPorts([metricsPort]),
      resources: toK8sResources(id, { requests: { cpu: '10m', memory: '48Mi' }, limits: { cpu: '200m', memory: '128Mi' } }),
      securityContext: containerSecurity(),
      // No data volume: the cookie (the in-pod login) stays with the daemon's container.
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      // No probes: the exporter calls RPC on every scrape, and a probe would only add RPC load;
      // a dead exporter shows as absent metrics (ChainNodeMetricsAbsent).
    };
    this.buildWorkload({
      containers: [
        {
          name: profile.client,
          image: this.image,
          imagePullPolicy: 'IfNotPresent',
          // The daemon itself, not an image entrypoint that expects root to chown and drop privileges.
          command: [d.daemon],
          args: [`-conf=${conf}`, `-datadir=${DATA}`, ...this.extraArgs],
          env: [
            { name: 'HOME', value: '/tmp' },
            // Read by the probe scripts.
            { name: 'CLI', value: d.cli },
            { name: 'CONF', value: conf },
            { name: 'DATADIR', value: DATA },
            // Readiness beyond the latching initialblockdownload: header lag, tip age, peers.
            { name: 'MAX_HEADER_LAG', value: String(UTXO_MAX_HEADER_LAG) },
            { name: 'MAX_TIP_AGE_SECONDS', value: String(d.params.maxTipAgeSeconds) },
            { name: 'MIN_PEERS', value: String(d.params.minPeers) },
          ],
          ports: BlockchainNode.containerPorts(ports),
          resources: toK8sResources(id, props.resources ?? params.resources),
          securityContext: containerSecurity(),
          volumeMounts: [
            { name: 'data', mountPath: DATA },
            { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
          // Initial block download may take days: liveness and readiness wait until it is done. The
          // same script then keeps readiness honest: stalled tip, header lag or no peers = not ready.
          startupProbe: { ...probe('ready.sh'), periodSeconds: 60, timeoutSeconds: 15, failureThreshold: d.params.initialSyncMinutes },
          readinessProbe: { ...probe('ready.sh'), periodSeconds: 30, timeoutSeconds: 15, failureThreshold: 3 },
          // Alive while RPC answers, warm-up included: a node that is catching up is never killed.
          livenessProbe: { ...probe('alive.sh'), periodSeconds: 60, timeoutSeconds: 15, failureThreshold: 5 },
        },
        ...(this.metricsExporter ? [exporter] : []),
      ],
      dataVolumes: [{ name: 'data', size: this.storageSize, storageClass: props.storage?.storageClass, restoreFrom: props.storage?.restoreFrom }],
      files: {
        [d.confFile]: this.conf,
        'ready.sh': UTXO_READY_SH,
        'alive.sh': UTXO_ALIVE_SH,
      },
      ports: this.metricsExporter ? [...ports, metricsPort] : ports,
      runAsUser: d.runAsUser,
      terminationGracePeriodSeconds: d.terminationGracePeriodSeconds,
      zmqClients,
    });
  }

  protected alertFacts() {
    const p = this.profile;
    return { chain: p.chain, metrics: this.metricsExporter ? 'utxo-exporter' : 'none', thresholds: this.params.thresholds, daemon: { name: p.daemon, cli: p.cli } } as const;
  }
}
