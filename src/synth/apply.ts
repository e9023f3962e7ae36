/**
 * How a pipeline applies dist/<env> and prunes what nodegen no longer writes. Every object carries
 * `app.kubernetes.io/managed-by: nodegen` and `nodegen.dev/environment: <env>`, so
 * `kubectl apply --prune -l <those labels>` deletes exactly the objects of that environment that
 * have left dist/<env>, and nothing else in the cluster.
 * @see https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/#alternative-kubectl-apply-f-directory-prune
 */
import { ENVIRONMENT_LABEL, MANAGED_BY } from '../constructs/blockchain-node.js';

/**
 * The kinds prune may delete (`group/version/Kind`, `core` for the core group). kubectl refuses a
 * kind the cluster does not know, so custom kinds are limited to the Prometheus Operator's, which
 * every environment with monitoring needs; with GKE Managed Prometheus add
 * `--prune-allowlist=monitoring.googleapis.com/v1/PodMonitoring`. Left out on purpose: the
 * Namespace (deleting it deletes every volume in it), PersistentVolumeClaims (they belong to the
 * StatefulSets and never carry nodegen's labels) and VolumeSnapshots (backups).
 */
export const PRUNE_ALLOWLIST = [
  'core/v1/ConfigMap',
  'core/v1/Service',
  'core/v1/ServiceAccount',
  'apps/v1/StatefulSet',
  'batch/v1/CronJob',
  'networking.k8s.io/v1/NetworkPolicy',
  'policy/v1/PodDisruptionBudget',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding',
  'monitoring.coreos.com/v1/PodMonitor',
  'monitoring.coreos.com/v1/PrometheusRule',
  'monitoring.coreos.com/v1/ServiceMonitor',
] as const;

/** Kinds nodegen writes that prune must never delete. */
export const NEVER_PRUNED = ['Namespace', 'VolumeSnapshot', 'VolumeSnapshotContent', 'VolumeSnapshotClass', 'StorageClass'] as const;

/** The label selector of one environment's objects. */
export function pruneSelector(env: string): string {
  return `app.kubernetes.io/managed-by=${MANAGED_BY},${ENVIRONMENT_LABEL}=${env}`;
}

/**
 * The command a pipeline runs to apply an environment, pruning what nodegen no longer writes.
 * `env` may be a CI expression such as `${ENV}`.
 */
export function applyCommand(env: string, distDir = 'dist'): string {
  return [
    `kubectl apply -f ${distDir}/${env}`,
    '--prune',
    `-l ${pruneSelector(env)}`,
    ...PRUNE_ALLOWLIST.map((k) => `--prune-allowlist=${k}`),
  ].join(' ');
}
