/**
 * Chain profiles: what nodegen needs to know to run a Bitcoin-derived daemon, written in YAML.
 * bitcoind and monacoind are built-in profiles (src/chains/profiles/*.yaml); a project adds its
 * own in `chains/<client>.yaml` (Litecoin Core, Dogecoin Core, Bitcoin Cash Node...). Every
 * profile goes through this one schema and one resolver, and every node of any profile through
 * the one construct, {@link UtxoNode}: there is no second code path for the built-in chains.
 *
 * The schema is a function, built on first use: nothing is built when the module loads.
 */
import { z } from 'zod';
import type { ResourcesSpec } from '../environment/schema.js';
import type { SyncThresholds } from './alert-thresholds.js';
import { ZMQ_TOPICS, type ZmqTopic } from './zmq.js';

/** The network names of the Bitcoin family, as `chain=` (and the legacy flags) name them. */
export const UTXO_NETWORK_NAMES = ['main', 'test', 'testnet4', 'signet', 'regtest'] as const;
export type UtxoNetworkName = (typeof UTXO_NETWORK_NAMES)[number];

/**
 * Options that Bitcoin Core and its forks apply on a test network only when written in that
 * network's section (registered `NETWORK_ONLY`); written outside it they stop the daemon at
 * startup. A profile may name its daemon's own list.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/common/args.cpp
 */
export const DEFAULT_NETWORK_ONLY_KEYS = ['addnode', 'bind', 'connect', 'port', 'rpcbind', 'rpcport', 'wallet', 'walletdir'] as const;

/**
 * Conf keys nodegen writes itself (src/chains/utxo.ts, rpc-methods.ts, zmq.ts): a profile's own
 * `conf` may not set them, or RPC policy, logging and the network choice would be two places.
 */
export const MANAGED_CONF_KEYS = [
  'chain', 'testnet', 'testnet4', 'signet', 'regtest', 'server', 'listen', 'printtoconsole', 'debuglogfile', 'nodebuglogfile',
  'disablewallet', 'rest', 'txindex', 'prune', 'dbcache', 'maxconnections', 'rpcallowip', 'rpcauth', 'rpcuser', 'rpcpassword',
  'rpcwhitelist', 'rpcwhitelistdefault', 'rpccookiefile', 'port', 'rpcport', 'rpcbind', 'externalip', 'datadir', 'conf',
  'zmqpubrawblock', 'zmqpubrawtx', 'zmqpubhashblock', 'zmqpubhashtx', 'zmqpubsequence',
] as const;

/** One network of a Bitcoin-family chain, resolved. */
export interface UtxoNetworkParams {
  /** The conf line that selects it (`chain=testnet4`, a legacy `testnet=1`), or undefined for none. */
  readonly select: string | undefined;
  /** The conf section whose keys apply on this network. */
  readonly section: string;
  /** The datadir subfolder holding blocks, chainstate and `.cookie`. */
  readonly subdir: string;
  readonly p2pPort: number;
  readonly rpcPort: number;
  /** Realistic minimum data volume, unpruned, without txindex: the chain plus months of growth below the 85% disk alert. */
  readonly minStorage: string;
  /** Default size: room for a year's growth and more below the 85% disk alert. */
  readonly defaultStorage: string;
  /** The minimum with `txindex` (the index of every transaction). */
  readonly minStorageTxindex: string;
  /** The default size with `txindex`. */
  readonly defaultStorageTxindex: string;
  /** Set when the network is deprecated: the warning to print. */
  readonly deprecated?: string;
  /** Readiness: the oldest best block a ready node may have, in seconds; 0 turns the check off. */
  readonly maxTipAgeSeconds: number;
  /** Readiness: the fewest peer connections a ready node may have; 0 turns the check off. */
  readonly minPeers: number;
  /** How long a first sync may take before the kubelet gives up (startup probe budget). */
  readonly initialSyncMinutes: number;
  /** Whether this is the chain's mainnet. */
  readonly mainnet: boolean;
  /** Sync alert thresholds; undefined: no stall, sync or peer alerts (regtest). */
  readonly thresholds: SyncThresholds | undefined;
  /** The daemon container's default requests and limits on this network. */
  readonly resources: Required<ResourcesSpec>;
  /** The profile's own conf lines for this network's section (after nodegen's). */
  readonly conf: ReadonlyArray<readonly [string, string | number]>;
}

/** A Bitcoin-family daemon, resolved from its profile. */
export interface UtxoProfile {
  /** The `client:` of its nodes, and the profile's file name. */
  readonly client: string;
  /** The chain, for alert labels (`chain: litecoin`). */
  readonly chain: string;
  /** The client's name for people: "Litecoin Core". */
  readonly displayName: string;
  /** The pinned release, as its tag names it. */
  readonly version: string;
  /** The default image; undefined when every node must name one. */
  readonly image: string | undefined;
  /** Why there is no default image and what to do, for the error when a node names none. */
  readonly imageNote: string | undefined;
  readonly daemon: string;
  readonly cli: string;
  readonly confFile: string;
  /** The uid the daemon runs as (the image's own user). */
  readonly runAsUser: number;
  readonly terminationGracePeriodSeconds: number;
  /** Whether the daemon knows `rpcauth=`, `rpcwhitelist=` and `chain=`. */
  readonly supports: { readonly rpcauth: boolean; readonly rpcwhitelist: boolean; readonly chainOption: boolean };
  /** The port of each ZeroMQ topic it publishes, and why it lacks the others. */
  readonly zmq: { readonly ports: Partial<Record<ZmqTopic, number>>; readonly unsupported: Partial<Record<ZmqTopic, string>> };
  /** The metrics exporter's port in the pod: must differ from the daemon's. */
  readonly metricsPort: number;
  /** Whether an Electrum server (Fulcrum) may run beside its nodes. */
  readonly electrumIndexer: boolean;
  readonly networkOnlyKeys: readonly string[];
  /** Each tier's default network. */
  readonly tiers: { readonly testnet: string; readonly mainnet: string };
  readonly networks: Readonly<Record<string, UtxoNetworkParams>>;
  /** The profile's own global conf lines (after nodegen's). */
  readonly conf: ReadonlyArray<readonly [string, string | number]>;
  /** The prefix of its file in `dist/<env>/` (files apply in name order). */
  readonly order: number;
  /** Where it is defined, for messages: `chains/litecoind.yaml`, or nodegen's own file. */
  readonly file: string;
  readonly builtIn: boolean;
}

/** Why a node of a profile without `rpcauth` can have no login but the cookie. Said by the schema and by UtxoNode alike. */
export function noRpcauth(profile: Pick<UtxoProfile, 'displayName' | 'version'>): string {
  return `${profile.displayName} ${profile.version} has no rpcauth: a login would need a password in the conf file, which dist/ would publish; only the in-pod cookie login is possible`;
}

/** Client names a profile cannot take: nodegen's other node kinds and the consensus clients. */
export const RESERVED_CLIENTS = ['geth', 'custom', 'lighthouse', 'prysm'] as const;

const DURATION = /^([0-9]+)(s|m|h|d)$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds of a duration such as `90s`, `30m`, `2h`, `7d`. */
export function durationSeconds(d: string): number {
  const m = DURATION.exec(d)!;
  return Number(m[1]) * UNIT_SECONDS[m[2]!]!;
}

/** The zod schema of a profile file, built on first use (it needs schema.ts's building blocks). */
let schema: ReturnType<typeof buildProfileSchema> | undefined;
export function profileSchema(shared: ProfileSchemaParts): ReturnType<typeof buildProfileSchema> {
  return (schema ??= buildProfileSchema(shared));
}

/** What the profile schema borrows from the environment schema, so that both judge alike. */
export interface ProfileSchemaParts {
  readonly dnsLabel: (max?: number) => z.ZodString;
  readonly quantity: z.ZodString;
  readonly image: z.ZodString;
  readonly resources: z.ZodType<ResourcesSpec>;
}

function buildProfileSchema({ dnsLabel, quantity, image, resources }: ProfileSchemaParts) {
  const duration = z.string().regex(DURATION, { message: 'must be a duration such as "90s", "30m", "2h" or "7d"' });
  const binary = z.string().regex(/^[a-z][a-z0-9._-]*$/, { message: 'must be a program name such as "litecoind" (the container runs it by name, from PATH)' });
  const port = z.number().int().min(1024, { message: 'must be 1024 or above: the daemon runs unprivileged' }).max(65535);
  const confKey = z.string().regex(/^[a-z][a-z0-9]*$/, { message: 'must be a conf key such as "mempoolexpiry" (lowercase letters and digits)' });
  const confValue = z.union([z.string().regex(/^[^\n\r#]*$/, { message: 'must be one line without "#"' }), z.number()]);
  const confMap = z.record(confKey, confValue);
  const network = z.strictObject({
    /** Whether this is the chain's mainnet (the mainnet tier runs only these). @default false */
    mainnet: z.boolean().default(false),
    /** The conf file's section for this network: `[main]`, `[test]`... */
    section: z.string().regex(/^[a-z0-9]+$/, { message: 'must be a section name such as "test"' }),
    /**
     * The conf line that selects the network: `chain=<network>` by default where the daemon knows
     * `chain=`; a legacy flag (`testnet=1`) otherwise; `""` writes none (the daemon's default network).
     */
    select: z.string().regex(/^$|^(chain|testnet|testnet4|signet|regtest)=[a-z0-9]+$/, { message: 'must be "chain=<network>", a flag such as "testnet=1", or "" for none' }).optional(),
    /** The datadir subfolder of this network (`testnet4`); `""` for the datadir itself (mainnet). */
    datadir: z.string().regex(/^$|^[a-z0-9]+$/, { message: 'must be a folder name such as "testnet4", or "" for mainnet' }),
    ports: z.strictObject({ p2p: port, rpc: port }),
    storage: z.strictObject({
      /** Realistic minimum volume, unpruned: the chain plus months of growth below the 85% alert. */
      minimum: quantity,
      /** The default size: a year's growth and more. */
      default: quantity,
      /** With `txindex`. @default minimum */
      minimumTxindex: quantity.optional(),
      /** With `txindex`. @default default */
      defaultTxindex: quantity.optional(),
    }),
    /** The daemon's requests and limits here. @default the profile's `resources` */
    resources: resources.optional(),
    readiness: z.strictObject({
      /** The oldest best block a ready node may have: generous against the block time (gaps are random). `0s` turns it off. */
      maxTipAge: duration,
      /** The fewest peers a ready node may have; 0 turns it off. @default 1 */
      minPeers: z.number().int().min(0).default(1),
    }),
    /** How long a first sync may take before the kubelet restarts the pod (startup probe). */
    initialSync: duration,
    /** Sync alerts; `null` for none (regtest). */
    alerts: z.strictObject({ blockTime: duration, headStalledAfter: duration, notSyncedFor: duration, noPeersFor: duration }).nullable(),
    /** A deprecation to warn about on every synth. */
    deprecated: z.string().min(1).optional(),
    /** Conf lines of this network's section, besides nodegen's. @default {} */
    conf: confMap.optional(),
  });
  return z
    .strictObject({
      /** The nodes' `client:`; must be the file's name. */
      client: dnsLabel(30),
      /** The chain, lowercase (`litecoin`): alert labels. */
      chain: dnsLabel(30),
      /** The client's name for people. */
      displayName: z.string().min(1),
      /** The pinned release. */
      version: z.string().regex(/^v?[0-9]+(\.[0-9]+)+([-.][0-9A-Za-z.]+)?$/, { message: 'must be a release such as "0.21.4"' }),
      /** The default image, pinned. @default - none: every node names its image */
      image: image.optional(),
      /** Said when a node names no image and the profile has none. */
      imageNote: z.string().min(1).optional(),
      daemon: binary,
      cli: binary,
      /** The conf file's name (`litecoin.conf`). */
      confFile: z.string().regex(/^[a-z0-9][a-z0-9._-]*\.conf$/, { message: 'must be a file name ending in ".conf"' }),
      /** The image's own non-root user. */
      runAsUser: z.number().int().min(1, { message: 'must not be 0: nodes never run as root' }),
      /** Time to flush the UTXO cache on shutdown. @default 300 */
      terminationGracePeriodSeconds: z.number().int().min(30).max(3600).default(300),
      supports: z.strictObject({
        /** `rpcauth=` (Bitcoin Core 0.12 and later): required for RPC logins; nodegen never writes a password. */
        rpcauth: z.boolean(),
        /** `rpcwhitelist=` (Bitcoin Core 0.20 and later): without it every login may call every method. */
        rpcwhitelist: z.boolean(),
        /** `chain=<network>` (Bitcoin Core 0.17 and later). */
        chainOption: z.boolean(),
      }),
      /** ZeroMQ: the port of each topic the daemon publishes. @default - none */
      zmq: z
        .strictObject({
          ports: z.partialRecord(z.enum(ZMQ_TOPICS as [ZmqTopic, ...ZmqTopic[]]), port),
          /** Why a topic is missing, for the error. */
          unsupported: z.partialRecord(z.enum(ZMQ_TOPICS as [ZmqTopic, ...ZmqTopic[]]), z.string().min(1)).optional(),
        })
        .optional(),
      /** The metrics exporter's port; must differ from every daemon port. @default 9332 */
      metricsPort: port.default(9332),
      /** An Electrum server (Fulcrum) may run beside its nodes. @default false */
      electrumIndexer: z.boolean().default(false),
      /** The daemon's network-only options. @default addnode, bind, connect, port, rpcbind, rpcport, wallet, walletdir */
      networkOnlyKeys: z.array(confKey).optional(),
      /** The daemon's requests and limits. */
      resources: z.strictObject({
        requests: z.strictObject({ cpu: quantity, memory: quantity }),
        limits: z.strictObject({ cpu: quantity, memory: quantity }),
      }),
      /** Each tier's network: a testnet below staging, the mainnet in staging and production. */
      tiers: z.strictObject({ testnet: z.string(), mainnet: z.string() }),
      networks: z.partialRecord(z.enum(UTXO_NETWORK_NAMES), network),
      /** Global conf lines besides nodegen's. @default {} */
      conf: confMap.optional(),
      /** The prefix of the node file in dist/<env>/ (`25-litecoind.yaml`). @default 25 */
      order: z.number().int().min(11).max(39).default(25),
    })
    .superRefine((p, ctx) => {
      if ((RESERVED_CLIENTS as readonly string[]).includes(p.client)) {
        ctx.addIssue({ code: 'custom', path: ['client'], message: `"${p.client}" is one of nodegen's own node kinds (${RESERVED_CLIENTS.join(', ')}); name the profile after its daemon` });
      }
      const names = Object.keys(p.networks);
      if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['networks'], message: 'name at least one network (main, test, testnet4, signet, regtest)' });
      for (const tier of ['testnet', 'mainnet'] as const) {
        const n = p.tiers[tier];
        const net = p.networks[n as UtxoNetworkName];
        if (!net) {
          ctx.addIssue({ code: 'custom', path: ['tiers', tier], message: `unknown network "${n}": the profile's networks are ${names.join(', ') || 'none'}` });
        } else if (net.mainnet !== (tier === 'mainnet')) {
          ctx.addIssue({ code: 'custom', path: ['tiers', tier], message: `the ${tier} tier must run ${tier === 'mainnet' ? 'a mainnet' : 'a test network'}; "${n}" has mainnet: ${net.mainnet}` });
        }
      }
      if (names.filter((n) => p.networks[n as UtxoNetworkName]!.mainnet).length > 1) {
        ctx.addIssue({ code: 'custom', path: ['networks'], message: 'only one network can be the mainnet' });
      }
      const networkOnly: readonly string[] = p.networkOnlyKeys ?? DEFAULT_NETWORK_ONLY_KEYS;
      const confProblems = (conf: Record<string, unknown> | undefined, at: readonly (string | number)[], global: boolean) => {
        for (const key of Object.keys(conf ?? {})) {
          if ((MANAGED_CONF_KEYS as readonly string[]).includes(key)) {
            ctx.addIssue({ code: 'custom', path: [...at, key], message: `"${key}" is written by nodegen (from the environment and its RPC policy); remove it from the profile` });
          } else if (global && networkOnly.includes(key)) {
            ctx.addIssue({ code: 'custom', path: [...at, key], message: `"${key}" is network-only: outside a network's section the daemon refuses to start on a test network; move it to networks.<network>.conf` });
          }
        }
      };
      confProblems(p.conf, ['conf'], true);
      for (const [name, net] of Object.entries(p.networks)) {
        if (!net) continue;
        const at = ['networks', name];
        confProblems(net.conf, [...at, 'conf'], false);
        // Every port of one pod: the daemon's, each ZeroMQ topic's and the exporter's.
        const ports: Array<[string, number, (string | number)[]]> = [
          ['p2p', net.ports.p2p, [...at, 'ports', 'p2p']],
          ['rpc', net.ports.rpc, [...at, 'ports', 'rpc']],
          ...Object.entries(p.zmq?.ports ?? {}).map(([t, n]): [string, number, (string | number)[]] => [`zmq ${t}`, n, ['zmq', 'ports', t]]),
          ['the metrics exporter', p.metricsPort, ['metricsPort']],
        ];
        const seen = new Map<number, string>();
        for (const [what, n, path] of ports) {
          const first = seen.get(n);
          if (first !== undefined) ctx.addIssue({ code: 'custom', path, message: `port ${n} is already ${first}'s on ${name}: every port of a pod must differ` });
          else seen.set(n, what);
        }
        if (net.select === undefined && !p.supports.chainOption && name !== 'main') {
          ctx.addIssue({ code: 'custom', path: [...at, 'select'], message: `the daemon has no "chain=" (supports.chainOption: false): say which line selects ${name}, such as "testnet=1"` });
        }
        if (net.select?.startsWith('chain=') && !p.supports.chainOption) {
          ctx.addIssue({ code: 'custom', path: [...at, 'select'], message: 'the daemon has no "chain=" (supports.chainOption: false): use its legacy flag, such as "testnet=1"' });
        }
        if (net.mainnet && name !== 'main') {
          ctx.addIssue({ code: 'custom', path: [...at, 'mainnet'], message: `the Bitcoin family calls its mainnet "main", not "${name}"` });
        }
      }
      for (const topic of Object.keys(p.zmq?.unsupported ?? {})) {
        if (p.zmq?.ports[topic as ZmqTopic] !== undefined) ctx.addIssue({ code: 'custom', path: ['zmq', 'unsupported', topic], message: `"${topic}" has a port and is listed as unsupported: keep one` });
      }
    });
}

export type ProfileSpec = z.output<ReturnType<typeof buildProfileSchema>>;

function confLines(conf: Record<string, string | number> | undefined): Array<readonly [string, string | number]> {
  return Object.entries(conf ?? {}).map(([k, v]) => [k, v] as const);
}

/** Resolves a validated profile into what the constructs and rules read. */
export function resolveProfile(p: ProfileSpec, file: string, builtIn: boolean): UtxoProfile {
  const networks: Record<string, UtxoNetworkParams> = {};
  for (const [name, n] of Object.entries(p.networks)) {
    if (!n) continue;
    const select = n.select ?? (p.supports.chainOption ? `chain=${name}` : '');
    networks[name] = {
      select: select === '' ? undefined : select,
      section: n.section,
      subdir: n.datadir,
      p2pPort: n.ports.p2p,
      rpcPort: n.ports.rpc,
      minStorage: n.storage.minimum,
      defaultStorage: n.storage.default,
      minStorageTxindex: n.storage.minimumTxindex ?? n.storage.minimum,
      defaultStorageTxindex: n.storage.defaultTxindex ?? n.storage.default,
      ...(n.deprecated ? { deprecated: n.deprecated } : {}),
      maxTipAgeSeconds: durationSeconds(n.readiness.maxTipAge),
      minPeers: n.readiness.minPeers,
      initialSyncMinutes: Math.ceil(durationSeconds(n.initialSync) / 60),
      mainnet: n.mainnet,
      thresholds: n.alerts ?? undefined,
      resources: (n.resources ?? p.resources) as Required<ResourcesSpec>,
      conf: confLines(n.conf),
    };
  }
  return {
    client: p.client,
    chain: p.chain,
    displayName: p.displayName,
    version: p.version,
    image: p.image,
    imageNote: p.imageNote,
    daemon: p.daemon,
    cli: p.cli,
    confFile: p.confFile,
    runAsUser: p.runAsUser,
    terminationGracePeriodSeconds: p.terminationGracePeriodSeconds,
    supports: p.supports,
    zmq: { ports: p.zmq?.ports ?? {}, unsupported: p.zmq?.unsupported ?? {} },
    metricsPort: p.metricsPort,
    electrumIndexer: p.electrumIndexer,
    networkOnlyKeys: p.networkOnlyKeys ?? DEFAULT_NETWORK_ONLY_KEYS,
    tiers: p.tiers,
    networks,
    conf: confLines(p.conf),
    order: p.order,
    file,
    builtIn,
  };
}
