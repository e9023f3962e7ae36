/**
 * kubectl against the suite's control plane, and the few waits the cases share. Everything goes
 * through the real kubectl binary built with the API server, as a pipeline's would.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface KubectlResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export class Kubectl {
  constructor(
    readonly binary: string,
    readonly kubeconfig: string,
  ) {}

  /** Runs kubectl; throws with its output unless it exits 0 (or `allowFailure`). */
  run(args: readonly string[], options: { input?: string; allowFailure?: boolean; as?: string } = {}): KubectlResult {
    const argv = options.as ? [...args, `--as=${options.as}`] : [...args];
    const r = spawnSync(this.binary, argv, {
      encoding: 'utf8',
      input: options.input,
      env: this.env(),
      maxBuffer: 64 * 1024 * 1024,
      timeout: 170_000,
    });
    const result = { code: r.status ?? -1, out: r.stdout ?? '', err: r.stderr ?? r.error?.message ?? '' };
    if (result.code !== 0 && !options.allowFailure) {
      throw new Error(`kubectl ${argv.join(' ')} exited ${result.code}:\n${result.err}${result.out}`);
    }
    return result;
  }

  /** As run(), without blocking: for many independent questions (kubectl auth can-i) at once. */
  runAsync(args: readonly string[], options: { as?: string } = {}): Promise<KubectlResult> {
    const argv = options.as ? [...args, `--as=${options.as}`] : [...args];
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, argv, { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 170_000 });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    });
  }

  private env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', KUBECONFIG: this.kubeconfig };
  }

  json<T = any>(args: readonly string[]): T {
    return JSON.parse(this.run([...args, '-o', 'json']).out) as T;
  }

  /** Deletes a namespace and waits until it and everything in it are gone. */
  deleteNamespace(namespace: string): void {
    this.run(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=true', '--timeout=150s']);
  }

  /** Objects of one kind (`statefulsets`, `volumesnapshots.snapshot.storage.k8s.io`) in a namespace. */
  list(resource: string, namespace: string, selector?: string): Manifest[] {
    const args = ['get', resource, '-n', namespace];
    if (selector) args.push('-l', selector);
    return this.json<{ items: Manifest[] }>(args).items;
  }

  /** Events whose involved object is `kind/name` in the namespace. */
  events(namespace: string, kind: string, name: string): { type: string; reason: string; message: string }[] {
    return this.json<{ items: { type: string; reason: string; message: string }[] }>([
      'get', 'events', '-n', namespace, '--field-selector', `involvedObject.kind=${kind},involvedObject.name=${name}`,
    ]).items;
  }
}

/** Polls `check` until it returns a value other than undefined; throws `describe()` on timeout. */
export async function eventually<T>(check: () => T | undefined, describe: () => string, seconds = 60): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`after ${seconds} s: ${describe()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Every object in the `*.yaml` files of a folder, in the order `kubectl apply -f` reads them. */
export function readManifests(dir: string): Manifest[] {
  const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
      .map((doc) => doc.toJS() as Manifest | null)
      .filter((o): o is Manifest => o !== null),
  );
}

/** `kind.group` as kubectl names a resource type, e.g. `StatefulSet.apps`, `Service`. */
export function resourceOf(object: Manifest): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  return group ? `${object.kind}.${group}` : object.kind;
}
