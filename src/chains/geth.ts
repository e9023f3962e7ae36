/**
 * go-ethereum facts: networks, ports and the flags nodegen writes. Pinned to the image below;
 * re-check every fact here when the pin moves.
 * @see https://github.com/ethereum/go-ethereum/blob/master/cmd/utils/flags.go
 */

/** Networks geth selects with a flag of the same name. */
export type GethNetwork = 'mainnet' | 'hoodi' | 'sepolia';

/** The pinned image: a release tag, never `latest` (a build of master) nor `stable` (moves). */
/**
 * The last day each network is supported by the client teams, where an end has been announced
 * (Sepolia: 2026-09-30, per the chain-facts notes and the Ethereum Foundation's testnet plan;
 * Hoodi replaces it for application testing).
 */
export const GETH_NETWORK_SUPPORT_ENDS: Partial<Record<GethNetwork, string>> = { sepolia: '2026-09-30' };

/** A warning for a network whose support has ended or ends within 90 days of `today`, else undefined. */
export function gethNetworkSupportWarning(network: GethNetwork, today: Date): string | undefined {
  const end = GETH_NETWORK_SUPPORT_ENDS[network];
  if (!end) return undefined;
  const days = Math.floor((Date.parse(`${end}T23:59:59Z`) - today.getTime()) / 86_400_000);
  if (days < 0) return `${network} is past its support window (ended ${end}): clients may stop following it; move to hoodi`;
  if (days <= 90) return `${network}'s support window ends ${end} (in ${days} days): plan the move to hoodi`;
  return undefined;
}

/*
 * v1.17.10 is the newest release tag on 2026-12-06 (the Go module proxy lists v1.17.6 to v1.17.10,
 * v1.17.10 published 2026-10-23; `go list -m -versions github.com/ethereum/go-ethereum`). Its flags
 * were re-read for this pin: --history.chain/.transactions/.logs and --nat in cmd/utils/flags.go,
 * the defaults in eth/ethconfig/config.go:58-59.
 */
export const GETH_IMAGE = 'ethereum/client-go:v1.17.10';

export const GETH_PORTS = {
  /** HTTP JSON-RPC (`--http.port`). */
  http: 8545,
  /** WebSocket JSON-RPC (`--ws.port`). */
  ws: 8546,
  /** Engine API for the consensus client (`--authrpc.port`), bound to localhost only. */
  authrpc: 8551,
  /** P2P, TCP and UDP (`--port`). */
  p2p: 30303,
  /** Prometheus metrics (`--metrics.port`), path `/debug/metrics/prometheus`. */
  metrics: 6060,
} as const;

export const GETH_METRICS_PATH = '/debug/metrics/prometheus';

/** Namespaces safe to serve to the apps in the cluster. */
export const GETH_SAFE_APIS = ['eth', 'net', 'web3'] as const;

/**
 * Namespaces that must never be served on an endpoint reachable from outside the pod: they
 * expose node administration, tracing that can exhaust the node, or the mempool internals.
 */
export const GETH_UNSAFE_APIS = ['admin', 'debug', 'miner', 'txpool', 'personal', 'engine'] as const;

/**
 * Flags removed from geth (the version that removed each is in chain-facts): emitting any of them
 * makes geth refuse to start. Tests assert nodegen never writes one.
 */
export const GETH_REMOVED_FLAGS = [
  '--testnet', '--rpc', '--rpcaddr', '--rpcport', '--rpcapi', '--rpccorsdomain', '--rpcvhosts',
  '--goerli', '--unlock', '--allow-insecure-unlock', '--mine', '--miner.etherbase', '--txlookuplimit',
  '--nousb', '--metrics.expensive', '--rpc.enabledeprecatedpersonal', '--light.serve', '--lightkdf',
  '--whitelist', '--ethash.dagdir',
] as const;

/** How much chain history geth keeps (`--history.chain`): all of it, or only since the Merge. */
export type GethHistoryChain = 'all' | 'postmerge';

/**
 * geth's own default for the transaction and log indexes: about the last year of blocks
 * (go-ethereum v1.17.5 and v1.17.10 eth/ethconfig/config.go:58-59, `TransactionHistory`/`LogHistory` 2350000).
 * nodegen writes both flags explicitly; 0 indexes the whole chain.
 */
export const GETH_DEFAULT_INDEX_BLOCKS = 2_350_000;

/** What decides a geth volume's size. */
export interface GethStorageFacts {
  readonly gcMode: 'full' | 'archive';
  readonly historyChain: GethHistoryChain;
  /** Index the transactions of the whole chain (`--history.transactions=0`; archive always does). */
  readonly fullTransactionIndex: boolean;
  /** Index the logs of the whole chain (`--history.logs=0`). */
  readonly fullLogIndex: boolean;
}

/** Planning figures, GiB, late 2026 (estimates, not measurements; raise them as the chains grow). */
const SIZES: Record<GethNetwork, {
  /** Snap-synced, full gc, all chain history, geth's default (one-year) indexes. */
  readonly base: number;
  /** Extra for indexing every transaction / every log instead of the last 2,350,000 blocks. */
  readonly fullTxIndex: number;
  readonly fullLogIndex: number;
  /** Saved by `--history.chain=postmerge` (pre-merge bodies and receipts). */
  readonly preMerge: number;
  /** Floor for `--gcmode=archive` (path-scheme archive; hash-scheme archives are several times larger). */
  readonly archive: number;
  /** A year of growth, added to the minimum for the default size. */
  readonly growth: number;
}> = {
  mainnet: { base: 1536, fullTxIndex: 128, fullLogIndex: 64, preMerge: 350, archive: 3072, growth: 576 },
  sepolia: { base: 750, fullTxIndex: 32, fullLogIndex: 16, preMerge: 0, archive: 1536, growth: 256 },
  hoodi: { base: 150, fullTxIndex: 16, fullLogIndex: 8, preMerge: 0, archive: 400, growth: 150 },
};

/**
 * Realistic minimum and default (minimum plus a year of growth) data volume for a geth node, by the
 * history it keeps. Archive nodes get only a floor: nodegen asks for their size explicitly.
 */
export function gethStorage(network: GethNetwork, f: GethStorageFacts): { readonly min: string; readonly defaultSize: string } {
  const s = SIZES[network];
  let min: number;
  if (f.gcMode === 'archive') {
    min = s.archive;
  } else {
    min = s.base + (f.fullTransactionIndex ? s.fullTxIndex : 0) + (f.fullLogIndex ? s.fullLogIndex : 0) - (f.historyChain === 'postmerge' ? s.preMerge : 0);
  }
  return { min: `${min}Gi`, defaultSize: `${min + s.growth}Gi` };
}

/** What nodegen writes by default: everything the wallets and analytics teams look up. */
export const GETH_DEFAULT_HISTORY: GethStorageFacts = { gcMode: 'full', historyChain: 'all', fullTransactionIndex: true, fullLogIndex: true };

/** Minimum per network for nodegen's default history (whole-chain indexes, all chain history). */
export const GETH_MIN_STORAGE: Record<GethNetwork, string> = {
  mainnet: gethStorage('mainnet', GETH_DEFAULT_HISTORY).min,
  sepolia: gethStorage('sepolia', GETH_DEFAULT_HISTORY).min,
  hoodi: gethStorage('hoodi', GETH_DEFAULT_HISTORY).min,
};

/** Default size per network for nodegen's default history: the minimum plus a year of growth. */
export const GETH_DEFAULT_STORAGE: Record<GethNetwork, string> = {
  mainnet: gethStorage('mainnet', GETH_DEFAULT_HISTORY).defaultSize,
  sepolia: gethStorage('sepolia', GETH_DEFAULT_HISTORY).defaultSize,
  hoodi: gethStorage('hoodi', GETH_DEFAULT_HISTORY).defaultSize,
};
