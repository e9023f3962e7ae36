/**
 * `synth --all` is all or nothing, also when it is interrupted or killed, and two runs at once
 * never fail as an internal error. The real bin is spawned and signalled at random points of its
 * run (a seeded generator, so every run of the test checks the same points).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOURNAL_FILE, OutputFolder } from '../../src/synth/write.js';
import { copyProject, snapshotTree, spawnCli } from '../helpers/project.js';
import { random } from '../helpers/random.js';

const ENVS = ['develop', 'nodetest', 'production', 'qa', 'staging'];

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly err: string;
}

/** Spawns the bin; `kill` sends a signal after `delayMs`. */
function runCli(root: string, argv: readonly string[], kill?: { signal: NodeJS.Signals; delayMs: number }): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'nodegen.js'), ...argv], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = kill ? setTimeout(() => child.kill(kill.signal), kill.delayMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, err });
    });
  });
}

let root: string;
let cleanup: () => void;
let oldTree: Record<string, Record<string, string>>;
let newTree: Record<string, Record<string, string>>;
let runMs: number;

const perEnv = (dir: string) => Object.fromEntries(ENVS.filter((e) => existsSync(join(dir, e))).map((e) => [e, snapshotTree(join(dir, e))]));

beforeAll(() => {
  ({ root, cleanup } = copyProject());
  oldTree = perEnv(join(root, 'dist'));
  cpSync(join(root, 'dist'), join(root, 'dist.orig'), { recursive: true });
  // A change every environment inherits: every folder is rewritten.
  const base = join(root, 'environments', 'base.yaml');
  writeFileSync(base, readFileSync(base, 'utf8').replace('clusterCidrs: [10.0.0.0/8]', 'clusterCidrs: [10.0.0.0/9]'));
  const started = Date.now();
  expect(spawnCli(root, root, 'synth', '--all', '--outdir', 'new.out').code).toBe(0);
  runMs = Date.now() - started;
  newTree = perEnv(join(root, 'new.out'));
  rmSync(join(root, 'new.out'), { recursive: true });
  for (const env of ENVS) expect(newTree[env]).not.toEqual(oldTree[env]);
});
afterAll(() => cleanup());

function resetDist(): void {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  cpSync(join(root, 'dist.orig'), join(root, 'dist'), { recursive: true });
}

/** Which state each environment folder is in: 'old', 'new', 'missing' or 'torn'. */
function states(): Record<string, string> {
  const now = perEnv(join(root, 'dist'));
  return Object.fromEntries(
    ENVS.map((env) => {
      const t = now[env];
      const state = t === undefined ? 'missing' : JSON.stringify(t) === JSON.stringify(oldTree[env]) ? 'old' : JSON.stringify(t) === JSON.stringify(newTree[env]) ? 'new' : 'torn';
      return [env, state];
    }),
  );
}

const distEntries = () => readdirSync(join(root, 'dist')).sort();

describe('synth --all, interrupted at random points', () => {
  const next = random(13);
  // Mostly late in the run, where the folders are written and swapped; now and then during start-up.
  const delay = () => (next(4) === 0 ? next(Math.round(runMs * 0.3) + 1) : Math.round(runMs * 0.3) + next(Math.round(runMs * 0.9) + 1));

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`on ${signal}, leaves every environment old or every one new, and nothing else behind`, async () => {
      for (let i = 0; i < 8; i++) {
        resetDist();
        const r = await runCli(root, ['synth', '--all'], { signal, delayMs: delay() });
        expect(r.err).not.toContain('internal error');
        expect(r.code).not.toBe(70);
        const s = new Set(Object.values(states()));
        expect(s.size, JSON.stringify(states())).toBe(1);
        // Exit 0: it finished; exit 1: it stopped before the swap and says so; killed by the signal: before or after.
        if (r.code === 0) expect(s).toEqual(new Set(['new']));
        else if (r.code === 1) {
          expect(r.err).toContain(`interrupted by ${signal} before anything was written; dist/ was not changed`);
          expect(s).toEqual(new Set(['old']));
        } else expect(r.signal).toBe(signal);
        expect([...s][0]).toMatch(/^(old|new)$/);
        expect(distEntries()).toEqual(ENVS);
      }
    });
  }

  it('on SIGKILL, leaves each folder old or new (or mid-rename, with the journal), and the next run completes a consistent set', async () => {
    for (let i = 0; i < 6; i++) {
      resetDist();
      await runCli(root, ['synth', '--all'], { signal: 'SIGKILL', delayMs: delay() });
      const journal = existsSync(join(root, 'dist', JOURNAL_FILE));
      for (const [env, state] of Object.entries(states())) {
        expect(state === 'old' || state === 'new' || (state === 'missing' && journal), `${env}: ${state}`).toBe(true);
      }
      const out = await OutputFolder.open(join(root, 'dist'));
      out.close();
      const after = new Set(Object.values(states()));
      expect(after.size).toBe(1);
      if (journal) expect(after).toEqual(new Set(['new']));
      expect([...after][0]).toMatch(/^(old|new)$/);
      expect(distEntries()).toEqual(ENVS);
    }
  });
});

describe('two synths at once on one project', () => {
  it('never fail as an internal error: writers take turns, a --check beside them fails at worst as exit 1', async () => {
    for (let i = 0; i < 3; i++) {
      resetDist();
      const [a, b, check] = await Promise.all([
        runCli(root, ['synth', '--all']),
        runCli(root, ['synth', '--all']),
        runCli(root, ['synth', '--all', '--check']),
      ]);
      for (const r of [a, b, check]) {
        expect(r.err).not.toContain('internal error');
        expect(r.err).not.toMatch(/\n\s+at /);
      }
      expect([a.code, b.code]).toEqual([0, 0]);
      expect([0, 1]).toContain(check.code);
      expect(new Set(Object.values(states()))).toEqual(new Set(['new']));
      expect(distEntries()).toEqual(ENVS);
    }
  });

  it('both succeed into a new --outdir that neither found', async () => {
    const runs = await Promise.all([runCli(root, ['synth', '--all', '--outdir', 'fresh.out']), runCli(root, ['synth', '--all', '--outdir', 'fresh.out'])]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(perEnv(join(root, 'fresh.out'))).toEqual(newTree);
    expect(readdirSync(join(root, 'fresh.out')).sort()).toEqual(ENVS);
  });
});
