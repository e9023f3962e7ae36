/**
 * A Monacoin Core full node.
 */
import { ConstructError } from '../errors.js';
import type { Construct } from 'constructs';
import { MONACOIN_NETWORKS, type MonacoinNetwork } from '../chains/monacoin.js';
import { MONACOIN_THRESHOLDS } from '../chains/alert-thresholds.js';
import { UtxoNode, type UtxoNodeProps } from './utxo-node.js';

export interface MonaNodeProps extends UtxoNodeProps {
  /** `main`, `test` (data in `testnet4/`, conf section `[test]`) or `regtest`. @default 'test' */
  readonly network?: MonacoinNetwork;
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
  readonly client = 'monacoind';
  readonly network: MonacoinNetwork;

  constructor(scope: Construct, id: string, props: MonaNodeProps) {
    if (!props.image) {
      throw new ConstructError(`${id}: monacoind needs an image: build docker/monacoind/Dockerfile, push it, and set image (no public image is maintained)`, { node: id });
    }
    const network = props.network ?? 'test';
    super(scope, id, props, {
      client: 'monacoind',
      chain: 'monacoin',
      thresholds: MONACOIN_THRESHOLDS[network],
      daemon: 'monacoind',
      cli: 'monacoin-cli',
      confFile: 'monacoin.conf',
      params: MONACOIN_NETWORKS[network],
      image: props.image,
      // The `monacoin` user of docker/monacoind/Dockerfile.
      runAsUser: 10001,
      defaultResources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
      terminationGracePeriodSeconds: 300,
    });
    this.network = network;
  }
}
