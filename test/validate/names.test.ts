/**
 * The API server's name and value syntaxes, at their boundaries.
 */
import { describe, expect, it } from 'vitest';
import { dns1035LabelProblem, dns1123LabelProblem, isCidr, labelValueProblem, portNameProblem, qualifiedNameProblem } from '../../src/validate/names.js';
import { isQuantity } from '../../src/validate/quantity.js';
import { placeholderReason, unpinnedReason } from '../../src/validate/policy-rules.js';
import { schemaParts } from '../../src/environment/schema.js';

const { image } = schemaParts();

describe('port names', () => {
  it('accept 15 characters and refuse 16', () => {
    expect(portNameProblem('beacon-metrics1')).toBeUndefined();
    expect(portNameProblem('beacon-metrics-x')).toBe('must be at most 15 characters (has 16)');
  });

  it('need a letter and refuse double hyphens, upper case and edge hyphens', () => {
    expect(portNameProblem('8545')).toBe('must contain at least one letter');
    expect(portNameProblem('p2p--tcp')).toBe('must not contain consecutive hyphens');
    expect(portNameProblem('RPC')).toBeDefined();
    expect(portNameProblem('-rpc')).toBeDefined();
  });
});

describe('names and labels', () => {
  it('hold DNS-1123 labels to 63 characters and DNS-1035 labels to a leading letter', () => {
    expect(dns1123LabelProblem('a'.repeat(63))).toBeUndefined();
    expect(dns1123LabelProblem('a'.repeat(64))).toBe('must be at most 63 characters (has 64)');
    expect(dns1123LabelProblem('9geth')).toBeUndefined();
    expect(dns1035LabelProblem('9geth')).toBeDefined();
  });

  it('check both parts of a prefixed label key, and label values to 63 characters', () => {
    expect(qualifiedNameProblem('app.kubernetes.io/instance')).toBeUndefined();
    expect(qualifiedNameProblem('Example.com/x')).toMatch(/^prefix part/);
    expect(qualifiedNameProblem('a/b/c')).toBeDefined();
    expect(labelValueProblem('')).toBeUndefined();
    expect(labelValueProblem('v1.17.5')).toBeUndefined();
    expect(labelValueProblem('-v1')).toBeDefined();
  });

  it('know a CIDR block from an address', () => {
    expect(isCidr('203.0.113.0/24')).toBe(true);
    expect(isCidr('2001:db8::/32')).toBe(true);
    expect(isCidr('203.0.113.7')).toBe(false);
    expect(isCidr('256.0.0.0/8')).toBe(false);
  });
});

describe('quantities', () => {
  it('follow the API grammar', () => {
    for (const q of ['500m', '2', '1.5Gi', '2Ti', '1e3', '1E', '.5']) expect([q, isQuantity(q)]).toEqual([q, true]);
    for (const q of ['2 cores', '8GB', 'Gi', '1.5 Gi', '']) expect([q, isQuantity(q)]).toEqual([q, false]);
  });
});

describe('image pins', () => {
  it('accept a version tag or a digest and refuse latest, moving tags and no tag', () => {
    expect(unpinnedReason('ethereum/client-go:v1.17.5')).toBeUndefined();
    expect(unpinnedReason('registry.example.com:5000/chains/monacoind:0.20.4')).toBeUndefined();
    expect(unpinnedReason(`bitcoin/bitcoin@sha256:${'a'.repeat(64)}`)).toBeUndefined();
    expect(unpinnedReason('registry.example.com:5000/chains/monacoind')).toBe('has no tag, so it pulls "latest"');
    expect(unpinnedReason('ethereum/client-go:latest')).toBe('uses the tag "latest", which moves');
    expect(unpinnedReason('ethereum/client-go:stable')).toMatch(/names no version/);
  });
});

describe('image references', () => {
  const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
  it('accept a tag, a tag with a digest, and a digest alone; refuse a short or upper-case digest', () => {
    for (const ok of ['bitcoin/bitcoin:30.2', `bitcoin/bitcoin:30.2@${digest}`, `bitcoin/bitcoin@${digest}`, `registry.internal:5000/chains/monacoind:0.20.4@${digest}`]) {
      expect([ok, image.safeParse(ok).success]).toEqual([ok, true]);
    }
    for (const bad of [`bitcoin/bitcoin@sha256:${'a'.repeat(63)}`, `bitcoin/bitcoin@sha256:${'A'.repeat(64)}`, 'bitcoin/bitcoin@sha256:', 'Bitcoin/bitcoin:30.2']) {
      expect([bad, image.safeParse(bad).success]).toEqual([bad, false]);
    }
    expect(unpinnedReason(`bitcoin/bitcoin:30.2@${digest}`)).toBeUndefined();
  });

  it('name placeholder and example registries, and nothing else', () => {
    for (const p of [
      'us-docker.pkg.dev/your-project/chains/monacoind:0.20.4',
      'registry.example.com/chains/monacoind:0.20.4',
      `registry.example.org/x@${digest}`,
      'example.com/monacoind:1',
      'ghcr.io/your-org/monacoind:0.20.4',
      'registry.internal/replace-me/monacoind:1',
      'registry.internal/changeme:1',
      'registry.internal/chains/monacoind:todo',
    ]) expect([p, placeholderReason(p)]).toEqual([p, expect.stringMatching(/placeholder/)]);
    for (const real of ['ethereum/client-go:v1.17.5', 'bitcoin/bitcoin:30.2', 'us-docker.pkg.dev/acme-chains/chains/monacoind:0.20.4', 'registry.internal/examples-team/node:1', 'sigp/lighthouse:v8.2.2']) {
      expect([real, placeholderReason(real)]).toEqual([real, undefined]);
    }
  });
});
