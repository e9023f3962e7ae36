/**
 * Consensus (beacon) client facts. Since the Merge geth cannot follow the chain alone: it needs a
 * beacon node over the Engine API, sharing one JWT secret.
 * @see https://lighthouse-book.sigmaprime.io/help_bn.html
 * @see https://www.offchainlabs.com/prysm/docs/ (Prysm parameters)
 */
import type { GethNetwork } from './geth.js';

export type ConsensusClientKind = 'lighthouse' | 'prysm';

export const CONSENSUS_IMAGES: Record<ConsensusClientKind, string> = {
  lighthouse: 'sigp/lighthouse:v8.2.2',
  // Prysm's images moved to gcr.io/offchainlabs/... in v6.0.1 (cmd/beacon-chain/BUILD.bazel, `repository`,
  // at v7.1.6:78); v7.1.8 is the newest release (OffchainLabs/prysm PR 17252, changelog of 2026-07-27).
  prysm: 'gcr.io/offchainlabs/prysm/beacon-chain:v7.1.8',
};

export interface ConsensusPorts {
  /** Beacon API (HTTP). */
  readonly http: number;
  /** P2P TCP. */
  readonly p2pTcp: number;
  /** P2P UDP (discovery). */
  readonly p2pUdp: number;
  /** QUIC (UDP). */
  readonly quic?: number;
  /** Prometheus metrics. */
  readonly metrics: number;
}

export const CONSENSUS_PORTS: Record<ConsensusClientKind, ConsensusPorts> = {
  lighthouse: { http: 5052, p2pTcp: 9000, p2pUdp: 9000, quic: 9001, metrics: 5054 },
  prysm: { http: 3500, p2pTcp: 13000, p2pUdp: 12000, quic: 13000, metrics: 8080 },
};

/** Public checkpoint sync endpoints; operators may point at their own beacon node instead. */
export const CHECKPOINT_SYNC_URLS: Record<GethNetwork, string> = {
  mainnet: 'https://mainnet-checkpoint-sync.attestant.io',
  hoodi: 'https://checkpoint-sync.hoodi.ethpandaops.io',
  sepolia: 'https://checkpoint-sync.sepolia.ethpandaops.io',
};

/** Realistic minimum beacon data volume (checkpoint-synced, with blobs kept for the spec window). */
export const CONSENSUS_MIN_STORAGE: Record<GethNetwork, string> = {
  mainnet: '200Gi',
  sepolia: '100Gi',
  hoodi: '80Gi',
};

export const CONSENSUS_DEFAULT_STORAGE: Record<GethNetwork, string> = {
  mainnet: '400Gi',
  sepolia: '200Gi',
  hoodi: '150Gi',
};
