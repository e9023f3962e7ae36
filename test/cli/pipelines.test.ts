/**
 * The example pipelines and the cdk8s config run nodegen commands: those commands must exist,
 * and the apply step must be the one nodegen documents.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { applyCommand } from '../../src/synth/apply.js';
import { formatRuleCatalogue } from '../../src/validate/rules.js';
import { readFolder } from '../../src/synth/write.js';
import { REPO, copyProject, snapshotTree, spawnCli } from '../helpers/project.js';

const program = buildProgram({ cwd: REPO, out: () => undefined, err: () => undefined }, '0.0.0');

/** Every shell line of a CI file (GitHub `run`, CircleCI `run`/`command`), continuation lines joined. */
function shellLines(file: string): string[] {
  const lines: string[] = [];
  const walk = (v: unknown, key?: string) => {
    if (typeof v === 'string' && (key === 'run' || key === 'command')) lines.push(...v.split('\n').map((l) => l.trim()).filter(Boolean));
    else if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(parse(readFileSync(join(REPO, file), 'utf8')));
  return lines;
}

/** Checks a `npx --no nodegen ...` line against the real command definitions. */
function assertNodegenCommand(line: string): void {
  const words = line.replace(/\s*\|\|.*$/, '').split(/\s+/);
  expect(words.slice(0, 3), line).toEqual(['npx', '--no', 'nodegen']);
  const [name, ...args] = words.slice(3);
  const command = program.commands.find((c) => c.name() === name);
  expect(command, `no command "${name}" in: ${line}`).toBeDefined();
  const known = command!.options.flatMap((o) => [o.long, o.short].filter(Boolean));
  for (const arg of args.filter((a) => a.startsWith('-'))) expect(known, `${name} has no option ${arg}`).toContain(arg);
}

describe.each(['examples/ci/github-actions.yml', 'examples/ci/circleci.yml'])('%s', (file) => {
  const lines = shellLines(file);

  it('runs npm ci, npm test and the synth --check gate', () => {
    expect(lines).toEqual(expect.arrayContaining(['npm ci', 'npm test', 'npx --no nodegen synth --all --check']));
  });

  it('uses only nodegen commands and options that exist', () => {
    const nodegen = lines.filter((l) => l.includes('nodegen') && l.startsWith('npx'));
    expect(nodegen.length).toBeGreaterThanOrEqual(2);
    for (const l of nodegen) assertNodegenCommand(l);
  });

  it('applies with the documented prune command, never with a kube context from the repository', () => {
    const expr = file.includes('github') ? '${{ matrix.environment }}' : '<< parameters.environment >>';
    expect(lines).toContain(applyCommand(expr));
    const text = readFileSync(join(REPO, file), 'utf8');
    expect(text).toMatch(/KUBECONFIG_B64/);
    expect(text).not.toMatch(/apiVersion: v1\s+kind: Config/);
  });
});

describe('the README', () => {
  it('lists every validation rule as nodegen validate --rules does', () => {
    expect(readFileSync(join(REPO, 'README.md'), 'utf8')).toContain(formatRuleCatalogue());
  });

  it('shows the exact apply command of every environment', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    for (const env of ['nodetest', 'develop', 'qa', 'staging', 'production']) expect(readme).toContain(applyCommand(env));
  });
});

describe('cdk8s.yaml', () => {
  let root: string;
  let cleanup: () => void;
  beforeEach(() => ({ root, cleanup } = copyProject()));
  afterEach(() => cleanup());

  const config = parse(readFileSync(join(REPO, 'cdk8s.yaml'), 'utf8')) as { app: string; output: string };

  /**
   * What `cdk8s synth` does (cdk8s-cli src/cli/cmds/synth.ts and src/util.ts): delete the output
   * folder, run the app through a shell with CDK8S_OUTDIR set to it, fail when the app fails.
   */
  function cdk8sSynth(): { code: number; err: string } {
    rmSync(join(root, config.output), { recursive: true, force: true });
    const r = spawnSync(config.app, { cwd: root, shell: true, env: { ...process.env, CDK8S_OUTDIR: config.output }, encoding: 'utf8' });
    return { code: r.status ?? -1, err: r.stderr };
  }

  it('points the cdk8s CLI at a git-ignored scratch folder, never at the committed dist/', () => {
    expect(config.output).not.toMatch(/^(\.\/)?dist\/?$/);
    const ignored = readFileSync(join(REPO, '.gitignore'), 'utf8').split('\n');
    expect(ignored).toContain(`${config.output.replace(/\/$/, '')}/`);
  });

  it('makes `cdk8s synth` write dist/ as nodegen synth --all does, and the same folders into its output', () => {
    writeFileSync(join(root, 'environments', 'qa.yaml'), `${readFileSync(join(root, 'environments', 'qa.yaml'), 'utf8')}nodes:\n  geth:\n    replicas: 2\n`);
    expect(cdk8sSynth().code).toBe(0);
    expect(readFileSync(join(root, 'dist', 'qa', '10-geth.yaml'), 'utf8')).toContain('replicas: 2');
    expect(spawnCli(root, root, 'synth', '--all', '--outdir', 'nodegen.out').code).toBe(0);
    const viaCdk8s = readFolder(join(root, config.output));
    expect(viaCdk8s.size).toBeGreaterThanOrEqual(25);
    expect(viaCdk8s).toEqual(readFolder(join(root, 'nodegen.out')));
    expect(readFolder(join(root, 'dist'))).toEqual(readFolder(join(root, 'nodegen.out')));
  });

  it('leaves the committed dist/ byte for byte as it was when an environment is invalid', () => {
    const before = snapshotTree(join(root, 'dist'));
    writeFileSync(join(root, 'environments', 'staging.yaml'), readFileSync(join(root, 'environments', 'staging.yaml'), 'utf8').replace('tier: mainnet', 'tier: mainnett'));
    const r = cdk8sSynth();
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('dist/ was not changed');
    expect(snapshotTree(join(root, 'dist'))).toEqual(before);
  });
});
