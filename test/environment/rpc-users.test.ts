/**
 * `rpcUsers` and `exporterRpcauth` in environment files: mistakes are reported with the file, the
 * key path and the line, and a method name can never smuggle in a second method.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../src/errors.js';
import { copyProject, snapshotTree, cli } from '../helpers/project.js';
import { developProblems } from '../helpers/overlay.js';

const project = copyProject();
afterAll(() => project.cleanup());
const HASH = (user: string) => `${user}:${'0'.repeat(32)}$${'1'.repeat(64)}`;

const problemsWith = (overlay: string): Problem[] => developProblems(project.root, overlay);

describe('rpcUsers in an environment file', () => {
  it('accepts a consumer with its own hash and methods', () => {
    expect(problemsWith(`nodes:\n  bitcoind:\n    rpcUsers:\n      ops-read:\n        rpcauth: "${HASH('ops-read')}"\n        methods: [getpeerinfo]\n`)).toEqual([]);
  });

  it.each([
    ['a hash made for another user', `      wallet-api:\n        rpcauth: "${HASH('analytics')}"\n`, 'nodes.bitcoind.rpcUsers.wallet-api.rpcauth', /for user "analytics", not "wallet-api"/],
    ['two methods in one entry', `      wallet-api:\n        methods: ["getblock,stop"]\n`, 'nodes.bitcoind.rpcUsers.wallet-api.methods.0', /one RPC method name/],
    ['a method with a space', `      wallet-api:\n        methods: ["getblock stop"]\n`, 'nodes.bitcoind.rpcUsers.wallet-api.methods.0', /one RPC method name/],
    ['no methods', `      wallet-api:\n        methods: []\n`, 'nodes.bitcoind.rpcUsers.wallet-api.methods', /at least one method/],
    ['the cookie user', `      __cookie__:\n        rpcauth: "${HASH('__cookie__')}"\n        methods: [getblock]\n`, 'nodes.bitcoind.rpcUsers.__cookie__', /cookie login/],
    ['a password instead of a hash', `      wallet-api:\n        rpcauth: "wallet-api:hunter2"\n`, 'nodes.bitcoind.rpcUsers.wallet-api.rpcauth', /nodegen rpcauth/],
  ])('refuses %s, naming the file, key and line', (_, users, key, message) => {
    const problems = problemsWith(`nodes:\n  bitcoind:\n    rpcUsers:\n${users}`);
    const p = problems.find((x) => x.path?.replace(/\[(\d+)\]/g, '.$1') === key);
    expect(p, JSON.stringify(problems)).toBeDefined();
    expect(p!.message).toMatch(message);
    expect(p!.file).toBe('environments/develop.yaml');
    expect(p!.line).toBeGreaterThan(5);
  });

  it("refuses an exporter login that is a consumer's", () => {
    const p = problemsWith(`nodes:\n  bitcoind:\n    exporterRpcauth: "${HASH('wallet-api')}"\n`).find((x) => x.path === 'nodes.bitcoind.exporterRpcauth');
    expect(p?.message).toMatch(/already a consumer in rpcUsers/);
  });

  it('refuses stop for a consumer with exit 1, and leaves dist/ untouched', async () => {
    writeFileSync(join(project.root, 'environments', 'develop.yaml'), `${readFileSync(join(project.root, 'environments', 'develop.yaml'), 'utf8').split('nodes:')[0]}nodes:\n  bitcoind:\n    rpcUsers:\n      wallet-api:\n        methods: [getblock, stop]\n`);
    const before = snapshotTree(join(project.root, 'dist'));
    const r = await cli(project.root, 'synth', '--env', 'develop');
    expect(r.code).toBe(1);
    expect(r.err).toContain('policy/rpc-methods');
    expect(r.err).toContain('"stop"');
    expect(snapshotTree(join(project.root, 'dist'))).toEqual(before);
  });
});
