/**
 * The in-cluster fork check (src/constructs/fork-check.ts): its script against a stand-in for
 * geth's JSON-RPC and the beacon API that plays each state, under sh and, where installed, busybox
 * (the image the CronJob runs); and what synth writes for it.
 */
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { FORK_CHECK_SCRIPT, forkExpectations } from '../../src/constructs/fork-check.js';
import { REPO } from '../helpers/project.js';

const dir = mkdtempSync(join(tmpdir(), 'fork-check-'));
let servers: Server[] = [];
afterEach(() => {
  for (const s of servers) s.close();
  servers = [];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BUSYBOX = spawnSync('busybox', ['true']).status === 0;
function busyboxPath(): string {
  const bin = join(dir, 'busybox-bin');
  spawnSync('mkdir', ['-p', bin]);
  for (const applet of ['wget', 'sed', 'tr']) {
    try {
      symlinkSync(execFileSync('which', ['busybox']).toString().trim(), join(bin, applet));
    } catch {
      /* linked by an earlier test */
    }
  }
  return bin;
}

interface Stand {
  syncing?: boolean;
  config?: { current?: number; last?: number | null };
  /** Epochs in the beacon node's fork schedule. */
  epochs?: readonly number[];
}

async function standIn(s: Stand): Promise<number> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/eth/v1/config/fork_schedule') {
        const data = (s.epochs ?? []).map((e, i) => ({ previous_version: `0x0${i}000000`, current_version: `0x0${i + 1}000000`, epoch: String(e) }));
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ data }));
        return;
      }
      const { method } = JSON.parse(body) as { method: string };
      const cfg = (t: number | undefined) => (t === undefined ? null : { activationTime: t, blobSchedule: { target: 6, max: 9 }, chainId: '0x1', forkId: '0x12345678' });
      const result = method === 'eth_syncing' ? (s.syncing ? { currentBlock: '0x1', highestBlock: '0x9' } : false) : { current: cfg(s.config?.current), next: null, last: s.config?.last === null ? null : cfg(s.config?.last ?? undefined) };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: 1, result }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function run(shell: 'sh' | 'busybox', env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const file = join(dir, `check-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, FORK_CHECK_SCRIPT, { mode: 0o555 });
  const path = process.env.PATH ?? '/usr/bin:/bin';
  return new Promise((resolve, reject) => {
    const child = spawn(shell, shell === 'busybox' ? ['sh', file] : [file], { env: { PATH: shell === 'busybox' ? `${busyboxPath()}:${path}` : path, ...env }, timeout: 30_000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const MAINNET = forkExpectations('mainnet');

describe('the fork table as the check expects it', () => {
  it("takes the network's last execution fork and its named consensus forks' epochs (BPO forks are not forks of the beacon schedule)", () => {
    expect(MAINNET).toEqual({ execLast: 1767747671, beaconEpochs: [364032, 411392] });
    expect(forkExpectations('sepolia').execLast).toBe(1791294816);
  });
});

describe.each(BUSYBOX ? (['sh', 'busybox'] as const) : (['sh'] as const))('the fork check under %s', (shell) => {
  const env = (port: number) => ({ HOSTS: '127.0.0.1', RPC_PORT: String(port), BEACON_PORT: String(port), EXEC_LAST: String(MAINNET.execLast), BEACON_EPOCHS: MAINNET.beaconEpochs.join(' ') });

  it('passes when geth knows the last fork and the beacon node every named one', async () => {
    const port = await standIn({ config: { current: MAINNET.execLast, last: MAINNET.execLast }, epochs: [74240, 144896, 194048, 269568, ...MAINNET.beaconEpochs] });
    const r = await run(shell, env(port));
    expect(r.out).toContain('geth knows every listed fork');
    expect(r.code).toBe(0);
  });

  it('passes on current when nothing is scheduled after it (last is null)', async () => {
    const port = await standIn({ config: { current: MAINNET.execLast, last: null }, epochs: MAINNET.beaconEpochs });
    expect((await run(shell, env(port))).code).toBe(0);
  });

  it("fails when geth's last configured fork is before the table's last", async () => {
    const port = await standIn({ config: { current: 1764798551, last: 1764798551 }, epochs: MAINNET.beaconEpochs });
    const r = await run(shell, env(port));
    expect(r.code).toBe(1);
    expect(r.out).toContain("geth's last configured fork activates at 1764798551, before the fork at 1767747671");
  });

  it("fails when the beacon node's schedule lacks a listed fork", async () => {
    const port = await standIn({ config: { current: MAINNET.execLast, last: MAINNET.execLast }, epochs: [364032] });
    const r = await run(shell, env(port));
    expect(r.code).toBe(1);
    expect(r.out).toContain('has no fork at epoch 411392');
  });

  it("judges geth's configuration, not its head: a syncing replica whose last fork is the table's passes", async () => {
    const port = await standIn({ syncing: true, config: { current: 0, last: MAINNET.execLast }, epochs: MAINNET.beaconEpochs });
    expect((await run(shell, env(port))).code).toBe(0);
  });

  it('fails when nothing answers', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const r = await run(shell, env(port));
    expect(r.code).toBe(1);
    expect(r.out).toContain('geth does not answer eth_config');
  });
});

describe('what synth writes for it', () => {
  const objects = parseAllDocuments(readFileSync(join(REPO, 'dist', 'production', '10-geth.yaml'), 'utf8')).map((d) => d.toJS());
  const monitoring = readFileSync(join(REPO, 'dist', 'production', '40-monitoring.yaml'), 'utf8');

  it('runs the CronJob with the table of the node\'s network, every replica by its headless name', () => {
    const cron = objects.find((o) => o?.kind === 'CronJob' && o.metadata.name === 'geth-fork-check');
    const c = cron.spec.jobTemplate.spec.template.spec.containers[0];
    const env = Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toMatchObject({ EXEC_LAST: String(MAINNET.execLast), BEACON_EPOCHS: MAINNET.beaconEpochs.join(' '), RPC_PORT: '8545', BEACON_PORT: '5052' });
    const sts = objects.find((o) => o?.kind === 'StatefulSet' && o.metadata.name === 'geth');
    expect(env['HOSTS'].split(' ')).toEqual(Array.from({ length: sts.spec.replicas }, (_, i) => `geth-${i}.geth-headless.chains-production.svc`));
  });

  it('admits the check, and only it, to geth RPC and the beacon API', () => {
    const np = objects.find((o) => o?.kind === 'NetworkPolicy' && o.metadata.name === 'geth');
    const rule = np.spec.ingress.find((r: { from?: Array<{ podSelector?: { matchLabels: Record<string, string> } }> }) => r.from?.some((f) => f.podSelector?.matchLabels['nodegen.dev/fork-check'] === 'geth'));
    expect(rule.from).toEqual([{ podSelector: { matchLabels: { 'nodegen.dev/fork-check': 'geth' } } }]);
    expect(rule.ports.map((p: { port: number }) => p.port).sort()).toEqual([5052, 8545]);
  });

  it('alerts when its last run failed', () => {
    expect(monitoring).toContain('alert: ChainNodeForkUnknown');
    expect(monitoring).toContain('kube_cronjob_status_last_schedule_time{namespace="chains-production",cronjob="geth-fork-check"}');
  });
});
