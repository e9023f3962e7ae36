/**
 * A Bitcoin Core full node.
 */
import type { Construct } from 'constructs';
import { BITCOIND_IMAGE, BITCOIN_NETWORKS, type BitcoinNetwork } from '../chains/bitcoin.js';
import { BITCOIN_THRESHOLDS } from '../chains/alert-thresholds.js';
import { UtxoNode, type UtxoNodeProps } from './utxo-node.js';

export interface BitcoindNodeProps extends UtxoNodeProps {
  /**
   * `main`, `testnet4`, `signet`, `regtest`, or the deprecated `test` (testnet3, with a warning).
   * @default 'testnet4'
   */
  readonly network?: BitcoinNetwork;
}

/**
 * bitcoind with `bitcoin.conf` in a ConfigMap (network-only keys under the network's section),
 * RPC through `rpcauth` hashes only, readiness (initial block download over, header lag, tip age,
 * peers) via `bitcoin-cli` with cookie authentication.
 * @see https://github.com/bitcoin/bitcoin/blob/master/doc/bitcoin-conf.md
 */
export class BitcoindNode extends UtxoNode {
  readonly client = 'bitcoind';
  readonly network: BitcoinNetwork;

  constructor(scope: Construct, id: string, props: BitcoindNodeProps = {}) {
    const network = props.network ?? 'testnet4';
    const main = network === 'main';
    super(scope, id, props, {
      client: 'bitcoind',
      chain: 'bitcoin',
      thresholds: BITCOIN_THRESHOLDS[network],
      daemon: 'bitcoind',
      cli: 'bitcoin-cli',
      confFile: 'bitcoin.conf',
      params: BITCOIN_NETWORKS[network],
      image: BITCOIND_IMAGE,
      // The bitcoin/bitcoin image's own `bitcoin` user.
      runAsUser: 101,
      defaultResources: {
        requests: { cpu: main ? '2' : '1', memory: main ? '4Gi' : '2Gi' },
        limits: { cpu: main ? '4' : '2', memory: main ? '8Gi' : '4Gi' },
      },
      // Flushing a large dbcache to disk on shutdown takes minutes; a kill forces a long replay.
      terminationGracePeriodSeconds: 600,
    });
    this.network = network;
  }
}
