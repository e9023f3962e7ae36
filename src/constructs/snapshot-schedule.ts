/**
 * Scheduled VolumeSnapshots of one node's volumes: a CronJob that snapshots every claim at once,
 * waits until the snapshots are ready, then deletes all but the newest N of each claim's scheduled
 * snapshots; and a ServiceAccount whose Role allows exactly that and nothing more.
 *
 * The snapshots are crash-consistent (the disk as if the power had been cut): the node keeps
 * running. See the README section "Snapshots" for which clients recover from that and how to take
 * a clean snapshot of a stopped replica instead.
 */
import { Construct } from 'constructs';
import type { ApiObject } from 'cdk8s';
import * as k8s from './k8s.js';
import { ConstructError } from '../errors.js';
import { containerSecurity, toK8sResources } from './containers.js';
import { standardLabels } from './labels.js';

/**
 * kubectl, from the Kubernetes project's own image (Debian base with bash, grep, sed, coreutils
 * and jq since Kubernetes 1.28; build/server-image/kubectl/Dockerfile). v1.35.4 is a published
 * patch release (CHANGELOG-1.35.md lists registry.k8s.io/kubectl:v1.35.4); kubectl supports
 * API servers one minor version either side, so 1.34 to 1.36.
 */
export const KUBECTL_IMAGE = 'registry.k8s.io/kubectl:v1.35.4';

/** Label on every scheduled snapshot: the claim it was taken of. Pruning selects on it. */
export const SNAPSHOT_CLAIM_LABEL = 'nodegen.dev/claim';
/** Label on every scheduled snapshot: the node it belongs to. */
export const SNAPSHOT_NODE_LABEL = 'nodegen.dev/snapshot-of';
/** Set `nodegen.dev/keep=true` on a scheduled snapshot to exempt it from pruning (one a node restores from). */
export const SNAPSHOT_KEEP_LABEL = 'nodegen.dev/keep';

/** The verbs the job needs, on `volumesnapshots` only: create one, poll it, list a claim's, delete old ones. */
export const SNAPSHOT_VERBS = ['create', 'get', 'list', 'delete'] as const;

/** A standard five-field cron expression, or a macro such as `@daily`. */
const CRON = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$/;

/**
 * The job's script (bash, from the kubectl image). Inputs come from the environment: NAMESPACE
 * (downward API), NODE, CLAIMS (space-separated), KEEP, CLASS (may be empty), READY_TIMEOUT
 * (seconds). It first creates every claim's snapshot, all with one time stamp, so the volumes of a
 * node are copied at (nearly) the same moment and the storage backend cuts them concurrently; then
 * it polls them together (with `get`: the Role grants no `watch`) for up to READY_TIMEOUT. It prunes
 * a claim only after that claim's new snapshot is ready, so a failing snapshot never costs an older
 * good one; one claim's failure neither stops the others nor their pruning, and fails the job.
 */
export const SNAPSHOT_SCRIPT = `set -euo pipefail
stamp=$(date -u +%Y%m%d-%H%M%S)
pending=()
for claim in $CLAIMS; do
  name="$claim-$stamp"
  echo "creating VolumeSnapshot $name of PersistentVolumeClaim $claim"
  {
    printf 'apiVersion: snapshot.storage.k8s.io/v1\\nkind: VolumeSnapshot\\n'
    printf 'metadata:\\n  name: %s\\n  namespace: %s\\n  labels:\\n' "$name" "$NAMESPACE"
    printf '    app.kubernetes.io/managed-by: nodegen\\n    ${SNAPSHOT_NODE_LABEL}: %s\\n    ${SNAPSHOT_CLAIM_LABEL}: %s\\n' "$NODE" "$claim"
    printf 'spec:\\n  source:\\n    persistentVolumeClaimName: %s\\n' "$claim"
    if [ -n "$CLASS" ]; then printf '  volumeSnapshotClassName: %s\\n' "$CLASS"; fi
  } | kubectl create -f -
  pending+=("$claim")
done
prune() {
  local claim=$1 snapshots excess i
  mapfile -t snapshots < <(kubectl -n "$NAMESPACE" get volumesnapshots \\
    -l "${SNAPSHOT_CLAIM_LABEL}=$claim,${SNAPSHOT_KEEP_LABEL}!=true" \\
    --sort-by=.metadata.creationTimestamp -o name)
  excess=$(( \${#snapshots[@]} - KEEP ))
  for ((i = 0; i < excess; i++)); do
    kubectl -n "$NAMESPACE" delete "\${snapshots[$i]}" --wait=false
  done
}
failed=0
waited=0
while :; do
  still=()
  for claim in "\${pending[@]}"; do
    name="$claim-$stamp"
    if [ "$(kubectl -n "$NAMESPACE" get volumesnapshot "$name" -o jsonpath='{.status.readyToUse}')" = true ]; then
      echo "VolumeSnapshot $name is ready after \${waited}s"
      prune "$claim"
      continue
    fi
    error=$(kubectl -n "$NAMESPACE" get volumesnapshot "$name" -o jsonpath='{.status.error.message}')
    if [ -n "$error" ] || [ "$waited" -ge "$READY_TIMEOUT" ]; then
      echo "VolumeSnapshot $name is not ready after \${waited}s: \${error:-timed out}; older snapshots of $claim are kept" >&2
      failed=1
      continue
    fi
    still+=("$claim")
  done
  [ "\${#still[@]}" -gt 0 ] || break
  pending=("\${still[@]}")
  sleep 30
  waited=$((waited + 30))
done
exit "$failed"
`;

/** The job's deadline: the shared wait, half an hour of slack, and 5 minutes per claim. */
export function snapshotJobDeadlineSeconds(readyTimeoutSeconds: number, claims: number): number {
  return readyTimeoutSeconds + 1800 + 300 * claims;
}

export interface SnapshotScheduleProps {
  /** Namespace of every object. @default - none (the kubectl context's namespace) */
  readonly namespace?: string;
  /** Environment name, for the `nodegen.dev/environment` label. @default - no label */
  readonly environment?: string;
  /** The node whose volumes are snapshotted (its name prefixes the objects'). */
  readonly node: string;
  /** PersistentVolumeClaims to snapshot, such as `data-geth-0`. */
  readonly claims: readonly string[];
  /** When to run, in cron syntax. @default '17 3 * * *' (daily, 03:17) */
  readonly schedule?: string;
  /** Time zone of the schedule. @default 'Etc/UTC' */
  readonly timeZone?: string;
  /** Scheduled snapshots kept per claim; older ones are deleted. @default 3 */
  readonly keep?: number;
  /** VolumeSnapshotClass of the snapshots. @default - none (the CSI driver's default class) */
  readonly volumeSnapshotClass?: string;
  /**
   * How long to wait for the snapshots to become ready; the claims' snapshots are cut concurrently,
   * so this bounds the whole wait. A first snapshot of a large disk takes long. @default 18000 (5 h)
   */
  readonly readyTimeoutSeconds?: number;
  /** @default KUBECTL_IMAGE */
  readonly image?: string;
}

/**
 * Emits, named `<node>-snapshots`: a ServiceAccount, a Role granting only `create`, `get`, `list`
 * and `delete` on `volumesnapshots` (API group `snapshot.storage.k8s.io`), a RoleBinding and a
 * CronJob. The job reads no PersistentVolumeClaim: naming the claim in the VolumeSnapshot is
 * enough, and the snapshot controller (not the job) checks that it exists.
 *
 * The job's pod carries its own labels, never the node's selector labels, so the node's Services,
 * NetworkPolicy and PodDisruptionBudget never select it.
 */
export class SnapshotSchedule extends Construct {
  readonly name: string;
  readonly schedule: string;
  readonly keep: number;
  readonly cronJob: ApiObject;

  constructor(scope: Construct, id: string, props: SnapshotScheduleProps) {
    super(scope, id);
    this.name = `${props.node}-snapshots`;
    this.schedule = props.schedule ?? '17 3 * * *';
    this.keep = props.keep ?? 3;
    const readyTimeout = props.readyTimeoutSeconds ?? 18000;
    if (!CRON.test(this.schedule)) {
      throw new ConstructError(`${props.node}: snapshot schedule "${this.schedule}" is not a cron expression (five fields, such as "17 3 * * *")`);
    }
    if (!Number.isInteger(this.keep) || this.keep < 1) throw new ConstructError(`${props.node}: snapshot keep must be a whole number of at least 1, not ${this.keep}`);
    if (props.claims.length === 0) throw new ConstructError(`${props.node}: a snapshot schedule needs at least one claim`);
    // A CronJob's name must leave room for the 11-character suffix of the Jobs it creates.
    if (this.name.length > 52) throw new ConstructError(`${props.node}: the CronJob name "${this.name}" is longer than 52 characters`);

    const labels = standardLabels({ name: 'snapshot-schedule', instance: this.name, component: 'snapshot-schedule', environment: props.environment });
    const meta = { name: this.name, ...(props.namespace ? { namespace: props.namespace } : {}), labels };

    k8s.kubeObject(this, 'service-account', 'ServiceAccount', { metadata: meta, automountServiceAccountToken: false });
    k8s.kubeObject(this, 'role', 'Role', {
      metadata: meta,
      rules: [{ apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: [...SNAPSHOT_VERBS] }],
    });
    k8s.kubeObject(this, 'role-binding', 'RoleBinding', {
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.name },
      subjects: [{ kind: 'ServiceAccount', name: this.name, ...(props.namespace ? { namespace: props.namespace } : {}) }],
    });

    this.cronJob = k8s.kubeObject(this, 'cron-job', 'CronJob', {
      metadata: meta,
      spec: {
        schedule: this.schedule,
        timeZone: props.timeZone ?? 'Etc/UTC',
        // Never two runs at once: both would prune the other's snapshots' predecessors.
        concurrencyPolicy: 'Forbid',
        // A run missed by more than an hour (controller down) is skipped, not run late at peak time.
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            // A failed run is not retried: it would snapshot again; the next scheduled run will.
            backoffLimit: 0,
            // The wait is shared by all claims; each claim adds a create, polls and its pruning.
            activeDeadlineSeconds: snapshotJobDeadlineSeconds(readyTimeout, props.claims.length),
            ttlSecondsAfterFinished: 7 * 24 * 3600,
            template: {
              metadata: { labels },
              spec: {
                serviceAccountName: this.name,
                // The one pod in the fleet that talks to the API server.
                automountServiceAccountToken: true,
                enableServiceLinks: false,
                restartPolicy: 'Never',
                securityContext: {
                  runAsNonRoot: true,
                  // The kubectl image runs as root by default; kubectl needs no file of its own, so: nobody.
                  runAsUser: 65534,
                  runAsGroup: 65534,
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                containers: [
                  {
                    name: 'snapshot',
                    image: props.image ?? KUBECTL_IMAGE,
                    imagePullPolicy: 'IfNotPresent',
                    command: ['bash', '-c', SNAPSHOT_SCRIPT],
                    env: [
                      { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                      { name: 'NODE', value: props.node },
                      { name: 'CLAIMS', value: props.claims.join(' ') },
                      { name: 'KEEP', value: String(this.keep) },
                      // Unset means empty (the driver's default class); the API server drops `value: ""`.
                      props.volumeSnapshotClass ? { name: 'CLASS', value: props.volumeSnapshotClass } : { name: 'CLASS' },
                      { name: 'READY_TIMEOUT', value: String(readyTimeout) },
                      // kubectl keeps its discovery cache under $HOME; the root filesystem is read-only.
                      { name: 'HOME', value: '/tmp' },
                    ],
                    resources: toK8sResources(this.name, { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } }),
                    securityContext: containerSecurity(),
                    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                  },
                ],
                volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
              },
            },
          },
        },
      },
    });
  }
}
