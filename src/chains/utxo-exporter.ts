/**
 * The metrics exporter for bitcoind and monacoind, which serve no metrics themselves:
 * jvstein/bitcoin-prometheus-exporter, a maintained Python exporter that reads the daemon's RPC.
 * Monacoin Core 0.20 is Bitcoin Core 0.20 with Monacoin's parameters and answers the same RPC calls.
 *
 * Authentication without a password: with `BITCOIN_CONF_PATH` set, the exporter builds its RPC
 * client from that file through python-bitcoinlib, which reads `rpcconnect`, `rpcport` and
 * `datadir` and authenticates with the `.cookie` file in `datadir` (it appends no network
 * subfolder, so `datadir` names the folder that holds the cookie). The daemon writes a fresh
 * cookie at every start and the exporter reads it on every refresh, so nothing secret is in
 * dist/ and no Secret is needed. The sidecar runs as the daemon's user, mounts the data volume
 * read-only, and reads the cookie (mode 0600) as its owner.
 * @see https://github.com/jvstein/bitcoin-prometheus-exporter/blob/master/bitcoind-monitor.py (`rpc_client_factory`)
 * @see https://github.com/petertodd/python-bitcoinlib/blob/master/bitcoin/rpc.py (`BaseProxy.__init__`: cookie_dir)
 */
import type { UtxoNetworkParams } from './utxo.js';

/**
 * Pinned release. `v0.7.0` is the tag the project's README runs; the project pushes `vX.Y.Z` tags
 * to Docker Hub (Makefile `docker-release`). Re-check the metric names in metrics.ts when moving it.
 */
export const UTXO_EXPORTER_IMAGE = 'jvstein/bitcoin-prometheus-exporter:v0.7.0';

/** The exporter's default `METRICS_PORT`. */
export const UTXO_EXPORTER_PORT = 9332;

/** File name of the exporter's conf in the node's ConfigMap. */
export const UTXO_EXPORTER_CONF = 'exporter.conf';

/**
 * The exporter's conf: where RPC listens and which folder holds the cookie. It carries no
 * credentials; python-bitcoinlib reads `<datadir>/.cookie`.
 */
export function renderExporterConf(params: UtxoNetworkParams, dataDir: string): string {
  const cookieDir = params.subdir ? `${dataDir}/${params.subdir}` : dataDir;
  return [
    '# Read by the metrics exporter (python-bitcoinlib), written by nodegen. No password:',
    '# the exporter authenticates with the .cookie file the daemon writes into datadir.',
    'rpcconnect=127.0.0.1',
    `rpcport=${params.rpcPort}`,
    `datadir=${cookieDir}`,
    '',
  ].join('\n');
}
