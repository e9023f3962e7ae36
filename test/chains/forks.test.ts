/**
 * The fork table (src/chains/forks.ts), the fork check (policy/fork-readiness) and `nodegen
 * outdated`: an environment pinning a client older than a fork of its network is refused on
 * mainnet and warned about on testnets, with the fork, its date and the minimum version.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FORKS, compareVersions, forksMissed, newestKnown, requiredVersion, versionOfImage } from '../../src/chains/forks.js';
import { CONSENSUS_IMAGES } from '../../src/chains/consensus.js';
import { GETH_IMAGE } from '../../src/chains/geth.js';
import { REPO, cli } from '../helpers/project.js';

/** Beacon chain genesis times (seconds) and 12 s × 32 slots per epoch: an epoch's start. */
const BEACON_GENESIS: Record<string, number> = { mainnet: 1606824023, sepolia: 1655733600, hoodi: 1742213400 };

describe('the fork table', () => {
  it("gives each consensus fork the time its epoch starts, and each execution fork its timestamp's time", () => {
    for (const f of FORKS) {
      const [kind, n] = f.activation.split(' ');
      const seconds = kind === 'epoch' ? BEACON_GENESIS[f.network]! + Number(n) * 384 : Number(n);
      expect(f.at, `${f.network} ${f.name}`).toBe(new Date(seconds * 1000).toISOString().replace('.000Z', 'Z'));
    }
  });

  it('pairs every execution fork with its consensus fork at the same moment, and names the clients of its layer', () => {
    for (const f of FORKS) {
      expect(Object.keys(f.minimum).sort()).toEqual(f.layer === 'execution' ? ['geth'] : ['lighthouse', 'prysm']);
      const twin = FORKS.find((g) => g !== f && g.network === f.network && g.at === f.at);
      // Sepolia's Glamsterdam: the consensus clients' sources here predate its scheduling (see forks.ts).
      if (f.name.startsWith('Glamsterdam')) expect(twin).toBeUndefined();
      else expect(twin, `${f.network} ${f.name}`).toBeDefined();
    }
  });

  it("accepts nodegen's own pinned releases on every network it runs", () => {
    for (const network of ['mainnet', 'sepolia', 'hoodi']) {
      expect(forksMissed('geth', network, versionOfImage(GETH_IMAGE)!)).toEqual([]);
      for (const [client, image] of Object.entries(CONSENSUS_IMAGES)) expect(forksMissed(client as 'lighthouse' | 'prysm', network, versionOfImage(image)!)).toEqual([]);
    }
    expect(newestKnown('geth')).toBe(versionOfImage(GETH_IMAGE));
  });

  it('orders versions as semver does, prereleases first', () => {
    const sorted = ['1.16.4', '8.0.0-rc.0', '8.0.0-rc.1', '8.0.0', '8.0.1', '1.16.10', '7.0.0-beta.0', '7.0.0-beta.10', '7.0.0-beta.2'].sort(compareVersions);
    expect(sorted).toEqual(['1.16.4', '1.16.10', '7.0.0-beta.0', '7.0.0-beta.2', '7.0.0-beta.10', '8.0.0-rc.0', '8.0.0-rc.1', '8.0.0', '8.0.1']);
    expect(requiredVersion('geth', 'mainnet')).toBe('1.16.6');
    expect(requiredVersion('lighthouse', 'hoodi')).toBe('8.0.0-rc.0');
  });

  it('reads a version from a tag, with or without a digest, and none from a digest alone or a moving tag', () => {
    expect(versionOfImage('ethereum/client-go:v1.17.5')).toBe('1.17.5');
    expect(versionOfImage(`registry.example.com:5000/eth/client-go:v1.16.6@sha256:${'a'.repeat(64)}`)).toBe('1.16.6');
    expect(versionOfImage('sigp/lighthouse:v8.0.0-rc.0')).toBe('8.0.0-rc.0');
    expect(versionOfImage(`ethereum/client-go@sha256:${'a'.repeat(64)}`)).toBeUndefined();
    expect(versionOfImage('registry.local:5000/geth:stable')).toBeUndefined();
  });
});

describe('policy/fork-readiness and nodegen outdated', () => {
  const root = mkdtempSync(join(tmpdir(), 'nodegen-forks-'));
  cpSync(join(REPO, 'environments'), join(root, 'environments'), { recursive: true });
  cpSync(join(REPO, 'chains'), join(root, 'chains'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"name":"infra","private":true}\n');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses on mainnet a geth older than a past fork, naming the fork, its date and the minimum version', async () => {
    const r = await cli(root, 'validate', '--env', 'production', '--image', 'geth=ethereum/client-go:v1.16.5');
    expect(r.code).toBe(1);
    expect(r.out).toContain('error policy/fork-readiness [production] dist/production/10-geth.yaml');
    expect(r.out).toContain('geth 1.16.5 does not carry Fusaka (Osaka) on mainnet, which activated at 2025-12-03T21:49:11Z (timestamp 1764798551) and needs geth 1.16.6 or newer');
    // Not waivable, and synth writes nothing.
    const synth = await cli(root, 'synth', '--env', 'production', '--image', 'geth=ethereum/client-go:v1.16.5');
    expect(synth.code).toBe(1);
  });

  it('warns on a testnet tier, for the consensus client too', async () => {
    const r = await cli(root, 'validate', '--env', 'qa', '--set', 'nodes.geth.consensus.image=sigp/lighthouse:v7.1.0');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/warning policy\/fork-readiness \[qa\].*\n\s+lighthouse 7\.1\.0 does not carry Fusaka \(Fulu\) on hoodi, which activated at 2025-10-28T18:53:12Z \(epoch 50688\) and needs lighthouse 8\.0\.0-rc\.0 or newer/);
  });

  it('asks for version when the image names none, and takes it', async () => {
    const digest = `ethereum/client-go@sha256:${'b'.repeat(64)}`;
    const without = await cli(root, 'validate', '--env', 'production', '--image', `geth=${digest}`);
    expect(without.code).toBe(1);
    expect(without.out).toMatch(/names no version.*\n\s+fix: set nodes\.geth\.version/);
    writeFileSync(join(root, 'environments', 'production.yaml'), `${readFileSync(join(REPO, 'environments', 'production.yaml'), 'utf8')}`.replace(/^nodes:\n {2}geth:\n/m, `nodes:\n  geth:\n    image: ${digest}\n    version: 1.17.5\n`));
    const withVersion = await cli(root, 'validate', '--env', 'production');
    expect(withVersion.out).not.toContain('fork-readiness');
    cpSync(join(REPO, 'environments', 'production.yaml'), join(root, 'environments', 'production.yaml'));
  });

  it('outdated lists every client against the table, exit 1 when one lacks a fork', async () => {
    const ok = await cli(root, 'outdated', '--json');
    expect(ok.code).toBe(0);
    const rows = JSON.parse(ok.out) as Array<{ env: string; client: 'geth' | 'lighthouse' | 'prysm'; network: string; version: string; required: string; newest: string; status: string }>;
    expect(rows.map((r) => `${r.env}/${r.client}`)).toEqual(expect.arrayContaining(['production/geth', 'production/lighthouse', 'qa/geth', 'qa/lighthouse']));
    for (const r of rows) {
      expect(r.required).toBe(requiredVersion(r.client, r.network));
      expect(r.newest).toBe(newestKnown(r.client));
      expect(r.status).toBe('ok');
    }
    writeFileSync(join(root, 'environments', 'qa.yaml'), `${readFileSync(join(REPO, 'environments', 'qa.yaml'), 'utf8')}\nnodes:\n  geth:\n    image: ethereum/client-go:v1.16.3\n`);
    const old = await cli(root, 'outdated', '--env', 'qa');
    expect(old.code).toBe(1);
    const newest = newestKnown('geth').replace(/\./g, '\\.');
    expect(old.out).toMatch(new RegExp(`qa\\s+geth\\s+geth\\s+hoodi\\s+1\\.16\\.3\\s+1\\.16\\.4\\s+${newest}\\s+missing Fusaka \\(Osaka\\) 2025-10-28T18:53:12Z`));
    cpSync(join(REPO, 'environments', 'qa.yaml'), join(root, 'environments', 'qa.yaml'));
  });
});

describe('the README fork table', () => {
  it('has one row per fork moment with the same date and minimum releases as src/chains/forks.ts', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const rows = readme.split('\n').filter((l) => /^\| (mainnet|sepolia|hoodi) \| /.test(l));
    for (const f of FORKS.filter((x) => x.layer === 'execution')) {
      const twin = FORKS.find((g) => g.layer === 'consensus' && g.network === f.network && g.at === f.at);
      const row = `| ${f.network} | `;
      const date = f.at.replace('T', ' ').replace('Z', '');
      const cells = `| ${date} | ${f.minimum.geth} | ${twin?.minimum.lighthouse ?? '?'} | ${twin?.minimum.prysm ?? '?'} |`;
      expect(rows.filter((r) => r.startsWith(row) && r.includes(cells)), `${f.network} ${f.name}`).toHaveLength(1);
    }
    expect(rows).toHaveLength(FORKS.filter((f) => f.layer === 'execution').length);
  });
});
