/**
 * What the cluster cases share: the kubectl of the running control plane, the committed
 * environments, and the checks every apply is held to.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { REPO } from '../helpers/project.js';
import { eventually, Kubectl, readManifests, resourceOf, type Manifest } from './kubectl.js';

export { REPO };

export function clusterKubectl(): Kubectl {
  return new Kubectl(inject('bin').kubectl, inject('kubeconfig'));
}

/** The environments whose dist/ is committed, in name order. */
export const ENVIRONMENTS = readdirSync(join(REPO, 'dist'))
  .filter((name) => statSync(join(REPO, 'dist', name)).isDirectory())
  .sort();

export function namespaceOf(objects: readonly Manifest[]): string {
  const namespace = objects.find((o) => o.kind === 'Namespace');
  if (!namespace) throw new Error('no Namespace among the objects');
  return namespace.metadata.name;
}

/**
 * The README's apply-and-prune command for an environment, exactly as written there, split into
 * arguments, with the folder pointed at `distDir` (the same layout elsewhere on disk).
 */
export function readmeApplyCommand(env: string, distDir: string): string[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith(`kubectl apply -f dist/${env} --prune`));
  if (!line) throw new Error(`README.md has no "kubectl apply -f dist/${env} --prune" command`);
  const args = line.trim().split(/\s+/).slice(1);
  args[args.indexOf(`dist/${env}`)] = distDir;
  return args;
}

/**
 * Where `live` lacks or changes what `written` says, as `path: written != live` lines: a field
 * the server dropped, pruned or rewrote. Server-added fields (defaults, status, metadata) are fine.
 */
export function differences(written: unknown, live: unknown, path = ''): string[] {
  if (written !== null && typeof written === 'object') {
    if (Array.isArray(written)) {
      if (!Array.isArray(live) || live.length !== written.length) return [`${path}: ${JSON.stringify(written)} != ${JSON.stringify(live)}`];
      return written.flatMap((item, i) => differences(item, live[i], `${path}[${i}]`));
    }
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return [`${path}: object != ${JSON.stringify(live)}`];
    return Object.entries(written).flatMap(([key, value]) => differences(value, (live as Record<string, unknown>)[key], `${path}.${key}`));
  }
  return written === live ? [] : [`${path}: ${JSON.stringify(written)} != ${JSON.stringify(live)}`];
}

/** Reads every object back and returns what differs from what was written (empty when all is there). */
export function readBack(kubectl: Kubectl, objects: readonly Manifest[]): string[] {
  return objects.flatMap((object) => {
    const args = ['get', resourceOf(object), object.metadata.name];
    if (object.metadata.namespace) args.push('-n', object.metadata.namespace);
    const got = kubectl.run([...args, '-o', 'json'], { allowFailure: true });
    const id = `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    if (got.code !== 0) return [`${id}: ${got.err.trim()}`];
    return differences(object, JSON.parse(got.out)).map((d) => `${id} ${d}`);
  });
}

/**
 * Waits until every StatefulSet's controller has created all its pods and their claims; fails
 * with the StatefulSet's events when a pod is refused (Pod Security admission says why there).
 */
export async function expectPodsAdmitted(kubectl: Kubectl, objects: readonly Manifest[]): Promise<{ pods: number; claims: number }> {
  let pods = 0;
  let claims = 0;
  for (const sts of objects.filter((o) => o.kind === 'StatefulSet')) {
    const spec = sts.spec as { replicas?: number; volumeClaimTemplates?: { metadata: { name: string } }[] };
    const namespace = sts.metadata.namespace!;
    const name = sts.metadata.name;
    const replicas = spec.replicas ?? 1;
    const refused = () =>
      kubectl.events(namespace, 'StatefulSet', name).filter((e) => e.reason === 'FailedCreate' && /PodSecurity|forbidden/i.test(e.message) && !/serviceaccount/i.test(e.message));
    await eventually(
      () => {
        if (refused().length > 0) throw new Error(`${namespace}/${name}: pods refused:\n${refused().map((e) => e.message).join('\n')}`);
        const have = new Set(kubectl.list('pods', namespace).map((p) => p.metadata.name));
        return Array.from({ length: replicas }, (_, i) => `${name}-${i}`).every((p) => have.has(p)) ? true : undefined;
      },
      () => `StatefulSet ${namespace}/${name} has not created its ${replicas} pod(s); events:\n${JSON.stringify(kubectl.events(namespace, 'StatefulSet', name), null, 1)}`,
      90,
    );
    pods += replicas;
    const have = new Set(kubectl.list('persistentvolumeclaims', namespace).map((c) => c.metadata.name));
    for (const template of spec.volumeClaimTemplates ?? []) {
      for (let i = 0; i < replicas; i++) {
        const claim = `${template.metadata.name}-${name}-${i}`;
        if (!have.has(claim)) throw new Error(`StatefulSet ${namespace}/${name} has no PersistentVolumeClaim ${claim}`);
        claims++;
      }
    }
  }
  return { pods, claims };
}

/** Lines of kubectl's stderr that are warnings (deprecated APIs, Pod Security, unknown fields). */
export function warnings(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /warning/i.test(line));
}

/**
 * dist/<env> as it was at the newest earlier commit where it differs from the working tree, in a
 * temporary folder; undefined when the history holds no other version.
 */
export function previousDist(env: string): { commit: string; subject: string; dir: string } | undefined {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const current = readManifests(join(REPO, 'dist', env));
  for (const line of git('log', '--format=%H %s', '-n', '30', '--', `dist/${env}`).trim().split('\n').filter(Boolean)) {
    const [commit, ...subject] = line.split(' ');
    const dir = mkdtempSync(join(tmpdir(), `nodegen-previous-${env}-`));
    execFileSync('sh', ['-c', `git archive ${commit} dist/${env} | tar -x -C "${dir}"`], { cwd: REPO });
    const folder = join(dir, 'dist', env);
    if (JSON.stringify(readManifests(folder)) !== JSON.stringify(current)) return { commit: commit!, subject: subject.join(' '), dir: folder };
    rmSync(dir, { recursive: true, force: true });
  }
  return undefined;
}
