/**
 * Fulcrum facts pinned to its source, and its probe run for real against stubs.
 *
 * test/fixtures/fulcrum/ holds lines of cculianu/Fulcrum at the pinned tag, copied verbatim
 * (`git show <tag>:<file>`): the lines src/chains/fulcrum.ts cites, and every line of src/ that
 * sends a named method to bitcoind. A citation that no longer says what it is cited for, or a
 * method Fulcrum calls that the whitelist lacks, fails here.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ELECTRUM_PORT, FULCRUM_CONF_KEYS, FULCRUM_IMAGE, FULCRUM_METHODS, FULCRUM_METHODS_NOT_ON_CORE, FULCRUM_PROBE_PY, FULCRUM_VERSION, renderFulcrumConf,
} from '../../src/chains/fulcrum.js';
import { DANGEROUS_METHODS, READ_AND_BROADCAST_METHODS } from '../../src/chains/rpc-methods.js';

const FIXTURES = join(__dirname, '..', 'fixtures', 'fulcrum');

function tsv(file: string): { header: string; rows: Map<string, string[]> } {
  const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n').filter((l) => l.length > 0);
  const rows = new Map<string, string[]>();
  for (const l of lines.filter((x) => !x.startsWith('#'))) {
    const [where, text] = l.split('\t') as [string, string];
    rows.set(where, [...(rows.get(where) ?? []), text]);
  }
  return { header: lines.filter((l) => l.startsWith('#')).join('\n'), rows };
}

const cited = tsv('cited-lines.tsv');
const sites = tsv('call-sites.tsv');

describe(`Fulcrum ${FULCRUM_VERSION} facts`, () => {
  it('pins the image to the release whose source the fixtures copy', () => {
    expect(FULCRUM_IMAGE).toBe(`cculianu/fulcrum:${FULCRUM_VERSION}`);
    expect(cited.header).toContain(`at tag ${FULCRUM_VERSION}`);
    expect(sites.header).toContain(`Fulcrum ${FULCRUM_VERSION} src/`);
  });

  it.each(Object.entries(FULCRUM_METHODS))('%s: every cited line sends that method', (method, where) => {
    expect(where.length).toBeGreaterThan(0);
    for (const w of where) {
      const line = cited.rows.get(w)?.[0];
      expect(line, `${w} is not in the fixture`).toBeDefined();
      expect(line).toContain(`"${method}"`);
    }
  });

  it.each(Object.entries(FULCRUM_CONF_KEYS))('config key %s: the cited line reads it from the config file', (key, where) => {
    const line = cited.rows.get(where)?.[0];
    expect(line, `${where} is not in the fixture`).toBeDefined();
    expect(line).toMatch(new RegExp(`(conf\\.[a-zA-Z]+|ConfParseBool)\\("${key}"`));
  });

  it('whitelists every method Fulcrum sends to Bitcoin Core, and none it does not', () => {
    const sent = new Set<string>();
    for (const [where, texts] of sites.rows) {
      for (const t of texts) {
        const m = /"([a-z]+)"/.exec(t);
        expect(m, `${where}: no method in "${t}"`).not.toBeNull();
        sent.add(m![1]!);
      }
    }
    const whitelisted = Object.keys(FULCRUM_METHODS);
    expect([...sent].filter((m) => !whitelisted.includes(m) && !(m in FULCRUM_METHODS_NOT_ON_CORE))).toEqual([]);
    expect(whitelisted.filter((m) => !sent.has(m))).toEqual([]);
    expect(Object.keys(FULCRUM_METHODS_NOT_ON_CORE).filter((m) => whitelisted.includes(m))).toEqual([]);
  });

  it('reads back as Fulcrum reads its config file: every key once, with the value nodegen meant', () => {
    // ConfigFile::open (src/Options.cpp:317-352 at v2.1.1): lines split at "\n", "[section]" lines
    // skipped, everything after "#" dropped, then "name = value" trimmed; a repeated name is kept twice.
    const conf = renderFulcrumConf({ bitcoind: 'bitcoind.chains-nodetest.svc:48332', rpcUser: 'indexer', dbMem: 1024 }, 'header with # and = signs\nsecond line');
    const read: Array<[string, string]> = [];
    for (const raw of conf.split('\n')) {
      let line = raw.trim();
      if (line.startsWith('[')) continue;
      if (line.includes('#')) line = line.slice(0, line.indexOf('#')).trim();
      if (!line) continue;
      const eq = line.indexOf('=');
      read.push(eq > -1 ? [line.slice(0, eq).trim(), line.slice(eq + 1).trim()] : [line, '']);
    }
    expect(Object.fromEntries(read)).toEqual({
      datadir: '/data', bitcoind: 'bitcoind.chains-nodetest.svc:48332', rpcuser: 'indexer', tcp: '0.0.0.0:50001',
      stats: '127.0.0.1:8080', admin: '127.0.0.1:8000', peering: 'false', announce: 'false', db_mem: '1024',
    });
    expect(read).toHaveLength(9);
  });

  it('gives the indexer only read and broadcast methods', () => {
    for (const m of Object.keys(FULCRUM_METHODS)) {
      expect(DANGEROUS_METHODS.has(m), m).toBe(false);
      expect(READ_AND_BROADCAST_METHODS.has(m), m).toBe(true);
    }
  });

  it('writes exactly the cited keys, each once, and never a password', () => {
    const conf = renderFulcrumConf({ bitcoind: 'btc.ns.svc:8332', rpcUser: 'indexer', dbMem: 2048 }, 'test');
    const keys = conf.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' = ')[0]);
    expect([...keys].sort()).toEqual(Object.keys(FULCRUM_CONF_KEYS).sort());
    expect(conf).not.toMatch(/rpcpassword/);
    expect(conf).toContain('bitcoind = btc.ns.svc:8332\n');
    expect(conf).toContain('rpcuser = indexer\n');
    expect(conf).toContain(`tcp = 0.0.0.0:${ELECTRUM_PORT}\n`);
    // Loopback only: the stats and admin endpoints are for the pod itself.
    expect(conf).toContain('stats = 127.0.0.1:8080\n');
    expect(conf).toContain('admin = 127.0.0.1:8000\n');
    expect(conf).toContain('peering = false\n');
    expect(conf).toContain('announce = false\n');
    expect(conf).toContain('db_mem = 2048\n');
  });
});

// ---------------------------------------------------------------------------------------------
// The probe against stubs: an Electrum TCP server, bitcoind's JSON-RPC and Fulcrum's stats page.

let dir: string;
let closers: Array<() => Promise<void>>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodegen-fulcrum-'));
  closers = [];
});

afterEach(async () => {
  for (const c of closers) await c();
  rmSync(dir, { recursive: true, force: true });
});

async function listening(server: HttpServer | TcpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close(() => resolve());
  }));
  return (server.address() as AddressInfo).port;
}

/** An Electrum server answering blockchain.headers.subscribe with `height`. */
async function electrum(height: number): Promise<number> {
  const server = createTcpServer((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const req = JSON.parse(buf.slice(0, i)) as { id: number; method: string };
        buf = buf.slice(i + 1);
        const result = req.method === 'blockchain.headers.subscribe' ? { hex: '00'.repeat(80), height } : null;
        sock.write(`${JSON.stringify({ jsonrpc: '2.0', id: req.id, result })}\n`);
      }
    });
  });
  return listening(server);
}

/** bitcoind's RPC: getblockchaininfo for the indexer's login, 401 for anyone else, or a fixed status. */
async function bitcoind(blocks: number, headers: number, status = 200): Promise<{ port: number; auth: string[] }> {
  const auth: string[] = [];
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      auth.push(req.headers.authorization ?? '');
      const method = (JSON.parse(body) as { method: string }).method;
      const ok = req.headers.authorization === `Basic ${Buffer.from('indexer:s3cret').toString('base64')}`;
      if (!ok || status !== 200) {
        res.writeHead(ok ? status : 401).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(method === 'getblockchaininfo' ? { result: { chain: 'testnet4', blocks, headers }, error: null, id: 'probe' } : { result: null, error: { code: -32601 } }));
    });
  });
  return { port: await listening(server), auth };
}

async function stats(state: string, height: number): Promise<number> {
  const server = createHttpServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify([{ Controller: { StateMachine: { State: state, Height: height } } }]));
  });
  return listening(server);
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function probe(mode: 'ready' | 'alive', env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const file = join(dir, 'probe.py');
  writeFileSync(file, FULCRUM_PROBE_PY, { mode: 0o555 });
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [file, mode], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', RPCUSER: 'indexer', RPCPASSWORD: 's3cret', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('Fulcrum probe (python3)', () => {
  it('still indexing: the Electrum port is not open yet, and it says where the index is', async () => {
    const r = await probe('ready', {
      ELECTRUM_PORT: String(await closedPort()),
      STATS_URL: `http://127.0.0.1:${await stats('GetBlocks', 41234)}/stats`,
      BITCOIND_URL: `http://127.0.0.1:${(await bitcoind(90000, 90000)).port}/`,
    });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^not ready: still indexing/);
    expect(r.out).toContain('state GetBlocks at height 41234');
  });

  it('at the tip: ready, logging in to bitcoind with the indexer login', async () => {
    const node = await bitcoind(90000, 90000);
    const r = await probe('ready', { ELECTRUM_PORT: String(await electrum(90000)), BITCOIND_URL: `http://127.0.0.1:${node.port}/` });
    expect(r).toEqual({ code: 0, out: 'ready: indexed to 90000 (bitcoind 90000)\n' });
    expect(node.auth).toEqual([`Basic ${Buffer.from('indexer:s3cret').toString('base64')}`]);
  });

  it('one block behind (a block just arrived): still ready', async () => {
    const r = await probe('ready', { ELECTRUM_PORT: String(await electrum(89999)), BITCOIND_URL: `http://127.0.0.1:${(await bitcoind(90000, 90000)).port}/` });
    expect(r.code).toBe(0);
  });

  it('fallen behind: not ready, with how far', async () => {
    const r = await probe('ready', { ELECTRUM_PORT: String(await electrum(89990)), BITCOIND_URL: `http://127.0.0.1:${(await bitcoind(90000, 90000)).port}/` });
    expect(r.code).toBe(1);
    expect(r.out).toBe('not ready: index at 89990, bitcoind at 90000 (10 behind, limit 2)\n');
  });

  it('MAX_LAG_BLOCKS widens the limit', async () => {
    const r = await probe('ready', { MAX_LAG_BLOCKS: '20', ELECTRUM_PORT: String(await electrum(89990)), BITCOIND_URL: `http://127.0.0.1:${(await bitcoind(90000, 90000)).port}/` });
    expect(r.code).toBe(0);
  });

  it('bitcoind unreachable: not ready', async () => {
    const r = await probe('ready', { ELECTRUM_PORT: String(await electrum(90000)), BITCOIND_URL: `http://127.0.0.1:${await closedPort()}/` });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^not ready: bitcoind unreachable at http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('bitcoind refuses the login or the method: not ready, pointing at the Secret', async () => {
    const forbidden = await probe('ready', { ELECTRUM_PORT: String(await electrum(90000)), BITCOIND_URL: `http://127.0.0.1:${(await bitcoind(90000, 90000, 403)).port}/` });
    expect(forbidden.code).toBe(1);
    expect(forbidden.out).toContain('refused getblockchaininfo (HTTP 403)');
    const wrongPassword = await probe('ready', { RPCPASSWORD: 'wrong', ELECTRUM_PORT: String(await electrum(90000)), BITCOIND_URL: `http://127.0.0.1:${(await bitcoind(90000, 90000)).port}/` });
    expect(wrongPassword.code).toBe(1);
    expect(wrongPassword.out).toContain('(HTTP 401)');
  });

  it('bitcoind itself behind its headers: not ready, even with the index at its tip', async () => {
    const r = await probe('ready', { ELECTRUM_PORT: String(await electrum(80000)), BITCOIND_URL: `http://127.0.0.1:${(await bitcoind(80000, 90000)).port}/` });
    expect(r.code).toBe(1);
    expect(r.out).toBe('not ready: bitcoind itself is behind (80000 blocks of 90000 headers)\n');
  });

  it('alive while the stats endpoint answers, indexing or not; not alive when it does not', async () => {
    expect((await probe('alive', { STATS_URL: `http://127.0.0.1:${await stats('GetBlocks', 5)}/stats` })).code).toBe(0);
    const dead = await probe('alive', { STATS_URL: `http://127.0.0.1:${await closedPort()}/stats` });
    expect(dead.code).toBe(1);
    expect(dead.out).toMatch(/^not alive:/);
  });
});
