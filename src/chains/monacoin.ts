/**
 * Monacoin facts per network. Monacoin's ports are its own, not Bitcoin's: mainnet RPC is P2P+1
 * while testnet RPC is P2P-1. The testnet data folder is called `testnet4` (Monacoin's own name,
 * unrelated to Bitcoin's testnet4) but its conf section is `[test]`.
 * @see https://github.com/monacoinproject/monacoin/blob/master-0.20/src/chainparamsbase.cpp
 * @see https://github.com/monacoinproject/monacoin/blob/master-0.20/src/chainparams.cpp
 */
import type { UtxoNetworkParams } from './utxo.js';

export type MonacoinNetwork = 'main' | 'test' | 'regtest';

/** The pinned Monacoin Core release; docker/monacoind/Dockerfile builds an image of it. */
export const MONACOIN_VERSION = '0.20.4';

export const MONACOIN_NETWORKS: Record<MonacoinNetwork, UtxoNetworkParams> = {
  // Tip age for readiness: 90-second blocks, so 30 min is 20 intervals on mainnet; the thinly
  // mined testnet gets 2 h.
  // v0.20 accepts `chain=main|test|regtest` too (v0.20.3 src/chainparamsbase.cpp:20); nodegen writes
  // the equivalent legacy flags, global options `testnet=1` and `regtest=1` (line 24: "Equivalent to -chain=test").
  main: { select: undefined, section: 'main', subdir: '', p2pPort: 9401, rpcPort: 9402, minStorage: '20Gi', defaultStorage: '50Gi', minStorageTxindex: '25Gi', defaultStorageTxindex: '60Gi', initialSyncMinutes: 4320, maxTipAgeSeconds: 1800, minPeers: 1, mainnet: true },
  test: { select: 'testnet=1', section: 'test', subdir: 'testnet4', p2pPort: 19403, rpcPort: 19402, minStorage: '5Gi', defaultStorage: '20Gi', minStorageTxindex: '6Gi', defaultStorageTxindex: '24Gi', initialSyncMinutes: 1440, maxTipAgeSeconds: 7200, minPeers: 1, mainnet: false },
  regtest: { select: 'regtest=1', section: 'regtest', subdir: 'regtest', p2pPort: 20444, rpcPort: 19443, minStorage: '1Gi', defaultStorage: '5Gi', minStorageTxindex: '1Gi', defaultStorageTxindex: '5Gi', initialSyncMinutes: 30, maxTipAgeSeconds: 0, minPeers: 0, mainnet: false },
};
