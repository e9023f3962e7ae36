/**
 * Bitcoin Core facts per network.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/chainparamsbase.cpp
 */
import type { UtxoNetworkParams } from './utxo.js';

export type BitcoinNetwork = 'main' | 'testnet4' | 'signet' | 'regtest' | 'test';

/**
 * The Bitcoin Core project publishes no image; `bitcoin/bitcoin` is the community image built
 * from the release binaries. Pinned to an exact release: 31.1, the newest (doc/release-notes/
 * release-notes-31.1.md in bitcoin/bitcoin). 31.0 raised the default dbcache to 1024 MiB where 4 GiB
 * of RAM is detected, which in a container may be the host's: nodegen always writes `dbcache`.
 */
export const BITCOIND_IMAGE = 'bitcoin/bitcoin:31.1';

/*
 * Mainnet sizes: upstream assumes 856 GB of blocks plus 14 GB of chainstate (chainparams.cpp,
 * m_assumed_blockchain_size / m_assumed_chain_state_size), 870 GB = 810 GiB, growing by roughly
 * 100 GiB a year; txindex adds about 64 GiB. The minimum (1152 GiB) starts at 70% and reaches the
 * 85% disk alert after about 1.7 years; the default (1536 GiB, 53%) after about 5 years.
 *
 * Tip age for readiness: 10-minute blocks, so a 2 h gap (12 intervals) happens about once in
 * e^12 ≈ 160,000 blocks on mainnet and signet; testnet4 and testnet3, mined erratically, get 3 h.
 */
export const BITCOIN_NETWORKS: Record<BitcoinNetwork, UtxoNetworkParams> = {
  main: { select: 'chain=main', section: 'main', subdir: '', p2pPort: 8333, rpcPort: 8332, minStorage: '1152Gi', defaultStorage: '1536Gi', minStorageTxindex: '1280Gi', defaultStorageTxindex: '1664Gi', initialSyncMinutes: 10080, maxTipAgeSeconds: 7200, minPeers: 1, mainnet: true },
  testnet4: { select: 'chain=testnet4', section: 'testnet4', subdir: 'testnet4', p2pPort: 48333, rpcPort: 48332, minStorage: '50Gi', defaultStorage: '100Gi', minStorageTxindex: '60Gi', defaultStorageTxindex: '120Gi', initialSyncMinutes: 2880, maxTipAgeSeconds: 10800, minPeers: 1, mainnet: false },
  signet: { select: 'chain=signet', section: 'signet', subdir: 'signet', p2pPort: 38333, rpcPort: 38332, minStorage: '20Gi', defaultStorage: '50Gi', minStorageTxindex: '25Gi', defaultStorageTxindex: '60Gi', initialSyncMinutes: 1440, maxTipAgeSeconds: 7200, minPeers: 1, mainnet: false },
  regtest: { select: 'chain=regtest', section: 'regtest', subdir: 'regtest', p2pPort: 18444, rpcPort: 18443, minStorage: '1Gi', defaultStorage: '5Gi', minStorageTxindex: '1Gi', defaultStorageTxindex: '5Gi', initialSyncMinutes: 30, maxTipAgeSeconds: 0, minPeers: 0, mainnet: false },
  test: {
    select: 'chain=test', section: 'test', subdir: 'testnet3', p2pPort: 18333, rpcPort: 18332, minStorage: '250Gi', defaultStorage: '300Gi', minStorageTxindex: '280Gi', defaultStorageTxindex: '340Gi', initialSyncMinutes: 5760, maxTipAgeSeconds: 10800, minPeers: 1, mainnet: false,
    deprecated: 'testnet3 ("test") is deprecated since Bitcoin Core 28 and will be removed; use testnet4',
  },
};
