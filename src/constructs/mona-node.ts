/**
 * A Monacoin Core full node: {@link UtxoNode} with the built-in profile src/chains/profiles/monacoind.yaml.
 */
import type { Construct } from 'constructs';
import { builtInProfile } from '../chains/profiles.js';
import { UtxoNode, type UtxoNodeProps } from './utxo-node.js';

export interface MonaNodeProps extends UtxoNodeProps {
  /** `main`, `test` (data in `testnet4/`, conf section `[test]`) or `regtest`. @default 'test' */
  readonly network?: string;
  /**
   * The monacoind image. No maintained public image exists: build docker/monacoind/Dockerfile
   * (pinned release, checksum verified) and push it to your registry.
   */
  readonly image: string;
}

/**
 * monacoind with Monacoin's own ports (mainnet RPC is P2P+1, testnet RPC is P2P-1), `monacoin.conf`
 * in a ConfigMap, `rpcauth` credentials and cookie-authenticated probes through `monacoin-cli`.
 * @see https://github.com/monacoinproject/monacoin
 */
export class MonaNode extends UtxoNode {
  constructor(scope: Construct, id: string, props: MonaNodeProps) {
    super(scope, id, builtInProfile('monacoind'), props);
  }
}
