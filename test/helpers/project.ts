/**
 * Test helpers: a temporary copy of the project, and running the CLI in process or as a process.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { run } from '../../src/cli/run.js';
import { loadEnvironment } from '../../src/environment/load.js';
import { InputError, type Problem } from '../../src/errors.js';

export const REPO = join(__dirname, '..', '..');

/** Copies the project (sources, build, environments, dist) to a temp folder; node_modules is linked. */
export function copyProject(): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'nodegen-test-'));
  for (const entry of ['bin', 'lib', 'src', 'charts', 'chains', 'environments', 'dist', 'package.json', 'tsconfig.json']) {
    cpSync(join(REPO, entry), join(root, entry), { recursive: true, preserveTimestamps: true });
  }
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Every file under a folder with its bytes, keyed by relative path: for "untouched" checks. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the CLI in process, as bin/nodegen.js would, with `cwd` as the working directory. */
export async function cli(cwd: string, ...argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { cwd, out: (t) => out.push(t), err: (t) => err.push(t) }, '0.0.0-test');
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Runs the real bin as a separate process. */
export function spawnCli(cwd: string, root: string, ...argv: string[]): CliResult {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'nodegen.js'), ...argv], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Writes environments/develop.yaml of a project copy as qa.yaml (in its own namespace) plus an overlay. */
export function writeDevelop(root: string, overlay: string): void {
  writeFileSync(join(root, 'environments', 'develop.yaml'), `${readFileSync(join(root, 'environments', 'qa.yaml'), 'utf8').replace('chains-qa', 'chains-develop')}${overlay}`);
}

/** The input problems of that develop environment when loaded (none when it loads). */
export function developProblems(root: string, overlay: string): Problem[] {
  writeDevelop(root, overlay);
  try {
    loadEnvironment('develop', { root });
  } catch (e) {
    if (e instanceof InputError) return [...e.problems];
    throw e;
  }
  return [];
}
