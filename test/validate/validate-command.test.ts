/**
 * `nodegen validate`: every finding at once, waivers shown with their reasons, bad waivers refused
 * as input errors, and the project's own five environments clean.
 */
import { describe, expect, it } from 'vitest';
import { formatRules, formatValidateResult, listRules, validate } from '../../src/cli/commands/validate.js';
import { formatRuleCatalogue, RULES } from '../../src/validate/rules.js';
import { cli, REPO } from '../helpers/project.js';
import { inputError, PROJECT } from './helpers.js';

describe("the project's own environments", () => {
  it('all five pass every check with zero errors', async () => {
    const r = await validate({ root: REPO, all: true });
    expect(r.environments.map((e) => e.env)).toEqual(['develop', 'nodetest', 'production', 'qa', 'staging']);
    for (const e of r.environments) expect([e.env, e.errors]).toEqual([e.env, 0]);
    expect(r.ok).toBe(true);
  });

  it('are all validated when no environment is named, and the command exits 0', async () => {
    const r = await cli(REPO, 'validate');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^develop: ok/m);
    expect(r.out).toMatch(/^staging: ok/m);
  });
});

describe('findings', () => {
  it('carry the rule, environment, file, object, path, message and fix', async () => {
    const r = await validate({ root: PROJECT, env: 'rpc-namespaces' });
    const f = r.findings.find((x) => x.rule === 'policy/rpc-namespaces');
    expect(f).toMatchObject({
      severity: 'error',
      env: 'rpc-namespaces',
      file: 'dist/rpc-namespaces/10-geth.yaml',
      object: 'StatefulSet/geth',
      node: 'geth',
      path: expect.stringMatching(/^spec\.template\.spec\.containers\[0\]\.args\[\d+\]$/),
      message: expect.stringContaining('"admin", "debug"'),
      fix: expect.stringContaining('nodes.geth.httpApi in environments/rpc-namespaces.yaml'),
    });
    expect(r.environments).toEqual([{ env: 'rpc-namespaces', errors: 2, warnings: 0, waived: 0 }]);
  });

  it('are printed all at once, each with its fix, then a summary per environment', async () => {
    const r = await validate({ root: PROJECT, env: 'cors-vhosts' });
    const text = formatValidateResult(r);
    expect(text).toContain('error policy/cors-vhosts [cors-vhosts] dist/cors-vhosts/10-geth.yaml  StatefulSet/geth');
    expect(text.match(/^ {2}fix: /gm)).toHaveLength(2);
    expect(text).toMatch(/^cors-vhosts: refused \(2 errors, 0 warnings\)$/m);
  });

  it('are JSON with --json, and the command exits 1 when any is an error', async () => {
    const r = await cli(PROJECT, 'validate', '--env', 'storage', '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { ok: boolean; findings: Array<{ rule: string }> };
    expect(json.ok).toBe(false);
    expect(json.findings.map((f) => f.rule)).toEqual(['policy/storage']);
    expect(r.err).toContain('synth would refuse to write');
  });

  it('that are warnings do not fail the command', async () => {
    const r = await cli(PROJECT, 'validate', '--env', 'sandbox');
    expect(r.code).toBe(0);
    expect(r.out).toContain('warning policy/image-pinned [sandbox]');
    expect(r.out).toMatch(/^sandbox: ok \(0 errors, 1 warning\)$/m);
  });
});

describe('waivers', () => {
  it('accept the finding they name, show it with the reason and the line, and block nothing', async () => {
    const r = await validate({ root: PROJECT, env: 'network-tier-waived' });
    expect(r.ok).toBe(true);
    const f = r.findings.find((x) => x.rule === 'policy/network-tier');
    expect(f?.waived).toEqual({ reason: 'rehearsing the mainnet initial block download on QA hardware', file: 'environments/network-tier-waived.yaml', line: 7 });
    expect(formatValidateResult(r)).toContain('waived by environments/network-tier-waived.yaml:7: rehearsing the mainnet');
    expect(r.environments).toEqual([{ env: 'network-tier-waived', errors: 0, warnings: 0, waived: 1 }]);
  });

  it('that accept nothing are reported as warnings', async () => {
    const r = await validate({ root: PROJECT, env: 'unused-waiver' });
    expect(r.ok).toBe(true);
    expect(r.findings).toEqual([expect.objectContaining({ rule: 'policy/unused-waiver', severity: 'warning', file: 'environments/unused-waiver.yaml' })]);
  });

  it('naming an unknown rule are an input error with a suggestion', async () => {
    const e = await inputError(validate({ root: PROJECT, env: 'waiver-unknown-rule' }));
    expect(e.problems).toEqual([
      expect.objectContaining({ file: 'environments/waiver-unknown-rule.yaml', line: 3, path: 'waivers.0.rule', message: expect.stringContaining('did you mean "policy/cors-vhosts"') }),
    ]);
  });

  it('naming an unknown node are an input error with a suggestion', async () => {
    const e = await inputError(validate({ root: PROJECT, env: 'waiver-unknown-node' }));
    expect(e.problems).toEqual([
      expect.objectContaining({ file: 'environments/waiver-unknown-node.yaml', line: 4, message: expect.stringContaining('did you mean "geth"') }),
    ]);
  });

  it('cannot waive what the API server refuses', async () => {
    const e = await inputError(validate({ root: PROJECT, env: 'waiver-k8s-rule' }));
    expect(e.problems.map((p) => p.message)).toEqual([expect.stringContaining('rule "k8s/port-name" cannot be waived')]);
  });
});

describe('the rule list', () => {
  it('names every rule with its severity and whether it can be waived', async () => {
    const rules = listRules();
    expect(rules.map((r) => r.id)).toEqual([...RULES.map((r) => r.id), 'policy/unused-waiver']);
    const text = formatRules(rules);
    expect(text).toMatch(/^k8s\/port-name +error {4}/m);
    expect(text).toMatch(/^policy\/public-endpoint +error +waivable /m);
    const readme = formatRuleCatalogue();
    for (const rule of rules) expect(readme).toContain(`- \`${rule.id}\` (${rule.severity}`);
    const r = await cli(PROJECT, 'validate', '--rules', '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as unknown[]).length).toBe(rules.length);
  });
});
