/**
 * go-ethereum facts: networks, ports and the flags nodegen writes. Pinned to the image below;
 * re-check every fact here when the pin moves.
 * @see https://github.com/ethereum/go-ethereum/blob/master/cmd/utils/flags.go
 */

/** Networks geth selects with a flag of the same name. */
export type GethNetwork = 'mainnet' | 'hoodi' | 'sepolia';

/** The pinned image: a release tag, never `latest` (a build of master) nor `stable` (moves). */
export const GETH_IMAGE = 'ethereum/client-go:v1.17.5';

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

/**
 * Realistic minimum data volume per network for a snap-synced, full-gc node in 2026 (archive
 * nodes need far more). Used to default and to check sizes.
 */
export const GETH_MIN_STORAGE: Record<GethNetwork, string> = {
  mainnet: '1536Gi',
  sepolia: '750Gi',
  hoodi: '150Gi',
};

/** Default size: the minimum plus room for a year of growth. */
export const GETH_DEFAULT_STORAGE: Record<GethNetwork, string> = {
  mainnet: '2Ti',
  sepolia: '1Ti',
  hoodi: '300Gi',
};
