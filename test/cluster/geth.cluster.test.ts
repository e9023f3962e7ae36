/**
 * A real geth, built from the Go module proxy at the version nodegen pins, started with exactly the
 * command and arguments of a generated StatefulSet (only the mounted paths moved into a temporary
 * folder). geth stops at once on an unknown or removed flag, so starting is the check of every flag.
 *
 * geth runs in a network namespace of its own with only a loopback interface: it cannot reach the
 * bootnodes or anything else, which is also the state the probes must call "not ready" (no peers,
 * no consensus client). The probes run inside that namespace as the kubelet runs them in the pod:
 * with busybox's sh and wget, as in the Alpine image.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GETH_IMAGE } from '../../src/chains/geth.js';
import { eventually, readManifests, type Manifest } from './kubectl.js';
import { REPO } from './helpers.js';

interface Container {
  name: string;
  image: string;
  command: string[];
  args?: string[];
  ports?: { containerPort: number; name: string; protocol: string }[];
  volumeMounts?: { mountPath: string; name: string }[];
  readinessProbe?: { exec: { command: string[] } };
  livenessProbe?: { exec: { command: string[] } };
  startupProbe?: { exec: { command: string[] } };
}

const BUSYBOX = spawnSync('busybox', ['true']).status === 0 ? execFileSync('which', ['busybox'], { encoding: 'utf8' }).trim() : undefined;

/** The geth StatefulSet of each environment that has one, with its ConfigMaps and Services. */
const CASES = ['qa', 'production'].map((env) => {
  const objects = readManifests(join(REPO, 'dist', env));
  const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'geth')!;
  const pod = (sts.spec as any).template.spec as { initContainers: Container[]; containers: Container[]; volumes: any[] };
  return { env, objects, sts, pod };
});

/**
 * Moves every mount path in `text` to its folder under `root` (`--datadir=/data` ->
 * `--datadir=<root>/data`), in one pass so that a moved path is never moved again.
 */
function remount(text: string, mounts: Map<string, string>): string {
  const paths = [...mounts.keys()].sort((a, b) => b.length - a.length).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return text.replace(new RegExp(`(?<=^|[=\\s"'])(${paths.join('|')})(?=/|$|[\\s"'])`, 'g'), (path) => mounts.get(path)!);
}

function inNamespace(pid: number, command: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync('nsenter', [`--net=/proc/${pid}/ns/net`, command, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 });
}

describe.each(CASES)('geth with the arguments of dist/$env', ({ env, objects, pod }) => {
  const gethBinary = inject('bin').geth;
  const geth = pod.containers.find((c) => c.name === 'geth')!;
  const init = pod.initContainers.find((c) => c.image === geth.image)!;
  const root = mkdtempSync(join(tmpdir(), `nodegen-geth-${env}-`));
  const mounts = new Map((geth.volumeMounts ?? []).map((m) => [m.mountPath, join(root, m.name)]));
  let child: ChildProcess;
  let log = '';
  let exited: string | undefined;

  beforeAll(async () => {
    expect(BUSYBOX, 'busybox is needed to run the probes as the Alpine image does (.ci/run installs it)').toBeDefined();
    for (const dir of mounts.values()) mkdirSync(dir, { recursive: true });
    // The probe scripts, where the pod mounts them, from the committed ConfigMap.
    for (const volume of pod.volumes.filter((v) => v.configMap)) {
      const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name) as Manifest & { data: Record<string, string> };
      const mount = geth.volumeMounts!.find((m) => m.name === volume.name)!;
      for (const [file, text] of Object.entries(cm.data)) {
        writeFileSync(join(mounts.get(mount.mountPath)!, file), text);
        chmodSync(join(mounts.get(mount.mountPath)!, file), volume.configMap.defaultMode);
      }
    }
    // The init container's own command writes the JWT secret.
    execFileSync(init.command[0]!, init.command.slice(1).map((a) => remount(a, new Map((init.volumeMounts ?? []).map((m) => [m.mountPath, join(root, m.name)])))));

    const argv = [...geth.command.slice(1), ...(geth.args ?? [])].map((a) => remount(a, mounts));
    // A new network namespace with only loopback, brought up; then geth itself (exec keeps the pid).
    child = spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', gethBinary, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    child.on('exit', (code, signal) => (exited = signal ?? String(code)));
    await eventually(
      () => {
        if (exited !== undefined) throw new Error(`geth exited (${exited}) at start:\n${log.slice(-3000)}`);
        return /HTTP server started/.test(log) && /WebSocket enabled/.test(log) ? true : undefined;
      },
      () => `geth did not start its HTTP and WebSocket servers:\n${log.slice(-3000)}`,
      120,
    );
  });

  afterAll(async () => {
    if (child && exited === undefined) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('is the version nodegen pins in its image', () => {
    const version = GETH_IMAGE.split(':')[1]!;
    expect(geth.image).toBe(GETH_IMAGE);
    const r = inNamespace(child.pid!, 'node', ['-e', `
      fetch('http://127.0.0.1:8545', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'web3_clientVersion', params: [] }) })
        .then((r) => r.json()).then((j) => console.log(j.result));`]);
    expect(r.stdout.trim()).toMatch(new RegExp(`^Geth/${version.replace(/\./g, '\\.')}-`));
  });

  it('starts with every generated flag, and listens where the container ports and Services point', () => {
    expect(log).not.toMatch(/flag provided but not defined|deprecated|is not supported/i);
    // ss in the namespace: what geth listens on, TCP and UDP.
    const listening = inNamespace(child.pid!, 'ss', ['-H', '-lntu']).stdout;
    const open = new Set(
      listening.trim().split('\n').map((line) => {
        const [proto, , , , local] = line.trim().split(/\s+/);
        const port = local!.slice(local!.lastIndexOf(':') + 1);
        return `${proto === 'tcp' ? 'TCP' : 'UDP'}/${port}`;
      }),
    );
    const declared = (geth.ports ?? []).map((p) => `${p.protocol}/${p.containerPort}`);
    expect(declared.length).toBeGreaterThanOrEqual(4);
    expect(declared.filter((p) => !open.has(p)), `ss -lntu:\n${listening}`).toEqual([]);
    // Each Service port that names one of geth's ports reaches a listening one.
    const byName = new Map((geth.ports ?? []).map((p) => [p.name, `${p.protocol}/${p.containerPort}`]));
    for (const svc of objects.filter((o) => o.kind === 'Service')) {
      for (const port of (svc.spec as any).ports as { targetPort: string | number; protocol: string }[]) {
        const target = byName.get(String(port.targetPort));
        if (target) expect(open, `${svc.metadata.name} -> ${port.targetPort}`).toContain(target);
      }
    }
    // The Engine API is for the consensus client in the same pod only: loopback, never 0.0.0.0.
    expect(listening).toMatch(/127\.0\.0\.1:8551\b/);
    expect(listening).not.toMatch(/(0\.0\.0\.0|\*|\[::\]):8551\b/);
  });

  it('serves only the safe JSON-RPC namespaces over HTTP', () => {
    const call = (method: string) =>
      inNamespace(child.pid!, 'node', ['-e', `
        fetch('http://127.0.0.1:8545', { method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: ${JSON.stringify(method)}, params: [] }) })
          .then((r) => r.json()).then((j) => console.log(JSON.stringify(j)));`]).stdout;
    expect(call('eth_chainId')).toMatch(/"result":"0x/);
    expect(call('net_version')).toMatch(/"result"/);
    for (const unsafe of ['admin_nodeInfo', 'debug_getRawHeader', 'txpool_status', 'personal_listAccounts', 'miner_setExtra']) {
      expect(call(unsafe), unsafe).toMatch(/"code":-32601/);
    }
  });

  it('the readiness and startup probes say "not ready" (no peers, no consensus client) and the liveness probe says alive', () => {
    const applets = mkdtempSync(join(tmpdir(), 'busybox-'));
    try {
      for (const applet of ['sh', 'wget', 'sed', 'date', 'grep', 'tr', 'head', 'od']) symlinkSync(BUSYBOX!, join(applets, applet));
      const probe = (command: string[]) => {
        // Run as the kubelet does: the exec command itself, its shebang (/bin/sh) being busybox's sh.
        const script = remount(command[0]!, mounts);
        const r = inNamespace(child.pid!, BUSYBOX!, ['sh', script, ...command.slice(1)], { PATH: `${applets}:/usr/bin:/bin` });
        return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
      };
      const ready = probe(geth.readinessProbe!.exec.command);
      expect(ready.code, ready.out).toBe(1);
      expect(ready.out).toMatch(/^not ready: /);
      const startup = probe(geth.startupProbe!.exec.command);
      expect(startup.code, startup.out).toBe(1);
      const alive = probe(geth.livenessProbe!.exec.command);
      expect(alive, alive.out).toEqual({ code: 0, out: '' });
    } finally {
      rmSync(applets, { recursive: true, force: true });
    }
  });

  it("the fork check's own script, with the CronJob's table, finds that this geth knows every fork of its network, and fails on a later one", () => {
    const applets = mkdtempSync(join(tmpdir(), 'busybox-'));
    try {
      for (const applet of ['sh', 'wget', 'sed', 'tr']) symlinkSync(BUSYBOX!, join(applets, applet));
      const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'geth-fork-check') as Manifest & { data: Record<string, string> };
      const cron = objects.find((o) => o.kind === 'CronJob' && o.metadata.name === 'geth-fork-check') as Manifest & { spec: { jobTemplate: { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } } } } } };
      const env = Object.fromEntries(cron.spec.jobTemplate.spec.template.spec.containers[0]!.env.map((e) => [e.name, e.value]));
      const script = join(root, 'fork-check.sh');
      writeFileSync(script, cm.data['fork-check.sh']!);
      // geth in its namespace, as replica 0 would answer; the beacon half needs a beacon node (unit-tested with a stand-in).
      const check = (execLast: string) => {
        const r = inNamespace(child.pid!, BUSYBOX!, ['sh', script], { PATH: `${applets}:/usr/bin:/bin`, ...env, HOSTS: '127.0.0.1', BEACON_EPOCHS: '', EXEC_LAST: execLast });
        return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
      };
      const ok = check(env['EXEC_LAST']!);
      expect(ok, ok.out).toEqual({ code: 0, out: expect.stringContaining(`geth knows every listed fork (last configured at ${env['EXEC_LAST']})`) });
      const later = check(String(Number(env['EXEC_LAST']) + 1));
      expect(later.code, later.out).toBe(1);
      expect(later.out).toContain('does not know that fork');
    } finally {
      rmSync(applets, { recursive: true, force: true });
    }
  });

  it('has no peers: its network namespace reaches nothing outside the test', () => {
    const r = inNamespace(child.pid!, 'ip', ['-o', 'link']);
    expect(r.stdout.trim().split('\n').map((l) => l.split(':')[1]!.trim())).toEqual(['lo']);
  });
});

it('the cluster suite\'s geth is built at the version of the pinned image', () => {
  const goMod = readFileSync(join(REPO, 'test', 'cluster', 'testbed', 'geth', 'go.mod'), 'utf8');
  expect(goMod).toMatch(new RegExp(`github\\.com/ethereum/go-ethereum ${GETH_IMAGE.split(':')[1]!.replace(/\./g, '\\.')}\\b`));
});
