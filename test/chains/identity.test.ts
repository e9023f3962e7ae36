/**
 * The identity reset script runs for real with `sh` (and busybox's sh where installed, as in the
 * geth image) against a stub data volume in a temporary folder: the files each client keeps its
 * P2P key in, and the marker the script writes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDENTITY_FILES, IDENTITY_MARKER, IDENTITY_RESET_SH } from '../../src/chains/identity.js';

let root: string;
let vol: string;
let script: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nodegen-identity-'));
  vol = join(root, 'data');
  mkdirSync(vol);
  script = join(root, 'reset-identity.sh');
  writeFileSync(script, IDENTITY_RESET_SH, { mode: 0o555 });
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const SHELLS: ReadonlyArray<readonly string[]> = spawnSync('busybox', ['true']).status === 0 ? [['sh'], ['busybox', 'sh']] : [['sh']];

/** A volume as a client leaves it: its key files (with the given content), chain data, maybe a marker. */
function volume(files: readonly string[], key: string, marker?: string): void {
  for (const f of [...files, 'chaindata/000001.ldb']) {
    mkdirSync(dirname(join(vol, f)), { recursive: true });
    writeFileSync(join(vol, f), f.startsWith('chaindata') ? 'blocks' : key);
  }
  if (marker !== undefined) writeFileSync(join(vol, IDENTITY_MARKER), `${marker}\n`);
}

const marker = () => readFileSync(join(vol, IDENTITY_MARKER), 'utf8');

describe.each(SHELLS)('reset-identity.sh under %s', (...shell) => {
  const run = (pod: string, files: readonly string[], namespace = 'qa') => {
    const [cmd, ...pre] = shell;
    const r = spawnSync(cmd!, [...pre, script, vol, ...files], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', POD_NAMESPACE: namespace, POD_NAME: pod }, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it.each(Object.entries(IDENTITY_FILES))('resets %s\'s key on a volume restored from a snapshot of another replica, and marks it', (_client, files) => {
    volume(files, 'key-of-geth-0', 'qa/geth-0');
    const r = run('geth-1', files);
    expect(r.code).toBe(0);
    for (const f of files) expect(existsSync(join(vol, f))).toBe(false);
    expect(marker()).toBe('qa/geth-1\n');
    expect(r.out).toContain('the identity of qa/geth-0');
    // Chain data is never touched.
    expect(readFileSync(join(vol, 'chaindata/000001.ldb'), 'utf8')).toBe('blocks');
  });

  it('resets a volume restored from a snapshot taken without the script (no marker)', () => {
    volume(IDENTITY_FILES.geth, 'key-of-production');
    const r = run('geth-0', IDENTITY_FILES.geth);
    expect(r.code).toBe(0);
    expect(existsSync(join(vol, 'geth/nodekey'))).toBe(false);
    expect(r.out).toContain('the identity of a volume without marker');
    expect(marker()).toBe('qa/geth-0\n');
  });

  it('keeps the key when the pod restarts on its own volume, and only resets on the first start', () => {
    volume(IDENTITY_FILES.geth, 'key-of-geth-0', 'qa/geth-0');
    const first = run('geth-1', IDENTITY_FILES.geth);
    expect(first.code).toBe(0);
    // The client starts and makes its new key; then the pod restarts.
    writeFileSync(join(vol, 'geth/nodekey'), 'new-key-of-geth-1');
    const again = run('geth-1', IDENTITY_FILES.geth);
    expect(again.code).toBe(0);
    expect(again.out).toContain("node identity is qa/geth-1's own; kept");
    expect(readFileSync(join(vol, 'geth/nodekey'), 'utf8')).toBe('new-key-of-geth-1');
    expect(marker()).toBe('qa/geth-1\n');
  });

  it('resets a volume restored into a pod of the same name in another namespace', () => {
    volume(IDENTITY_FILES.lighthouse, 'key-of-production-geth-0', 'production/geth-0');
    const r = run('geth-0', IDENTITY_FILES.lighthouse, 'staging');
    expect(r.code).toBe(0);
    expect(existsSync(join(vol, 'beacon/network/key'))).toBe(false);
    expect(existsSync(join(vol, 'beacon/network/enr.dat'))).toBe(false);
    expect(marker()).toBe('staging/geth-0\n');
  });

  it('marks an empty volume (first start of a fresh node) without complaint', () => {
    const r = run('geth-0', IDENTITY_FILES.geth);
    expect(r.code).toBe(0);
    expect(marker()).toBe('qa/geth-0\n');
  });

  it('does not take a marker that merely starts with the pod\'s name for its own', () => {
    volume(IDENTITY_FILES.geth, 'key-of-geth-10', 'qa/geth-10');
    expect(run('geth-1', IDENTITY_FILES.geth).code).toBe(0);
    expect(existsSync(join(vol, 'geth/nodekey'))).toBe(false);
  });

  it('fails before deleting anything when the pod\'s namespace is missing (the init container fails, the client does not start)', () => {
    volume(IDENTITY_FILES.geth, 'key-of-geth-0', 'qa/geth-0');
    const r = spawnSync(shell[0]!, [...shell.slice(1), script, vol, ...IDENTITY_FILES.geth], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', POD_NAME: 'geth-1' }, encoding: 'utf8' });
    // POD_NAMESPACE unset: set -u stops the script before it deletes anything.
    expect(r.status).not.toBe(0);
    expect(readFileSync(join(vol, 'geth/nodekey'), 'utf8')).toBe('key-of-geth-0');
  });
});
