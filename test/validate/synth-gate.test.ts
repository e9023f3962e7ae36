/**
 * synth runs the same checks before it writes: any error refuses the run with the rule named and
 * leaves dist/ exactly as it was; warnings and waivers are reported and do not block.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synth } from '../../src/cli/commands/synth.js';
import { cli, snapshotTree } from '../helpers/project.js';
import { inputError, POLICY_BREAKS, PROJECT } from './helpers.js';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'nodegen-validate-'));
  cpSync(PROJECT, root, { recursive: true });
  // A committed dist/ that a refused run must leave alone.
  for (const env of ['rpc-namespaces', 'storage']) {
    mkdirSync(join(root, 'dist', env), { recursive: true });
    writeFileSync(join(root, 'dist', env, '10-geth.yaml'), '# committed earlier\n');
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const REFUSED: ReadonlyArray<readonly [string, string]> = [...POLICY_BREAKS, ['public-endpoint-unrenderable', 'policy/public-endpoint']];

describe('synth refuses an environment that breaks a rule', () => {
  it.each(REFUSED)('environment %s is refused naming %s, and dist/ is untouched', async (env, rule) => {
    const before = snapshotTree(join(root, 'dist'));
    const e = await inputError(synth({ root, env }));
    expect(e.message).toContain('dist/ was not changed');
    expect(e.problems.some((p) => p.message.startsWith(`[${rule}]`))).toBe(true);
    expect(snapshotTree(join(root, 'dist'))).toEqual(before);
  });

  it('refuses --check and --stdout too', async () => {
    await inputError(synth({ root, env: 'storage', check: true }));
    await inputError(synth({ root, env: 'storage', stdout: true }));
  });

  it('refuses the whole run when one of several environments breaks a rule', async () => {
    const e = await inputError(synth({ root, all: true, outdir: 'out-all' }));
    expect(e.message).toContain('dist/ was not changed');
    const rules = new Set(e.problems.map((p) => /^\[([a-z0-9/-]+)\]/.exec(p.message)?.[1]).filter(Boolean));
    expect(rules.has('policy/public-endpoint')).toBe(true);
    expect(existsSync(join(root, 'out-all'))).toBe(false);
  });

  it('prints each problem with file, object and rule at the CLI edge, and exits 1', async () => {
    const before = snapshotTree(join(root, 'dist'));
    const r = await cli(root, 'synth', '--env', 'rpc-namespaces');
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: environment "rpc-namespaces" fails validation');
    expect(r.err).toMatch(/dist\/rpc-namespaces\/10-geth\.yaml StatefulSet\/geth spec\.template\.spec\.containers\[0\]\.args\[\d+\]: \[policy\/rpc-namespaces\]/);
    expect(r.err).toContain('Fix: remove admin, debug from nodes.geth.httpApi');
    expect(snapshotTree(join(root, 'dist'))).toEqual(before);
  });

  it('refuses an override that breaks a rule, as it refuses the same value in a file', async () => {
    const e = await inputError(synth({ root, env: 'valid', outdir: 'out-override', set: ['nodes.geth.consensus.resources.limits=null'] }));
    expect(e.problems.some((p) => p.message.startsWith('[policy/resources]'))).toBe(true);
    expect(existsSync(join(root, 'out-override'))).toBe(false);
  });

  it('refuses an override of a policy key before anything is rendered (it may be set only in the files)', async () => {
    const e = await inputError(synth({ root, env: 'valid', outdir: 'out-override', set: ['nodes.geth.httpApi=[eth,admin]'] }));
    expect(e.problems).toEqual([expect.objectContaining({ file: '--set nodes.geth.httpApi=[eth,admin]', path: 'nodes.geth.httpApi', message: expect.stringMatching(/can be set only in the committed environment files/) })]);
    expect(existsSync(join(root, 'out-override'))).toBe(false);
  });
});

describe('synth writes what passes', () => {
  it('reports warnings without blocking', async () => {
    const r = await synth({ root, env: 'sandbox', outdir: 'out-sandbox' });
    expect(r.environments[0]!.warnings).toEqual([expect.stringMatching(/^policy\/image-pinned out-sandbox\/sandbox\/20-bitcoind\.yaml StatefulSet\/bitcoind .*"bitcoin\/bitcoin:latest"/)]);
    expect(existsSync(join(root, 'out-sandbox', 'sandbox', '20-bitcoind.yaml'))).toBe(true);
  });

  it('reports waived findings with their reasons', async () => {
    const r = await synth({ root, env: 'network-tier-waived', outdir: 'out-waived' });
    expect(r.environments[0]!.warnings).toContain(
      'waived policy/network-tier for node bitcoind (StatefulSet/bitcoind): rehearsing the mainnet initial block download on QA hardware',
    );
    expect(existsSync(join(root, 'out-waived', 'network-tier-waived', '20-bitcoind.yaml'))).toBe(true);
  });
});
