/**
 * When a node counts as stalled or behind, per chain and network. Block times differ by two orders
 * of magnitude (Ethereum 12 s slots, Monacoin about 90 s, Bitcoin about 10 min), so a window that
 * is right for one chain is noise or blindness for another.
 *
 * Windows are chosen so a healthy network almost never trips them: blocks arrive roughly as a
 * Poisson process, so the chance of no block in a window of k block times is about e^-k. Bitcoin's
 * 2 h window is 12 block times (e^-12: about once in three years of blocks); Monacoin's 30 min is 20.
 * Test networks are irregular (testnet4's difficulty resets, Monacoin's small testnet), so their
 * windows are wider. Regtest makes blocks only on request: no stall or peer alerts there.
 */
import type { GethNetwork } from './geth.js';

/** Prometheus duration, such as `30s`, `5m`, `2h`. */
export type PromDuration = string;

/** One chain network's sync thresholds. */
export interface SyncThresholds {
  /** The chain's typical block (or slot) interval; the basis of the numbers below. */
  readonly blockTime: PromDuration;
  /** Head unchanged for this long: the node stopped following the chain. */
  readonly headStalledAfter: PromDuration;
  /** Behind for this long: the node is not synced. */
  readonly notSyncedFor: PromDuration;
  /** Connected to no peer for this long. */
  readonly noPeersFor: PromDuration;
}

/** Ethereum execution layer: geth's head header ahead of its head block by more than this. */
export const GETH_MAX_BLOCK_LAG = 64;
/** Ethereum consensus layer: beacon head behind the wall-clock slot by more than one epoch (32 slots). */
export const BEACON_MAX_SLOT_LAG = 32;
/**
 * Bitcoin Core's `verificationprogress` below this counts as not synced. The estimate is the tip's
 * transaction count over the expected count now, so a synced node reads above 0.99999 while a
 * Bitcoin mainnet node five hours behind reads about 0.9999.
 */
export const UTXO_MIN_VERIFICATION_PROGRESS = 0.9999;

const ETHEREUM: SyncThresholds = { blockTime: '12s', headStalledAfter: '5m', notSyncedFor: '30m', noPeersFor: '10m' };

export const GETH_THRESHOLDS: Record<GethNetwork, SyncThresholds> = {
  mainnet: ETHEREUM,
  sepolia: ETHEREUM,
  hoodi: ETHEREUM,
};

// The Bitcoin family's thresholds are in each chain profile (src/chains/profiles/*.yaml, `alerts`).

/** Thresholds that do not depend on the chain. */
export const COMMON_THRESHOLDS = {
  /** Volume used above this fraction: almost full. */
  volumeFullRatio: 0.85,
  /** Warn when the volume's trend says it fills within this many days... */
  volumeFillDays: 4,
  /** ...judged from this much history... */
  volumeTrendWindow: '12h',
  /** ...once less than this fraction is free (a first sync fills fast; that alone is not news). */
  volumeTrendBelowFreeRatio: 0.4,
  /** Container restarts within one hour that count as restarting repeatedly. */
  restartsPerHour: 3,
  /** No metrics at all for this long: the node, or its scraping, is down. */
  metricsAbsentFor: '15m',
  /** A scheduled snapshot older than this: the schedule is failing. */
  snapshotMaxAgeHours: 48,
} as const;
