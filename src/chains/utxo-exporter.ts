/**
 * The metrics exporter for bitcoind and monacoind, which serve no metrics themselves:
 * jvstein/bitcoin-prometheus-exporter, a maintained Python exporter that reads the daemon's RPC.
 * Monacoin Core 0.20 is Bitcoin Core 0.20 with Monacoin's parameters and answers the same RPC calls.
 *
 * It logs in with its own RPC user, whose password comes from a Secret the operator creates in the
 * node's namespace (never written into dist/), and that user may call only the read-only methods
 * below. With `BITCOIN_RPC_USER` and `BITCOIN_RPC_PASSWORD` set and no `BITCOIN_CONF_PATH`, the
 * exporter builds `http://<user>:<password>@<host>:<port>` (`rpc_client_factory`); it does not
 * URL-quote them, so the password must be URL-safe, which `nodegen rpcauth` passwords (base64url) are.
 * @see https://github.com/jvstein/bitcoin-prometheus-exporter/blob/v0.7.0/bitcoind-monitor.py (l. 128-133 environment, l. 161-181 `rpc_client_factory`)
 */
import type { RpcUser } from './rpc-methods.js';

/**
 * Pinned release. `v0.7.0` is the tag the project's README runs; the project pushes `vX.Y.Z` tags
 * to Docker Hub (Makefile `docker-release`). Re-check the metric names in metrics.ts and
 * {@link EXPORTER_METHODS} when moving it.
 */
export const UTXO_EXPORTER_IMAGE = 'jvstein/bitcoin-prometheus-exporter:v0.7.0';

/** The exporter's default `METRICS_PORT`. */
export const UTXO_EXPORTER_PORT = 9332;

/**
 * Every method v0.7.0 calls (`bitcoind-monitor.py`: l. 209 getblockstats, l. 231 estimatesmartfee,
 * l. 260 getnetworkhashps, l. 267-278 the refresh), all read-only.
 */
export const EXPORTER_METHODS: readonly string[] = [
  'estimatesmartfee', 'getblockchaininfo', 'getblockstats', 'getchaintips', 'getchaintxstats', 'getmemoryinfo', 'getmempoolinfo',
  'getnettotals', 'getnetworkhashps', 'getnetworkinfo', 'getrpcinfo', 'listbanned', 'uptime',
];

/** The key of the exporter's password in its Secret. */
export const EXPORTER_SECRET_KEY = 'password';

/** The Secret holding the exporter's password, in the node's namespace; created by the operator. */
export function exporterSecretName(node: string): string {
  return `${node}-rpc-exporter`;
}

/** The exporter's login: the user of its `rpcauth` line with the methods it calls. */
export function exporterRpcUser(rpcauth: string): RpcUser {
  return { user: rpcauth.slice(0, rpcauth.indexOf(':')), rpcauth, methods: EXPORTER_METHODS };
}
