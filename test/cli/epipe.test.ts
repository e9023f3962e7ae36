/**
 * A reader that stops early (`nodegen --help | head -1`, `nodegen synth --stdout | head`) closes
 * the pipe under nodegen. That is not nodegen's failure: no stack trace, and the exit code is the
 * command's own.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, spawnCli } from '../helpers/project.js';

let root: string;
let cleanup: () => void;

beforeAll(() => {
  ({ root, cleanup } = copyProject());
  // Build the copy once, so the runs below print nothing about rebuilding.
  expect(spawnCli(root, root, '--version').code).toBe(0);
});

afterAll(() => cleanup());

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly err: string;
  /** Bytes read before the reader went away. */
  readonly read: number;
}

/**
 * Runs the bin with stdout into a pipe whose reader closes: at once, or (`afterFirstChunk`) after
 * the first chunk, as `head` does.
 */
function runIntoClosingReader(afterFirstChunk: boolean, ...argv: string[]): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'nodegen.js'), ...argv], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let read = 0;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    if (afterFirstChunk) {
      child.stdout.once('data', (d: Buffer) => {
        read = d.length;
        child.stdout.destroy();
      });
    } else {
      child.stdout.destroy();
    }
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, err, read }));
  });
}

describe('output into a pipe the reader closed', () => {
  it('ends --help quietly with exit code 0 when the reader is gone before the first byte', async () => {
    const r = await runIntoClosingReader(false, '--help');
    expect(r.err).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  });

  it('ends synth --stdout quietly with exit code 0 when the reader stops after the first chunk, as head does', async () => {
    const r = await runIntoClosingReader(true, 'synth', '--all', '--stdout');
    expect(r.read).toBeGreaterThan(0);
    expect(r.err).not.toMatch(/EPIPE|Error|at /);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  });
});
