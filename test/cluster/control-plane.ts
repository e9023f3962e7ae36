/**
 * A real, throwaway Kubernetes control plane on loopback: etcd, kube-apiserver and
 * kube-controller-manager, built by test/cluster/testbed/build.mjs. No scheduler and no kubelet:
 * pods are created and admitted (or refused) but stay Pending, which is all the suite needs.
 *
 * Everything lives in one temporary folder (etcd's data, certificates made at start, logs, the
 * kubeconfig) that `stop()` removes, also when the suite fails or is interrupted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync, existsSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

export interface ControlPlaneBinaries {
  readonly etcd: string;
  readonly 'kube-apiserver': string;
  readonly 'kube-controller-manager': string;
  readonly kubectl: string;
  readonly pki: string;
}

export interface ControlPlane {
  /** The admin kubeconfig (a system:masters client certificate), for kubectl and the tests. */
  readonly kubeconfig: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** The temporary folder holding everything; gone after stop(). */
  readonly dir: string;
  /** Stops every process and removes the folder; safe to call twice. */
  stop(): Promise<void>;
}

/** The API server's service range; its first address is the `kubernetes` Service's. */
const SERVICE_CIDR = '10.0.0.0/24';
const SERVICE_IP = '10.0.0.1';

/** A port the kernel just handed out on 127.0.0.1 (free until someone else takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function kubeconfig(server: string, pki: string, user: string): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: nodegen-test
    cluster:
      server: ${server}
      certificate-authority: ${join(pki, 'ca.crt')}
users:
  - name: ${user}
    user:
      client-certificate: ${join(pki, `${user}.crt`)}
      client-key: ${join(pki, `${user}.key`)}
contexts:
  - name: nodegen-test
    context: { cluster: nodegen-test, user: ${user} }
current-context: nodegen-test
`;
}

interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: string;
  exited?: string;
}

function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** GET on a loopback HTTPS endpoint; resolves the status code and body, never rejects. */
function get(url: string, tls: { ca?: Buffer; cert?: Buffer; key?: Buffer; insecure?: boolean }): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(url, { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: !tls.insecure, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ status: 0, body: error.message }));
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts etcd, the API server and the controller manager; resolves once all three are healthy. */
export async function startControlPlane(bin: ControlPlaneBinaries, options: { log?: (line: string) => void } = {}): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'nodegen-cluster-'));
  const pki = join(dir, 'pki');
  const logs = join(dir, 'logs');
  mkdirSync(pki, { mode: 0o700 });
  mkdirSync(logs);
  const processes: Started[] = [];
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal);
    // Reverse order: the controller manager, then the API server, then etcd.
    for (const p of [...processes].reverse()) {
      if (p.exited !== undefined) continue;
      const exited = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
      p.child.kill('SIGTERM');
      const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Also when the test runner is interrupted or exits without calling stop().
  const onExit = () => {
    for (const p of processes) if (p.exited === undefined) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    onExit();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', onExit);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, onSignal);

  const launch = (name: string, command: string, args: string[]): Started => {
    const logFile = join(logs, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(command, args, { stdio: ['ignore', fd, fd], cwd: dir });
    closeSync(fd);
    const started: Started = { name, child, log: logFile };
    child.on('exit', (code, signal) => (started.exited = signal ?? String(code)));
    child.on('error', (error) => (started.exited = error.message));
    processes.push(started);
    return started;
  };

  const waitFor = async (p: Started, what: string, check: () => Promise<boolean>, seconds: number) => {
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
      if (p.exited !== undefined) throw new Error(`${p.name} exited (${p.exited}) before ${what}:\n${tail(p.log)}`);
      if (await check()) return;
      await sleep(250);
    }
    throw new Error(`${p.name}: ${what} did not happen within ${seconds} s:\n${tail(p.log)}`);
  };

  try {
    const made = spawnSync(bin.pki, ['-dir', pki, '-service-ip', SERVICE_IP], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`pki failed: ${made.stderr || made.error?.message}`);
    const tls = { ca: readFileSync(join(pki, 'ca.crt')), cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')) };

    const [etcdClient, etcdPeer, apiPort, kcmPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcd = launch('etcd', bin.etcd, [
      '--name=nodegen-test',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=nodegen-test=http://127.0.0.1:${etcdPeer}`,
      // A throwaway store: durability buys nothing here and fsync dominates its latency.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await waitFor(etcd, 'answering on /health', async () => {
      const res = await fetch(`${etcdUrl}/health`).catch(() => undefined);
      return res?.status === 200;
    }, 30);
    log(`etcd on ${etcdUrl}`);

    const server = `https://127.0.0.1:${apiPort}`;
    const apiserver = launch('kube-apiserver', bin['kube-apiserver'], [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'apiserver')}`,
      `--tls-cert-file=${join(pki, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(pki, 'apiserver.key')}`,
      `--client-ca-file=${join(pki, 'ca.crt')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      // As in kubeadm clusters; the default (AlwaysAllow) would make every RBAC check pass.
      '--authorization-mode=Node,RBAC',
      // No --enable-admission-plugins: the defaults, PodSecurity among them, are what clusters run.
      '--profiling=false',
    ]);
    await waitFor(apiserver, 'answering ok on /readyz', async () => (await get(`${server}/readyz`, tls)).status === 200, 120);
    log(`kube-apiserver on ${server}`);

    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfig(server, pki, 'admin'), { mode: 0o600 });
    const kcmConfig = join(dir, 'controller-manager.kubeconfig');
    writeFileSync(kcmConfig, kubeconfig(server, pki, 'controller-manager'), { mode: 0o600 });
    const kcm = launch('kube-controller-manager', bin['kube-controller-manager'], [
      `--kubeconfig=${kcmConfig}`,
      `--authentication-kubeconfig=${kcmConfig}`,
      `--authorization-kubeconfig=${kcmConfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      `--cert-dir=${join(dir, 'controller-manager')}`,
      '--leader-elect=false',
      // Every controller a cluster runs by default (StatefulSet, PV binding, CronJob, garbage
      // collector, namespace, service accounts, ...), each with its own service account as kubeadm does.
      '--controllers=*',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${join(pki, 'sa.key')}`,
      `--root-ca-file=${join(pki, 'ca.crt')}`,
      `--cluster-signing-cert-file=${join(pki, 'ca.crt')}`,
      `--cluster-signing-key-file=${join(pki, 'ca.key')}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
    ]);
    await waitFor(kcm, 'answering ok on /healthz', async () => (await get(`https://127.0.0.1:${kcmPort}/healthz`, { insecure: true })).status === 200, 60);
    // Pods can be created in a namespace only once its `default` ServiceAccount exists: wait until
    // the service-account controller has made the one in `default`, the sign that it runs.
    await waitFor(kcm, 'creating the default ServiceAccount', async () => (await get(`${server}/api/v1/namespaces/default/serviceaccounts/default`, tls)).status === 200, 60);
    log(`kube-controller-manager on 127.0.0.1:${kcmPort}`);

    return { kubeconfig: kubeconfigPath, server, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
