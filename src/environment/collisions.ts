/**
 * Two environments must never write into one namespace of one cluster: their objects have the
 * same names, so each apply would overwrite the other's and prune would delete it (copying
 * production.yaml to dr.yaml does exactly that). Environments that share a namespace are allowed
 * only when both name their `cluster` and the names differ; an environment without `cluster` may
 * share any cluster, the safe reading.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '../errors.js';
import { isEnvironmentName, listEnvironmentNames, type LoadedEnvironment } from './load.js';
import { readEnvironmentFile } from './read-file.js';
import { BASE_FILE, ENVIRONMENTS_DIR } from './paths.js';

interface Target {
  readonly namespace?: string;
  readonly cluster?: string;
  /** The file that sets the namespace. */
  readonly file: string;
}

/** `namespace` and `cluster` of one environment, by the merge rule (its file over base.yaml), without validating the rest. */
function targetOf(root: string, name: string, base: Record<string, unknown>): Target | undefined {
  const file = join(ENVIRONMENTS_DIR, `${name}.yaml`);
  // Unreadable or invalid: that environment's own run reports it.
  const values: Record<string, unknown> | undefined = readEnvironmentFile(root, join(root, file), [])?.value;
  if (values === undefined) return undefined;
  const pick = (key: string) => (Object.hasOwn(values, key) ? values[key] : base[key]);
  const namespace = pick('namespace');
  const cluster = pick('cluster');
  return {
    namespace: typeof namespace === 'string' ? namespace : undefined,
    cluster: typeof cluster === 'string' ? cluster : undefined,
    file: Object.hasOwn(values, 'namespace') ? file : join(ENVIRONMENTS_DIR, BASE_FILE),
  };
}

/** Where each environment of the project deploys; read once per command, shared by every environment it checks. */
export type EnvironmentTargets = ReadonlyMap<string, Target>;

export function environmentTargets(root: string): EnvironmentTargets {
  let base: Record<string, unknown> = {};
  const basePath = join(root, ENVIRONMENTS_DIR, BASE_FILE);
  if (existsSync(basePath)) {
    const read = readEnvironmentFile(root, basePath, []);
    if (read === undefined) return new Map(); // base.yaml is invalid: loading any environment reports it
    base = read.value;
  }
  // A file whose name cannot name an environment is refused by itself, never synthesized.
  return new Map(listEnvironmentNames(root).filter(isEnvironmentName).flatMap((n) => {
    const t = targetOf(root, n, base);
    return t ? [[n, t] as const] : [];
  }));
}

/** The problems of `loaded` sharing its namespace and cluster with another environment of the project. */
export function namespaceCollisions(loaded: LoadedEnvironment, targets: EnvironmentTargets): Problem[] {
  const { namespace, cluster } = loaded.spec;
  const others = [...targets]
    .filter(([n, t]) => n !== loaded.name && t.namespace === namespace && (t.cluster === undefined || cluster === undefined || t.cluster === cluster))
    .map(([name, t]) => ({ name, ...t }));
  if (others.length === 0) return [];
  const where = loaded.locate(['namespace']);
  const names = others.map((o) => `"${o.name}" (${o.file})`).join(', ');
  const onCluster = others.every((o) => o.cluster === cluster && cluster !== undefined) ? `on cluster "${cluster}"` : 'and they do not name two different clusters';
  return [
    {
      ...where,
      path: 'namespace',
      message:
        `environment "${loaded.name}" writes into namespace "${namespace}", as environment ${names} does, ${onCluster}: ` +
        'their objects have the same names, so each apply would overwrite the other and prune would delete it. ' +
        'Give each environment its own namespace, or set `cluster:` in each to the different clusters they deploy to',
    },
  ];
}
