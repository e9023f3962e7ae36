/**
 * `nodegen init` in an empty or existing repository: what it writes, what it leaves alone, and
 * that it writes nothing at all when anything it would create exists.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, cli } from '../helpers/project.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
function emptyRepo(): string {
  const d = mkdtempSync(join(tmpdir(), 'nodegen-init-'));
  dirs.push(d);
  return d;
}

describe('nodegen init', () => {
  it('sets up an empty folder with the shipped environments, cdk8s.yaml, a pipeline, package.json and .gitignore; synth then works there', async () => {
    const dir = emptyRepo();
    const r = await cli(dir, 'init');
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(join(dir, 'environments')).sort()).toEqual(['base.yaml', 'develop.yaml', 'environment.schema.json', 'nodetest.yaml', 'production.yaml', 'qa.yaml', 'staging.yaml']);
    expect(readFileSync(join(dir, 'environments', 'qa.yaml'), 'utf8')).toBe(readFileSync(join(REPO, 'environments', 'qa.yaml'), 'utf8'));
    // nodetest's Litecoin node names the example chain profile: it comes along, with its schema.
    expect(readdirSync(join(dir, 'chains')).sort()).toEqual(['litecoind.yaml', 'profile.schema.json']);
    expect(readFileSync(join(dir, 'chains', 'litecoind.yaml'), 'utf8')).toBe(readFileSync(join(REPO, 'chains', 'litecoind.yaml'), 'utf8'));
    expect(readFileSync(join(dir, 'cdk8s.yaml'), 'utf8')).toBe(readFileSync(join(REPO, 'cdk8s.yaml'), 'utf8'));
    expect(readFileSync(join(dir, '.github', 'workflows', 'nodes.yml'), 'utf8')).toContain('npx --no nodegen synth --all --check');
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ private: true, scripts: { synth: 'nodegen synth --all' }, devDependencies: { 'nodegen-k8s': '^0.0.0-test' } });
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('# nodegen\nnode_modules/\n.nodegen-tmp-*\n.nodegen-old-*\n.nodegen-journal*\n.nodegen-lock*\n.cdk8s-out/\n');
    const synth = await cli(dir, 'synth', '--env', 'qa');
    expect(synth.code, synth.err).toBe(0);
    expect(readFileSync(join(dir, 'dist', 'qa', '10-geth.yaml'), 'utf8')).toBe(readFileSync(join(REPO, 'dist', 'qa', '10-geth.yaml'), 'utf8'));
  });

  it('writes only the environments named, and their pipeline matrix', async () => {
    const dir = emptyRepo();
    expect((await cli(dir, 'init', '--env', 'qa,production')).code).toBe(0);
    expect(readdirSync(join(dir, 'environments')).sort()).toEqual(['base.yaml', 'environment.schema.json', 'production.yaml', 'qa.yaml']);
    expect(readFileSync(join(dir, '.github', 'workflows', 'nodes.yml'), 'utf8')).toContain('environment: [qa, production]');
    expect((await cli(dir, 'synth', '--all')).code).toBe(0);
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['production', 'qa']);
    const bad = await cli(emptyRepo(), 'init', '--env', 'qa,prod');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown: prod');
  });

  it('keeps an existing package.json, its test script and .gitignore, adding what is missing', async () => {
    const dir = emptyRepo();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'infra', scripts: { test: 'make test' }, devDependencies: { 'nodegen-k8s': '0.1.0' } }));
    writeFileSync(join(dir, '.gitignore'), 'secrets/\nnode_modules/');
    const r = await cli(dir, 'init');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/updated {2}\.gitignore\nupdated {2}package\.json/);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.scripts).toEqual({ test: 'make test', synth: 'nodegen synth --all' });
    expect(pkg.devDependencies).toEqual({ 'nodegen-k8s': '0.1.0' });
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('secrets/\nnode_modules/\n\n# nodegen\n.nodegen-tmp-*\n.nodegen-old-*\n.nodegen-journal*\n.nodegen-lock*\n.cdk8s-out/\n');
  });

  it('writes nothing when anything it would create exists, naming every one', async () => {
    const dir = emptyRepo();
    mkdirSync(join(dir, 'environments'));
    writeFileSync(join(dir, 'environments', 'qa.yaml'), 'namespace: mine\n');
    writeFileSync(join(dir, 'cdk8s.yaml'), 'app: mine\n');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'infra', scripts: { synth: 'cdk8s synth' } }));
    const r = await cli(dir, 'init');
    expect(r.code).toBe(1);
    expect(r.err).toContain('environments/qa.yaml: exists');
    expect(r.err).toContain('cdk8s.yaml: exists');
    expect(r.err).toContain('package.json scripts.synth: exists ("cdk8s synth")');
    expect(readdirSync(join(dir, 'environments'))).toEqual(['qa.yaml']);
    expect(readFileSync(join(dir, 'cdk8s.yaml'), 'utf8')).toBe('app: mine\n');
    expect(existsSync(join(dir, '.gitignore'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts).toEqual({ synth: 'cdk8s synth' });
  });
});

describe('the README', () => {
  it('shows the nodegen.config.mjs example the package test runs, verbatim', () => {
    const example = readFileSync(join(REPO, 'examples', 'nodegen.config.mjs'), 'utf8');
    expect(readFileSync(join(REPO, 'README.md'), 'utf8')).toContain(`\`\`\`js\n${example}\`\`\``);
  });
});

describe('nodegen.config.mjs', () => {
  it('adds charts and patches nodes through extend, and reports its mistakes as the config\'s, with exit 1', async () => {
    const dir = emptyRepo();
    expect((await cli(dir, 'init', '--env', 'qa')).code).toBe(0);
    writeFileSync(join(dir, 'nodegen.config.mjs'), readFileSync(join(REPO, 'examples', 'nodegen.config.mjs'), 'utf8'));
    const ok = await cli(dir, 'synth', '--env', 'qa');
    expect(ok.code, ok.err).toBe(0);
    expect(readFileSync(join(dir, 'dist', 'qa', '50-team.yaml'), 'utf8')).toContain('bitcoind: bitcoind.chains-qa.svc');
    const cases: Array<[string, RegExp]> = [
      ["export default { extend({ addChart }) { addChart('10-geth.yaml'); } };", /addChart\("10-geth\.yaml"\): the file must be named NN-name\.yaml with NN from 50 to 99/],
      ['export default 42;', /nodegen\.config\.mjs: the default export must be an object with an `extend\(context\)` function/],
      ['export default {;', /nodegen\.config\.mjs cannot be loaded/],
      // What it adds is validated like the rest: a privileged pod is refused.
      [
        "export default { extend({ addChart, cdk8s }) { new cdk8s.ApiObject(addChart('60-x.yaml'), 'p', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'x', image: 'busybox:1.37', securityContext: { privileged: true } }] } }); } };",
        /60-x\.yaml/,
      ],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      const config = join(dir, 'nodegen.config.mjs');
      writeFileSync(config, `${text}\n`);
      // Each edit a new modification time, as edits between runs have (the config is imported once per time).
      utimesSync(config, new Date(), new Date(Date.now() + 1000 * (i + 1)));
      const r = await cli(dir, 'synth', '--env', 'qa');
      expect(r.code, text).toBe(1);
      expect(r.err, text).toMatch(message);
      expect(r.err).not.toMatch(/internal error/);
    }
  });
});
