/**
 * Beacon nodes that serve blobs. Since Fusaka (PeerDAS, EIP-7594) a beacon node no longer keeps
 * whole blobs: each blob is erasure-coded into 128 columns and a node custodies only some of them
 * (4 custody groups of 128 without validators). To answer the blob APIs
 * (`/eth/v1/beacon/blob_sidecars`, `/eth/v1/beacon/blobs`) a node needs every column (a supernode)
 * or at least half of them, from which it rebuilds the rest (a semi-supernode).
 *
 * The flags, read in the clients' sources:
 * - Prysm (read at v7.1.6, the newest tag available here; pinned v7.1.8 is a later patch of the
 *   same line): `--supernode` (alias `--subscribe-all-data-subnets`, "Custodies all data") and
 *   `--semi-supernode` ("Custodies just enough data to serve the blobs and blob sidecars beacon
 *   API"), `cmd/beacon-chain/flags/base.go:336-346`; the two are exclusive,
 *   `cmd/beacon-chain/flags/config.go:65-68`; a semi-supernode custodies
 *   `MinimumCustodyGroupCountToReconstruct()` = half the groups,
 *   `beacon-chain/core/peerdas/reconstruction.go:38`, `beacon-chain/sync/custody.go:160-170`.
 * - Lighthouse (pinned v8.2.2): `--supernode` and `--semi-supernode`, added for v8.0.0
 *   (sigp/lighthouse issue 8218, "CLI flag for semi-supernode"). Read in the client's own CLI
 *   tests, sigp/lighthouse `lighthouse/tests/beacon_node.rs` at commit 00a87df5 (a master commit;
 *   the v8.2.2 tag was not available to read): `network_supernode_flag` and
 *   `network_semi_supernode_flag` set `NodeCustodyType::Supernode` / `SemiSupernode`, and
 *   `network_subscribe_all_data_column_subnets_flag` keeps the old name as an alias of the first.
 *
 * Storage (what a custodied column costs, Prysm v7.1.6 `config/params/mainnet_config.go` and
 * `config/fieldparams/mainnet.go`): a blob is 4096 field elements of 32 bytes (line 317), extended
 * to 128 cells (`NumberOfColumns = 128`, fieldparams line 51) of 2048 bytes plus a 48-byte KZG
 * proof each, so one column costs 2096 bytes per blob. Columns are kept for
 * `MinEpochsForDataColumnSidecarsRequest = 4096` epochs (line 349) of 32 slots: 131,072 slots,
 * about 18 days. Mainnet, Hoodi and Sepolia all allow 21 blobs per block since their second
 * blob-parameter-only fork (mainnet_config.go:380-389, testnet_hoodi_config.go:55-60,
 * testnet_sepolia_config.go:55-60); the target is two thirds of that, 14. So:
 *   all 128 columns: 131072 × 14 × 128 × 2096 B = 459 GiB at the target, 688 GiB at the maximum;
 *   half (64):                                     230 GiB at the target, 344 GiB at the maximum.
 * The minimum (policy/storage) adds the target figure to the network's minimum; the default adds
 * the maximum figure to the network's default, since a full window of full blocks is what a node
 * must survive. Each later blob-parameter fork raises these: re-check them when it is scheduled.
 *
 * Resources are nodegen's own assumption, not a client's published figure: a supernode verifies
 * and stores every column and answers more peers' column requests; a semi-supernode rebuilds the
 * missing half of each block's columns (Reed-Solomon recovery) every slot. Tune from metrics.
 * @see https://eips.ethereum.org/EIPS/eip-7594
 */
import type { NodeResources } from '../constructs/containers.js';
import type { ConsensusClientKind } from './consensus.js';
import type { GethNetwork } from './geth.js';

/** How much blob data a beacon node custodies: the client's default, half the columns, or all. */
export type BlobServing = 'none' | 'semi-supernode' | 'supernode';

export const BLOB_SERVING: readonly BlobServing[] = ['none', 'semi-supernode', 'supernode'];

/** The flag each client takes for each mode (none: no flag, the client's default custody). */
export const BLOB_SERVING_FLAGS: Record<ConsensusClientKind, Record<Exclude<BlobServing, 'none'>, string>> = {
  lighthouse: { 'semi-supernode': '--semi-supernode', supernode: '--supernode' },
  prysm: { 'semi-supernode': '--semi-supernode', supernode: '--supernode' },
};

/**
 * Flag names (without dashes) that select a mode, aliases included, so that a rendered container
 * is read back whichever spelling it uses (Prysm's `--subscribe-all-data-subnets`, Lighthouse's
 * pre-v8 `--subscribe-all-data-column-subnets`).
 */
export const BLOB_SERVING_FLAG_NAMES: Record<string, Exclude<BlobServing, 'none'>> = {
  supernode: 'supernode',
  'subscribe-all-data-subnets': 'supernode',
  'subscribe-all-data-column-subnets': 'supernode',
  'semi-supernode': 'semi-supernode',
};

/** Custody groups of 128 each mode keeps (none: 4, or 8 and more with validators attached). */
export const BLOB_CUSTODY_GROUPS: Record<BlobServing, number> = { none: 4, 'semi-supernode': 64, supernode: 128 };

/** GiB of blob columns added to the network's minimum (at the target) and default (at the maximum). */
export const BLOB_STORAGE_GIB: Record<BlobServing, { readonly min: number; readonly default: number }> = {
  none: { min: 0, default: 0 },
  'semi-supernode': { min: 230, default: 345 },
  supernode: { min: 460, default: 690 },
};

function plusGi(base: string, gib: number): string {
  const m = /^(\d+)Gi$/.exec(base);
  if (!m) throw new Error(`consensus storage figure "${base}" is not in Gi`);
  return `${Number(m[1]) + gib}Gi`;
}

/** The realistic minimum beacon volume for a network and mode. */
export function consensusMinStorage(min: Record<GethNetwork, string>, network: GethNetwork, blobs: BlobServing): string {
  return plusGi(min[network], BLOB_STORAGE_GIB[blobs].min);
}

/** The default beacon volume for a network and mode. */
export function consensusDefaultStorage(defaults: Record<GethNetwork, string>, network: GethNetwork, blobs: BlobServing): string {
  return plusGi(defaults[network], BLOB_STORAGE_GIB[blobs].default);
}

/** Default requests and limits of the beacon container for a network and mode. */
export function consensusResources(network: GethNetwork, blobs: BlobServing): NodeResources {
  const mainnet = network === 'mainnet';
  const [rc, rm, lc, lm] = {
    none: mainnet ? ['2', '8Gi', '4', '12Gi'] : ['1', '4Gi', '2', '6Gi'],
    'semi-supernode': mainnet ? ['3', '12Gi', '6', '16Gi'] : ['2', '6Gi', '4', '8Gi'],
    supernode: mainnet ? ['4', '16Gi', '8', '24Gi'] : ['2', '8Gi', '4', '12Gi'],
  }[blobs] as [string, string, string, string];
  return { requests: { cpu: rc, memory: rm }, limits: { cpu: lc, memory: lm } };
}

/** The mode a container's flags select (the last one given wins, as the clients read them). */
export function blobServingOf(flagNames: readonly string[]): BlobServing {
  let mode: BlobServing = 'none';
  for (const name of flagNames) mode = BLOB_SERVING_FLAG_NAMES[name] ?? mode;
  return mode;
}
