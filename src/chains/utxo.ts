import { ConstructError } from '../errors.js';
import type { UtxoNetworkParams } from './profile.js';
import { rpcAccessLines, type RpcUser } from './rpc-methods.js';

/**
 * The config file of every Bitcoin-family daemon (bitcoin.conf, monacoin.conf, a profile's own):
 * what nodegen writes, and its renderer.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/common/args.cpp (network-only options)
 */

export type ConfValue = string | number | boolean;

/** A conf file: global lines, then the network's section with network-only keys. */
export interface UtxoConf {
  readonly global: ReadonlyArray<readonly [string, ConfValue]>;
  readonly section: string;
  readonly network: ReadonlyArray<readonly [string, ConfValue]>;
  /** The daemon's network-only keys, refused among the global lines. */
  readonly networkOnlyKeys: readonly string[];
}

function line([key, value]: readonly [string, ConfValue]): string {
  return `${key}=${typeof value === 'boolean' ? (value ? 1 : 0) : value}`;
}

/** Renders `bitcoin.conf` / `monacoin.conf` text. Network-only keys outside the section are refused. */
export function renderUtxoConf(conf: UtxoConf, header: string): string {
  for (const [key] of conf.global) {
    if (conf.networkOnlyKeys.includes(key)) {
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
  readonly networkOnlyKeys: readonly string[];
  /** Whether the daemon knows `rpcwhitelist` (else every login may call every method: policy/rpc-methods says so). */
  readonly rpcwhitelist: boolean;
  /** The profile's own global lines, after nodegen's. */
  readonly conf: ReadonlyArray<readonly [string, ConfValue]>;
  /** Every login (the cookie's included) with the methods it may call. */
  readonly rpcUsers: readonly RpcUser[];
  readonly rpcAllowIps: readonly string[];
  readonly prune: number;
  readonly txindex: boolean;
  readonly dbcache: number;
  readonly maxConnections: number;
  readonly externalIp?: string;
}

/** The conf lines nodegen writes for every Bitcoin-family daemon; `select` picks the network. */
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
    ...rpcAccessLines(o.rpcUsers).filter(([k]) => o.rpcwhitelist || !k.startsWith('rpcwhitelist')),
    ...o.conf,
  );
  const network: Array<readonly [string, ConfValue]> = [
    ['port', params.p2pPort],
    ['rpcport', params.rpcPort],
    // rpcbind is ignored unless rpcallowip is set (it is, above).
    ['rpcbind', '0.0.0.0'],
  ];
  if (o.externalIp) network.push(['externalip', o.externalIp]);
  network.push(...params.conf);
  return { global, section: params.section, network, networkOnlyKeys: o.networkOnlyKeys };
}
