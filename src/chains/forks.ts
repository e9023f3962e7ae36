/**
 * Fork readiness: each Ethereum network's past and scheduled forks, and the first release of each
 * client that carries the fork's activation. A client older than that follows the old rules at
 * the fork and stops following the chain (geth rejects the new blocks; a beacon node forks off).
 *
 * How the minimums were found, per client:
 * - geth: the first release tag whose params/config.go holds the fork's activation time
 *   (`git log -S"newUint64(<time>)" -- params/config.go`, then `git tag --contains`), read in
 *   ethereum/go-ethereum at v1.17.5 (MainnetChainConfig l.43-66, SepoliaChainConfig l.114-138,
 *   HoodiChainConfig l.150-174). Releases after v1.17.5 were read from the Go module proxy's
 *   copies (`go mod download github.com/ethereum/go-ethereum@v1.17.N`): Sepolia's AmsterdamTime
 *   1791294816 is in params/config.go from v1.17.6 and in params/chainspecs/sepolia.json from
 *   v1.17.8 on; no release up to v1.17.10 schedules Amsterdam on mainnet. (v1.17.9 scheduled it
 *   on Hoodi at 1793036568, 2026-10-26, and v1.17.10 took it out again: a v1.17.9 node on Hoodi
 *   forks alone at that time. Pin v1.17.10 or later there.)
 * - Prysm: the same for config/params/mainnet_config.go (mainnetElectraForkEpoch l.32,
 *   mainnetFuluForkEpoch l.34, BlobSchedule l.380-389) and testnet_{sepolia,hoodi}_config.go
 *   (ElectraForkEpoch, FuluForkEpoch l.45-48, BlobSchedule l.56-60), read in OffchainLabs/prysm
 *   at v7.1.6.
 * - Lighthouse: its repository snapshot here stops at v5.3.0 (2024), so from its release records:
 *   sigp/lighthouse#6918 and #7275 (v7.0.0 sets the mainnet Electra epoch), #6916 (Sepolia's
 *   Electra epoch in v7.0.0-beta.0), #8127 (v8.0.0-rc.0, the testnet release for Fusaka, taken
 *   here for Fulu and its BPO forks on the testnets), and the
 *   v8.0.1 release notes ("all mainnet users must upgrade to either v8.0.0 or v8.0.1 prior to the
 *   Fulu fork at epoch 411,392", quoted in paradigmxyz/reth#20109). Hoodi's Electra minimum is the
 *   stable v7.0.0 (no record of an earlier one): conservative.
 * Forks not scheduled in those sources are not listed (Glamsterdam on mainnet and Hoodi: no
 * AmsterdamTime in geth v1.17.10, GloasForkEpoch MaxUint64 in Prysm v7.1.6): add them here when
 * the clients schedule them, with the releases that do. The consensus half of Sepolia's
 * Glamsterdam (Gloas) is not listed: the Lighthouse and Prysm sources here predate its
 * scheduling, so their minimum releases cannot be checked; geth's half is.
 */
import { CONSENSUS_IMAGES } from './consensus.js';
import { GETH_IMAGE, type GethNetwork } from './geth.js';

/** The clients whose releases follow Ethereum's forks. */
export type ForkClient = 'geth' | 'lighthouse' | 'prysm';

export interface Fork {
  /** The upgrade's name (`Fusaka`), and the layer's own name for it (`Osaka`, `Fulu`). */
  readonly name: string;
  readonly network: GethNetwork;
  readonly layer: 'execution' | 'consensus';
  /** When it activates, UTC, ISO 8601. */
  readonly at: string;
  /** What the client's config holds: `timestamp 1764798551` or `epoch 411392`. */
  readonly activation: string;
  /** The first release of each client of the layer that carries the activation. */
  readonly minimum: Partial<Record<ForkClient, string>>;
}

const execution = (name: string, network: GethNetwork, time: number, geth: string): Fork => ({
  name,
  network,
  layer: 'execution',
  at: new Date(time * 1000).toISOString().replace('.000Z', 'Z'),
  activation: `timestamp ${time}`,
  minimum: { geth },
});

const consensus = (name: string, network: GethNetwork, epoch: number, at: string, lighthouse: string, prysm: string): Fork => ({
  name,
  network,
  layer: 'consensus',
  at,
  activation: `epoch ${epoch}`,
  minimum: { lighthouse, prysm },
});

/** Every fork nodegen checks, by network, oldest first. */
export const FORKS: readonly Fork[] = [
  execution('Pectra (Prague)', 'mainnet', 1746612311, '1.15.9'),
  execution('Fusaka (Osaka)', 'mainnet', 1764798551, '1.16.6'),
  execution('Fusaka BPO1', 'mainnet', 1765290071, '1.16.6'),
  execution('Fusaka BPO2', 'mainnet', 1767747671, '1.16.6'),
  execution('Pectra (Prague)', 'sepolia', 1741159776, '1.15.1'),
  execution('Fusaka (Osaka)', 'sepolia', 1760427360, '1.16.4'),
  execution('Fusaka BPO1', 'sepolia', 1761017184, '1.16.4'),
  execution('Fusaka BPO2', 'sepolia', 1761607008, '1.16.4'),
  execution('Glamsterdam (Amsterdam)', 'sepolia', 1791294816, '1.17.6'),
  execution('Pectra (Prague)', 'hoodi', 1742999832, '1.15.6'),
  execution('Fusaka (Osaka)', 'hoodi', 1761677592, '1.16.4'),
  execution('Fusaka BPO1', 'hoodi', 1762365720, '1.16.4'),
  execution('Fusaka BPO2', 'hoodi', 1762955544, '1.16.4'),
  consensus('Pectra (Electra)', 'mainnet', 364032, '2025-05-07T10:05:11Z', '7.0.0', '6.0.0'),
  consensus('Fusaka (Fulu)', 'mainnet', 411392, '2025-12-03T21:49:11Z', '8.0.0', '7.0.0'),
  consensus('Fusaka BPO1', 'mainnet', 412672, '2025-12-09T14:21:11Z', '8.0.0', '7.0.0'),
  consensus('Fusaka BPO2', 'mainnet', 419072, '2026-01-07T01:01:11Z', '8.0.0', '7.0.0'),
  consensus('Pectra (Electra)', 'sepolia', 222464, '2025-03-05T07:29:36Z', '7.0.0-beta.0', '5.3.0'),
  consensus('Fusaka (Fulu)', 'sepolia', 272640, '2025-10-14T07:36:00Z', '8.0.0-rc.0', '6.1.0'),
  consensus('Fusaka BPO1', 'sepolia', 274176, '2025-10-21T03:26:24Z', '8.0.0-rc.0', '6.1.0'),
  consensus('Fusaka BPO2', 'sepolia', 275712, '2025-10-27T23:16:48Z', '8.0.0-rc.0', '6.1.0'),
  consensus('Pectra (Electra)', 'hoodi', 2048, '2025-03-26T14:37:12Z', '7.0.0', '5.3.2'),
  consensus('Fusaka (Fulu)', 'hoodi', 50688, '2025-10-28T18:53:12Z', '8.0.0-rc.0', '6.1.0'),
  consensus('Fusaka BPO1', 'hoodi', 52480, '2025-11-05T18:02:00Z', '8.0.0-rc.0', '6.1.0'),
  consensus('Fusaka BPO2', 'hoodi', 54016, '2025-11-12T13:52:24Z', '8.0.0-rc.0', '6.1.0'),
];

/** The newest release of each client nodegen knows: the one it pins by default. */
export function newestKnown(client: ForkClient): string {
  const image = client === 'geth' ? GETH_IMAGE : CONSENSUS_IMAGES[client];
  return versionOfImage(image)!;
}

/** The version in an image's tag (`ethereum/client-go:v1.17.5@sha256:...` → `1.17.5`), when it has one. */
export function versionOfImage(image: string): string | undefined {
  const name = image.split('@')[0]!;
  const last = name.slice(name.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  if (colon < 0) return undefined;
  const m = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(last.slice(colon + 1));
  return m?.[1];
}

/** Semantic version order, prereleases before their release (`8.0.0-rc.0` < `8.0.0`). */
export function compareVersions(a: string, b: string): number {
  const [coreA, preA] = splitVersion(a);
  const [coreB, preB] = splitVersion(b);
  for (let i = 0; i < 3; i++) if (coreA[i] !== coreB[i]) return coreA[i]! - coreB[i]!;
  if (preA === preB) return 0;
  if (preA === undefined) return 1;
  if (preB === undefined) return -1;
  const pa = preA.split('.');
  const pb = preB.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : undefined;
    const ny = /^\d+$/.test(y) ? Number(y) : undefined;
    if (nx !== undefined && ny !== undefined) {
      if (nx !== ny) return nx - ny;
    } else if (nx !== undefined) return -1;
    else if (ny !== undefined) return 1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function splitVersion(v: string): [number[], string | undefined] {
  const dash = v.indexOf('-');
  const core = (dash < 0 ? v : v.slice(0, dash)).split('.').map(Number);
  return [core, dash < 0 ? undefined : v.slice(dash + 1)];
}

/** The forks of `network` (past or scheduled) that `version` of `client` does not carry. */
export function forksMissed(client: ForkClient, network: string, version: string): Fork[] {
  return FORKS.filter((f) => f.network === network && f.minimum[client] !== undefined && compareVersions(version, f.minimum[client]!) < 0);
}

/** The lowest version of `client` that carries every fork of `network`, or undefined when none is listed. */
export function requiredVersion(client: ForkClient, network: string): string | undefined {
  return FORKS.filter((f) => f.network === network && f.minimum[client] !== undefined)
    .map((f) => f.minimum[client]!)
    .sort(compareVersions)
    .pop();
}
