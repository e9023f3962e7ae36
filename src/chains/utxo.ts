import { ConstructError } from '../errors.js';
import { rpcAccessLines, type RpcUser } from './rpc-methods.js';

/**
 * Facts shared by Bitcoin Core and its fork Monacoin, and the renderer of their config file.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/common/args.cpp (network-only options)
 */

/** One network of a Bitcoin-family chain. */
export interface UtxoNetworkParams {
  /** How the conf file selects it (`chain=testnet4`, or a legacy flag line such as `testnet=1`). */
  readonly select: string | undefined;
  /** The conf section whose keys apply on this network. */
  readonly section: string;
  /** The datadir subfolder holding blocks, chainstate and `.cookie`. */
  readonly subdir: string;
  readonly p2pPort: number;
  readonly rpcPort: number;
  /**
   * Realistic minimum data volume, unpruned, without txindex (late 2026): the chain's size plus room
   * for months of growth below the 85% disk alert.
   */
  readonly minStorage: string;
  /** Default size: room for a year's growth and more below the 85% disk alert. */
  readonly defaultStorage: string;
  /** The minimum with `txindex` (the index of every transaction). */
  readonly minStorageTxindex: string;
  /** The default size with `txindex`. */
  readonly defaultStorageTxindex: string;
  /** Set when the network is deprecated: the warning to print. */
  readonly deprecated?: string;
  /**
   * Readiness: the oldest best block a ready node may have, in seconds; 0 turns the check off
   * (regtest mines only on demand). Generous against the block interval, because block gaps are
   * random and every replica sees the same gap: past it the node is stalled or cut off.
   */
  readonly maxTipAgeSeconds: number;
  /** Readiness: the fewest peer connections a ready node may have; 0 turns the check off (regtest). */
  readonly minPeers: number;
  /** How long a first sync may take before the kubelet gives up (startup probe budget). */
  readonly initialSyncMinutes: number;
  /** Whether this is the chain's mainnet. */
  readonly mainnet: boolean;
}

/**
 * Options that a daemon only applies on a test network when written in that network's section;
 * written outside it they stop the daemon at startup.
 */
export const NETWORK_ONLY_KEYS = ['addnode', 'bind', 'connect', 'port', 'rpcbind', 'rpcport', 'wallet', 'walletdir'] as const;

export type ConfValue = string | number | boolean;

/** A conf file: global lines, then the network's section with network-only keys. */
export interface UtxoConf {
  readonly global: ReadonlyArray<readonly [string, ConfValue]>;
  readonly section: string;
  readonly network: ReadonlyArray<readonly [string, ConfValue]>;
}

function line([key, value]: readonly [string, ConfValue]): string {
  return `${key}=${typeof value === 'boolean' ? (value ? 1 : 0) : value}`;
}

/** Renders `bitcoin.conf` / `monacoin.conf` text. Network-only keys outside the section are refused. */
export function renderUtxoConf(conf: UtxoConf, header: string): string {
  for (const [key] of conf.global) {
    if ((NETWORK_ONLY_KEYS as readonly string[]).includes(key)) {
      throw new ConstructError(`"${key}" is network-only: it belongs under [${conf.section}]`);
    }
  }
  return [
    ...header.split('\n').map((l) => `# ${l}`.trimEnd()),
    ...conf.global.map(line),
    '',
    `[${conf.section}]`,
    ...conf.network.map(line),
    '',
  ].join('\n');
}

/** Bitcoin Core's RPC work queue and threads are fine at defaults; these are what nodegen sets. */
export interface UtxoOptions {
  /** Every login (the cookie's included) with the methods it may call. */
  readonly rpcUsers: readonly RpcUser[];
  readonly rpcAllowIps: readonly string[];
  readonly prune: number;
  readonly txindex: boolean;
  readonly dbcache: number;
  readonly maxConnections: number;
  readonly externalIp?: string;
}

/** The conf lines both daemons share; `select` picks the network. */
export function utxoConf(params: UtxoNetworkParams, o: UtxoOptions): UtxoConf {
  const global: Array<readonly [string, ConfValue]> = [];
  if (params.select) {
    const [k, v] = params.select.split('=') as [string, string];
    global.push([k, v]);
  }
  global.push(
    ['server', true],
    ['listen', true],
    ['printtoconsole', true],
    // The console is the log (kubectl logs); no debug.log filling the data volume as well. The
    // negated form: `debuglogfile=0` would name a file "0" (Bitcoin Core src/init/common.cpp
    // SetLoggingOptions: m_print_to_file = !IsArgNegated("-debuglogfile"); Monacoin v0.20.3
    // src/init.cpp:855, the `no` prefix in src/util/system.cpp:194-211 InterpretOption).
    ['nodebuglogfile', true],
    ['disablewallet', true],
    // REST answers without a login, so it would bypass rpcauth and rpcwhitelist: off, and said so.
    ['rest', false],
    ['txindex', o.txindex],
    ['prune', o.prune],
    ['dbcache', o.dbcache],
    ['maxconnections', o.maxConnections],
    // Loopback for the in-pod probes and cli (cookie auth), then the cluster's own ranges.
    ['rpcallowip', '127.0.0.1'],
    ...o.rpcAllowIps.map((ip) => ['rpcallowip', ip] as const),
    // Each login gets only its listed methods; a login without a list gets none.
    ...rpcAccessLines(o.rpcUsers),
  );
  const network: Array<readonly [string, ConfValue]> = [
    ['port', params.p2pPort],
    ['rpcport', params.rpcPort],
    // rpcbind is ignored unless rpcallowip is set (it is, above).
    ['rpcbind', '0.0.0.0'],
  ];
  if (o.externalIp) network.push(['externalip', o.externalIp]);
  return { global, section: params.section, network };
}
