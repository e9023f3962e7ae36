/**
 * The probe scripts run for real: geth's with `sh` and `wget` against a JSON-RPC stub, the beacon
 * node's with `bash` (/dev/tcp) against a Beacon API stub, and the UTXO ones with a fake cli that
 * prints what bitcoin-cli / monacoin-cli print. Stubs bind 127.0.0.1 only, on random ports.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BEACON_READY_SH, GETH_ALIVE_SH, GETH_READY_SH, UTXO_ALIVE_SH, UTXO_READY_SH } from '../../src/chains/probes.js';

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let dir: string;
let servers: Server[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodegen-probes-'));
  servers = [];
});

afterEach(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs a probe script as the kubelet would (by its interpreter), asynchronously so that the stub
 * servers in this process keep answering. Only PATH and the probe's own variables are passed, so
 * no proxy settings of this machine can reach wget.
 */
/**
 * The geth image is Alpine: busybox sh and busybox's wget, sed and date. Where busybox is installed
 * (CI installs it), the geth probes also run under it with its applets first on PATH, so an option
 * busybox's wget lacks or mishandles fails here rather than in the pod.
 */
const BUSYBOX = spawnSync('busybox', ['true']).status === 0;
let busyboxBin: string | undefined;
function busyboxPath(): string {
  if (!busyboxBin) {
    busyboxBin = mkdtempSync(join(tmpdir(), 'busybox-'));
    for (const applet of ['wget', 'sed', 'date', 'grep', 'tr', 'head', 'od']) symlinkSync(execFileSync('which', ['busybox']).toString().trim(), join(busyboxBin, applet));
  }
  return busyboxBin;
}
const GETH_SHELLS: ReadonlyArray<'sh' | 'busybox'> = BUSYBOX ? ['sh', 'busybox'] : ['sh'];

function runProbe(interpreter: 'sh' | 'bash' | 'busybox', script: string, env: Record<string, string>): Promise<RunResult> {
  const file = join(dir, `probe-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, script, { mode: 0o555 });
  const path = process.env.PATH ?? '/usr/bin:/bin';
  return new Promise((resolve, reject) => {
    const child = spawn(interpreter, interpreter === 'busybox' ? ['sh', file] : [file], {
      env: { PATH: interpreter === 'busybox' ? `${busyboxPath()}:${path}` : path, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts an HTTP server on 127.0.0.1 at a random port; it is closed after the test. */
async function listen(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<number> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => handler(req, body, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on: bound once by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const hex = (n: number) => `0x${n.toString(16)}`;
const now = () => Math.floor(Date.now() / 1000);

describe.each(GETH_SHELLS)('geth probes under %s', (shell) => {
  interface GethState {
    syncing: false | Record<string, string>;
    headNumber: number;
    headTimestamp: number;
  }
  interface RpcCall {
    method: string;
    params: unknown;
    contentType: string | undefined;
  }

  /** A head block as geth prints it (compact JSON, hex quantities, keys in geth's order). */
  function block(s: GethState) {
    return {
      baseFeePerGas: '0x7',
      blobGasUsed: '0x0',
      difficulty: '0x0',
      excessBlobGas: '0x0',
      extraData: '0xd883010e06846765746888676f312e32312e36856c696e7578',
      gasLimit: '0x1c9c380',
      gasUsed: '0x2a6f1b',
      hash: '0x8c2f2af2b5a4e7b8e4b3c9b8f0e7a6d5c4b3a29180f7e6d5c4b3a29180f7e6d5',
      logsBloom: `0x${'0'.repeat(512)}`,
      miner: '0x0000000000000000000000000000000000000000',
      mixHash: `0x${'1'.repeat(64)}`,
      nonce: '0x0000000000000000',
      number: hex(s.headNumber),
      parentBeaconBlockRoot: `0x${'2'.repeat(64)}`,
      parentHash: `0x${'3'.repeat(64)}`,
      receiptsRoot: `0x${'4'.repeat(64)}`,
      sha3Uncles: '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347',
      size: '0x1a2b',
      stateRoot: `0x${'5'.repeat(64)}`,
      timestamp: hex(s.headTimestamp),
      transactions: [`0x${'6'.repeat(64)}`, `0x${'7'.repeat(64)}`],
      transactionsRoot: `0x${'8'.repeat(64)}`,
      uncles: [],
      withdrawals: [{ index: '0x1', validatorIndex: '0x2', address: `0x${'9'.repeat(40)}`, amount: '0x3' }],
      withdrawalsRoot: `0x${'a'.repeat(64)}`,
    };
  }

  /** Answers like geth's HTTP JSON-RPC: POST, application/json only, compact JSON, a newline. */
  async function gethStub(state: GethState): Promise<{ url: string; calls: RpcCall[] }> {
    const calls: RpcCall[] = [];
    const port = await listen((req, body, res) => {
      if (req.method !== 'POST' || !(req.headers['content-type'] ?? '').startsWith('application/json')) {
        res.writeHead(415, { 'Content-Type': 'text/plain' }).end('invalid content type, only application/json is supported\n');
        return;
      }
      const msg = JSON.parse(body) as { id: number; method: string; params: unknown };
      calls.push({ method: msg.method, params: msg.params, contentType: req.headers['content-type'] });
      const results: Record<string, unknown> = {
        eth_syncing: state.syncing,
        eth_blockNumber: hex(state.headNumber),
        eth_getBlockByNumber: block(state),
      };
      const answer =
        msg.method in results
          ? { jsonrpc: '2.0', id: msg.id, result: results[msg.method] }
          : { jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: `the method ${msg.method} does not exist/is not available` } };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(answer)}\n`);
    });
    return { url: `http://127.0.0.1:${port}`, calls };
  }

  const SYNCING = {
    currentBlock: '0x1a2b3c',
    healedBytecodeBytes: '0x0',
    healedBytecodes: '0x0',
    healedTrienodeBytes: '0x0',
    healedTrienodes: '0x0',
    healingBytecode: '0x0',
    healingTrienodes: '0x0',
    highestBlock: '0x1b0000',
    startingBlock: '0x0',
    syncedAccountBytes: '0x2d5a3f',
    syncedAccounts: '0x1234',
    syncedBytecodeBytes: '0x0',
    syncedBytecodes: '0x0',
    syncedStorage: '0x0',
    syncedStorageBytes: '0x0',
    txIndexFinishedBlocks: '0x0',
    txIndexRemainingBlocks: '0x1',
  };

  it('reports ready when geth is not syncing and its head block is recent', async () => {
    const { url, calls } = await gethStub({ syncing: false, headNumber: 1_234_567, headTimestamp: now() - 12 });
    const r = await runProbe(shell, GETH_READY_SH, { RPC_URL: url });
    expect(r).toMatchObject({ code: 0 });
    expect(calls.map((c) => c.method)).toEqual(['eth_syncing', 'eth_getBlockByNumber']);
    expect(calls[1]!.params).toEqual(['latest', false]);
    expect(calls.every((c) => c.contentType === 'application/json')).toBe(true);
  });

  it('reports not ready, saying so, while eth_syncing returns a progress object', async () => {
    const { url, calls } = await gethStub({ syncing: SYNCING, headNumber: 0x1a2b3c, headTimestamp: now() - 12 });
    const r = await runProbe(shell, GETH_READY_SH, { RPC_URL: url });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not ready: syncing');
    expect(calls.map((c) => c.method)).toEqual(['eth_syncing']);
  });

  it('reports not ready when the head block is older than MAX_HEAD_AGE_SECONDS', async () => {
    const { url } = await gethStub({ syncing: false, headNumber: 100, headTimestamp: now() - 600 });
    const r = await runProbe(shell, GETH_READY_SH, { RPC_URL: url, MAX_HEAD_AGE_SECONDS: '60' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/not ready: head block is \d+s old \(limit 60s\)/);
  });

  it('honours a larger MAX_HEAD_AGE_SECONDS for the same old head', async () => {
    const { url } = await gethStub({ syncing: false, headNumber: 100, headTimestamp: now() - 600 });
    const r = await runProbe(shell, GETH_READY_SH, { RPC_URL: url, MAX_HEAD_AGE_SECONDS: '3600' });
    expect(r.code).toBe(0);
  });

  it('uses a 180 s limit when MAX_HEAD_AGE_SECONDS is not set (a node that has not started syncing)', async () => {
    // eth_syncing is false before sync starts too; only the genesis-era head gives it away.
    const { url } = await gethStub({ syncing: false, headNumber: 0, headTimestamp: 1_695_902_400 });
    const r = await runProbe(shell, GETH_READY_SH, { RPC_URL: url });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/not ready: head block is \d+s old \(limit 180s\)/);
  });

  it('reports not ready when nothing answers JSON-RPC', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await runProbe(shell, GETH_READY_SH, { RPC_URL: url });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`not ready: JSON-RPC does not answer at ${url}`);
  });

  it('reports alive while geth answers JSON-RPC, even when syncing', async () => {
    const { url, calls } = await gethStub({ syncing: SYNCING, headNumber: 0x1a2b3c, headTimestamp: now() - 86_400 });
    const r = await runProbe(shell, GETH_ALIVE_SH, { RPC_URL: url });
    expect(r.code).toBe(0);
    expect(calls.map((c) => c.method)).toEqual(['eth_blockNumber']);
  });

  it('reports not alive when nothing answers JSON-RPC', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await runProbe(shell, GETH_ALIVE_SH, { RPC_URL: url });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`not alive: JSON-RPC does not answer at ${url}`);
  });

  it('reports not alive when the port answers HTTP but not JSON-RPC', async () => {
    const port = await listen((_req, _body, res) => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found\n'));
    const r = await runProbe(shell, GETH_ALIVE_SH, { RPC_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
  });
});

describe('beacon node readiness probe', () => {
  interface SyncStatus {
    head_slot: string;
    sync_distance: string;
    is_syncing: boolean;
    is_optimistic: boolean;
    el_offline: boolean;
  }
  const SYNCED: SyncStatus = { head_slot: '1', sync_distance: '0', is_syncing: false, is_optimistic: false, el_offline: false };

  /** Answers GET /eth/v1/node/syncing as the Beacon API does; anything else is 404. */
  async function beaconStub(status: SyncStatus, pretty = false): Promise<{ port: number; requests: string[] }> {
    const requests: string[] = [];
    const port = await listen((req, _body, res) => {
      requests.push(`${req.method} ${req.url} HTTP/${req.httpVersion}`);
      if (req.method === 'GET' && req.url === '/eth/v1/node/syncing') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ data: status }, null, pretty ? 2 : undefined));
      } else {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"code":404,"message":"NOT_FOUND"}');
      }
    });
    return { port, requests };
  }

  const env = (port: number) => ({ BEACON_HOST: '127.0.0.1', BEACON_PORT: String(port) });

  it('reports ready when the beacon node is synced and not optimistic', async () => {
    const { port, requests } = await beaconStub(SYNCED);
    const r = await runProbe('bash', BEACON_READY_SH, env(port));
    expect(r).toMatchObject({ code: 0 });
    expect(requests).toEqual(['GET /eth/v1/node/syncing HTTP/1.0']);
  });

  it('reads a pretty-printed answer the same way', async () => {
    const { port } = await beaconStub(SYNCED, true);
    expect((await runProbe('bash', BEACON_READY_SH, env(port))).code).toBe(0);
  });

  it('reports not ready while is_syncing is true', async () => {
    const { port } = await beaconStub({ ...SYNCED, head_slot: '100', sync_distance: '5000', is_syncing: true });
    const r = await runProbe('bash', BEACON_READY_SH, env(port));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not ready: beacon node is syncing');
  });

  it('reports not ready while its execution client is offline', async () => {
    const { port } = await beaconStub({ ...SYNCED, el_offline: true });
    const r = await runProbe('bash', BEACON_READY_SH, env(port));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not ready: execution client offline');
  });

  it('reports not ready while the beacon node is optimistic (its execution client is behind)', async () => {
    const { port } = await beaconStub({ ...SYNCED, is_optimistic: true });
    const r = await runProbe('bash', BEACON_READY_SH, env(port));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not ready: beacon node is optimistic');
  });

  it('reports not ready when nothing listens on the Beacon API port', async () => {
    const port = await closedPort();
    const r = await runProbe('bash', BEACON_READY_SH, env(port));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`not ready: Beacon API does not answer on 127.0.0.1:${port}`);
  });

  it('reports not ready when the port answers without the syncing endpoint', async () => {
    const port = await listen((_req, _body, res) => res.writeHead(404).end('{"code":404,"message":"NOT_FOUND"}'));
    expect((await runProbe('bash', BEACON_READY_SH, env(port))).code).toBe(1);
  });
});

describe('bitcoind / monacoind probes', () => {
  const CONF = '/nodegen/config/monacoin.conf';
  const DATADIR = '/data';

  interface Reply {
    readonly stdout?: string;
    readonly stderr?: string;
    readonly exit: number;
  }

  /** `getblockchaininfo` as bitcoin-cli / monacoin-cli 0.20 print it: 2-space pretty JSON. */
  function blockchainInfo(ibd: boolean): string {
    return `${JSON.stringify(
      {
        chain: 'test',
        blocks: ibd ? 120_000 : 2_345_678,
        headers: 2_345_678,
        bestblockhash: '9f4c5b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c',
        difficulty: 0.001953125,
        mediantime: 1_700_000_000,
        verificationprogress: ibd ? 0.0512 : 0.9999993,
        initialblockdownload: ibd,
        chainwork: '0000000000000000000000000000000000000000000000000000a1b2c3d4e5f6',
        size_on_disk: 1_234_567_890,
        pruned: false,
        softforks: { bip34: { type: 'buried', active: true, height: 1 } },
        warnings: '',
      },
      null,
      2,
    )}\n`;
  }

  const WARMUP: Reply = { stderr: 'error code: -28\nerror message:\nLoading block index...\n', exit: 1 };
  const NO_SERVER: Reply = {
    stderr:
      'error: Could not connect to the server 127.0.0.1:19402\n\nMake sure the monacoind server is running and that you are connecting to the correct RPC port.\n',
    exit: 1,
  };

  /**
   * A fake cli: records its arguments (one per line) and answers each RPC command with a fixed
   * reply; an unknown command fails like the real cli does.
   */
  function fakeCli(replies: Record<string, Reply>): string {
    for (const [cmd, reply] of Object.entries(replies)) {
      writeFileSync(join(dir, `${cmd}.out`), reply.stdout ?? '');
      writeFileSync(join(dir, `${cmd}.err`), reply.stderr ?? '');
      writeFileSync(join(dir, `${cmd}.exit`), String(reply.exit));
    }
    const cli = join(dir, 'monacoin-cli');
    writeFileSync(
      cli,
      [
        '#!/bin/sh',
        'd=$(dirname "$0")',
        'printf \'%s\\n\' "$@" > "$d/args"',
        'for cmd in "$@"; do :; done',
        'if [ ! -f "$d/$cmd.exit" ]; then echo "error code: -32601" >&2; echo "error message:" >&2; echo "Method not found" >&2; exit 1; fi',
        'cat "$d/$cmd.out"',
        'cat "$d/$cmd.err" >&2',
        'exit "$(cat "$d/$cmd.exit")"',
        '',
      ].join('\n'),
    );
    chmodSync(cli, 0o755);
    return cli;
  }

  const args = () => readFileSync(join(dir, 'args'), 'utf8').trimEnd().split('\n');
  const env = (cli: string) => ({ CLI: cli, CONF, DATADIR });

  it('calls the cli with the conf file, the datadir and getblockchaininfo', async () => {
    const cli = fakeCli({ getblockchaininfo: { stdout: blockchainInfo(false), exit: 0 } });
    await runProbe('sh', UTXO_READY_SH, env(cli));
    const a = args();
    expect(a).toContain(`-conf=${CONF}`);
    expect(a).toContain(`-datadir=${DATADIR}`);
    expect(a.at(-1)).toBe('getblockchaininfo');
  });

  it('reports ready when initial block download is over', async () => {
    const cli = fakeCli({ getblockchaininfo: { stdout: blockchainInfo(false), exit: 0 } });
    const r = await runProbe('sh', UTXO_READY_SH, env(cli));
    expect(r).toMatchObject({ code: 0 });
  });

  it('reports not ready during initial block download', async () => {
    const cli = fakeCli({ getblockchaininfo: { stdout: blockchainInfo(true), exit: 0 } });
    const r = await runProbe('sh', UTXO_READY_SH, env(cli));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not ready: initial block download in progress');
  });

  // bitcoin-cli exits with the RPC error's absolute value (28) in its sources; 1 is checked too.
  it.each([1, 28])('reports not ready, with the daemon\'s words, while it loads the block index (cli exit %i)', async (exit) => {
    const cli = fakeCli({ getblockchaininfo: { ...WARMUP, exit } });
    const r = await runProbe('sh', UTXO_READY_SH, env(cli));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not ready: error code: -28');
    expect(r.stdout).toContain('Loading block index...');
  });

  it('reports not ready when the cli cannot connect to the daemon', async () => {
    const cli = fakeCli({ getblockchaininfo: NO_SERVER });
    const r = await runProbe('sh', UTXO_READY_SH, env(cli));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not ready: error: Could not connect to the server');
  });

  it('reports alive when the daemon answers, and asks with the same conf and datadir', async () => {
    const cli = fakeCli({ getblockcount: { stdout: '2345678\n', exit: 0 } });
    const r = await runProbe('sh', UTXO_ALIVE_SH, env(cli));
    expect(r.code).toBe(0);
    const a = args();
    expect(a).toContain(`-conf=${CONF}`);
    expect(a).toContain(`-datadir=${DATADIR}`);
    expect(a.at(-1)).toBe('getblockcount');
  });

  it.each([1, 28])('reports alive while the daemon is warming up with error -28 (cli exit %i)', async (exit) => {
    const cli = fakeCli({ getblockcount: { ...WARMUP, exit } });
    expect((await runProbe('sh', UTXO_ALIVE_SH, env(cli))).code).toBe(0);
  });

  it('reports not alive when the cli cannot connect to the daemon', async () => {
    const cli = fakeCli({ getblockcount: NO_SERVER });
    const r = await runProbe('sh', UTXO_ALIVE_SH, env(cli));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not alive: error: Could not connect to the server');
  });

  it('reports not alive on any other RPC error', async () => {
    const cli = fakeCli({ getblockcount: { stderr: 'error code: -1\nerror message:\nDatabase corrupted\n', exit: 1 } });
    const r = await runProbe('sh', UTXO_ALIVE_SH, env(cli));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Database corrupted');
  });
});
