/**
 * A Bitcoin Core full node: {@link UtxoNode} with the built-in profile src/chains/profiles/bitcoind.yaml.
 */
import type { Construct } from 'constructs';
import { builtInProfile } from '../chains/profiles.js';
import { UtxoNode, type UtxoNodeProps } from './utxo-node.js';

export interface BitcoindNodeProps extends UtxoNodeProps {
  /**
   * `main`, `testnet4`, `signet`, `regtest`, or the deprecated `test` (testnet3, with a warning).
   * @default 'testnet4'
   */
  readonly network?: string;
}

/**
 * bitcoind with `bitcoin.conf` in a ConfigMap (network-only keys under the network's section),
 * RPC through `rpcauth` hashes only, readiness (initial block download over, header lag, tip age,
 * peers) via `bitcoin-cli` with cookie authentication.
 * @see https://github.com/bitcoin/bitcoin/blob/master/doc/bitcoin-conf.md
 */
export class BitcoindNode extends UtxoNode {
  constructor(scope: Construct, id: string, props: BitcoindNodeProps = {}) {
    super(scope, id, builtInProfile('bitcoind'), props);
  }
}
