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

  const BEST = '9f4c5b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c';

  /** `getblockchaininfo` as bitcoin-cli / monacoin-cli 0.20 print it: 2-space pretty JSON. */
  function blockchainInfo(ibd: boolean, chain: { blocks?: number; headers?: number } = {}): string {
    return `${JSON.stringify(
      {
        chain: 'test',
        blocks: chain.blocks ?? (ibd ? 120_000 : 2_345_678),
        headers: chain.headers ?? 2_345_678,
        bestblockhash: BEST,
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

  /** `getblockheader <hash>` as the cli prints it; `time` is the block's, `mediantime` an hour older. */
  function blockHeader(time: number): string {
    return `${JSON.stringify(
      {
        hash: BEST,
        confirmations: 1,
        height: 2_345_678,
        version: 536_870_912,
        versionHex: '20000000',
        merkleroot: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
        time,
        mediantime: time - 3600,
        nonce: 2_083_236_893,
        bits: '1d00ffff',
        difficulty: 1,
        chainwork: '0000000000000000000000000000000000000000000000000000a1b2c3d4e5f6',
        nTx: 12,
        previousblockhash: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
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
        // The RPC command is the first argument that is not an option (getblockheader takes a hash).
        'for a in "$@"; do case "$a" in -*) ;; *) cmd=$a; break ;; esac; done',
        'printf \'%s\\n\' "$*" >> "$d/calls"',
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
  /** The RPC calls made, in order, each without the cli's options. */
  const calls = () => readFileSync(join(dir, 'calls'), 'utf8').trimEnd().split('\n').map((l) => l.split(' ').filter((w) => !w.startsWith('-')).join(' '));
  const env = (cli: string) => ({ CLI: cli, CONF, DATADIR });
  /** What the pods of a mainnet node set (bitcoind main: 2 h, at least one peer, two blocks of lag). */
  const mainnetEnv = (cli: string) => ({ ...env(cli), MAX_HEADER_LAG: '2', MAX_TIP_AGE_SECONDS: '7200', MIN_PEERS: '1' });
  /** A synced, connected node: the fake cli's replies; each test replaces one. */
  const healthy = (over: Partial<Record<string, Reply>> = {}): Record<string, Reply> => ({
    getblockchaininfo: { stdout: blockchainInfo(false), exit: 0 },
    getblockheader: { stdout: blockHeader(now() - 300), exit: 0 },
    getconnectioncount: { stdout: '8\n', exit: 0 },
    ...over,
  }) as Record<string, Reply>;

  it('calls the cli with the conf file and the datadir: getblockchaininfo, the best block\'s header, the peer count', async () => {
    const cli = fakeCli(healthy());
    const r = await runProbe('sh', UTXO_READY_SH, mainnetEnv(cli));
    expect(r).toMatchObject({ code: 0 });
    const a = args();
    expect(a).toContain(`-conf=${CONF}`);
    expect(a).toContain(`-datadir=${DATADIR}`);
    expect(calls()).toEqual(['getblockchaininfo', `getblockheader ${BEST}`, 'getconnectioncount']);
  });

  it('reports ready when initial block download is over, the tip is recent and peers are connected', async () => {
    const cli = fakeCli(healthy());
    expect((await runProbe('sh', UTXO_READY_SH, mainnetEnv(cli))).code).toBe(0);
  });

  it('reports not ready when the tip has stalled (older than MAX_TIP_AGE_SECONDS), though IBD is latched false', async () => {
    const cli = fakeCli(healthy({ getblockheader: { stdout: blockHeader(now() - 3 * 3600), exit: 0 } }));
    const r = await runProbe('sh', UTXO_READY_SH, mainnetEnv(cli));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/not ready: best block 2345678 is \d+s old \(limit 7200s\)/);
  });

  it('reads the block\'s own time, not its median time (an hour older)', async () => {
    // time is 100 minutes old (ready under 2 h); mediantime would be 160 minutes (not ready).
    const cli = fakeCli(healthy({ getblockheader: { stdout: blockHeader(now() - 6000), exit: 0 } }));
    expect((await runProbe('sh', UTXO_READY_SH, mainnetEnv(cli))).code).toBe(0);
  });

  it('reports not ready when the best block trails the best header by more than MAX_HEADER_LAG', async () => {
    const cli = fakeCli(healthy({ getblockchaininfo: { stdout: blockchainInfo(false, { blocks: 2_345_600, headers: 2_345_678 }), exit: 0 } }));
    const r = await runProbe('sh', UTXO_READY_SH, mainnetEnv(cli));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not ready: best block 2345600 is 78 behind the best header 2345678 (limit 2)');
  });

  it('reports ready with a lag of exactly MAX_HEADER_LAG (a block in flight), not with one more', async () => {
    const at = (blocks: number) => fakeCli(healthy({ getblockchaininfo: { stdout: blockchainInfo(false, { blocks, headers: 2_345_678 }), exit: 0 } }));
    expect((await runProbe('sh', UTXO_READY_SH, mainnetEnv(at(2_345_676)))).code).toBe(0);
    expect((await runProbe('sh', UTXO_READY_SH, mainnetEnv(at(2_345_675)))).code).toBe(1);
  });

  it('reports not ready with zero peers', async () => {
    const cli = fakeCli(healthy({ getconnectioncount: { stdout: '0\n', exit: 0 } }));
    const r = await runProbe('sh', UTXO_READY_SH, mainnetEnv(cli));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not ready: 0 peer connections (at least 1 needed)');
  });

  it('reports not ready, with the cli\'s words, when the header or the peer count cannot be read', async () => {
    const broken: Reply = { stderr: 'error code: -5\nerror message:\nBlock not found\n', exit: 5 };
    const r1 = await runProbe('sh', UTXO_READY_SH, mainnetEnv(fakeCli(healthy({ getblockheader: broken }))));
    expect(r1.code).toBe(1);
    expect(r1.stdout).toContain('Block not found');
    const r2 = await runProbe('sh', UTXO_READY_SH, mainnetEnv(fakeCli(healthy({ getconnectioncount: NO_SERVER }))));
    expect(r2.code).toBe(1);
    expect(r2.stdout).toContain('not ready: error: Could not connect to the server');
  });

  it('skips the tip-age and peer checks when they are 0 (regtest): an old tip and no peers are ready', async () => {
    const cli = fakeCli(healthy({ getblockheader: { stdout: blockHeader(now() - 30 * 86_400), exit: 0 }, getconnectioncount: { stdout: '0\n', exit: 0 } }));
    const r = await runProbe('sh', UTXO_READY_SH, { ...env(cli), MAX_TIP_AGE_SECONDS: '0', MIN_PEERS: '0' });
    expect(r.code).toBe(0);
    expect(calls()).toEqual(['getblockchaininfo']);
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
