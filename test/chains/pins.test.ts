/**
 * Every image nodegen pins, in one place, with where its version was checked. Moving a pin means
 * changing it here too, after re-reading the client's flags and facts at the new version.
 */
import { describe, expect, it } from 'vitest';
import { GETH_IMAGE } from '../../src/chains/geth.js';
import { builtInProfile } from '../../src/chains/profiles.js';
import { CONSENSUS_IMAGES } from '../../src/chains/consensus.js';

/** The newest stable release of each client on 2026-12-06 that could be verified, and how. */
const PINS = [
  // Go module proxy: v1.17.6 ... v1.17.10, v1.17.10 published 2026-10-23 (the geth mirror stops at v1.17.5).
  { what: 'geth', pinned: GETH_IMAGE, expected: 'ethereum/client-go:v1.17.10' },
  // bitcoin/bitcoin doc/release-notes/release-notes-31.1.md (no 31.2 notes).
  { what: 'bitcoind', pinned: builtInProfile('bitcoind').image, expected: 'bitcoin/bitcoin:31.1' },
  // Newest release seen: v8.2.2 (downstream pins); the sigp/lighthouse mirror stops at v5.3.0.
  { what: 'lighthouse', pinned: CONSENSUS_IMAGES.lighthouse, expected: 'sigp/lighthouse:v8.2.2' },
  // OffchainLabs/prysm PR 17252 (changelog v7.1.8, 2026-07-27); images under gcr.io/offchainlabs since v6.0.1.
  { what: 'prysm', pinned: CONSENSUS_IMAGES.prysm, expected: 'gcr.io/offchainlabs/prysm/beacon-chain:v7.1.8' },
  // Built by docker/monacoind/Dockerfile from the release tarball (its test checks the two agree).
  { what: 'monacoind', pinned: builtInProfile('monacoind').version, expected: '0.20.4' },
] as const;

describe('pinned client versions', () => {
  it.each(PINS)('$what is pinned to $expected', ({ pinned, expected }) => {
    expect(pinned).toBe(expected);
  });

  it('pins exact releases only: no moving tags, and Prysm from its current registry path', () => {
    for (const { pinned } of PINS.filter((p) => p.what !== 'monacoind')) {
      expect(pinned).toMatch(/:v?\d+\.\d+(\.\d+)?$/);
      expect(pinned).not.toMatch(/:(latest|stable|edge)$/);
    }
    expect(CONSENSUS_IMAGES.prysm).not.toContain('prysmaticlabs');
  });
});
