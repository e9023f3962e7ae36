/**
 * The in-cluster half of fork readiness (README "Fork readiness"): an hourly CronJob that asks
 * each replica of a geth node what it is configured for, and fails when a replica does not know a
 * fork that src/chains/forks.ts lists for its network:
 * - geth's `eth_config` (EIP-7910; go-ethereum v1.17.10 internal/ethapi/api.go:1290-1345): the
 *   activation time of the `last` fork it has configured (`LatestFork(^uint64(0))`; null when the
 *   head is already on it, and then `current` is that fork) must be at least the table's last
 *   fork of the network. That is its configuration, whatever its sync state.
 * - the beacon node's `/eth/v1/config/fork_schedule` (Beacon API): every named consensus fork of
 *   the table (Electra, Fulu; the BPO forks are blob-schedule entries, not forks) must be in it,
 *   at its epoch.
 * wget gets no per-request timeout (busybox 1.35's wget crashes with -T); the Job's
 * activeDeadlineSeconds (300 s) bounds a replica that does not answer, and fails the run.
 * A failed run leaves the CronJob's last schedule time after its last successful time, which the
 * alert ChainNodeForkUnknown (./sync-alerts.ts) reads from kube-state-metrics. The check catches
 * what the static rule cannot: an image whose tag lies about its version, an `extraArgs` override
 * of the fork schedule, a node that never rolled onto the pinned image.
 */
import { Construct } from 'constructs';
import * as k8s from './k8s.js';
import { FORKS } from '../chains/forks.js';
import type { GethNetwork } from '../chains/geth.js';
import { containerSecurity } from './containers.js';
import { standardLabels } from './labels.js';

/** busybox, for its sh and wget (which posts JSON-RPC): the official image, pinned. */
export const FORK_CHECK_IMAGE = 'busybox:1.37.0';

/** Label on the check's pods; the node's NetworkPolicy admits it to the RPC and beacon API ports. */
export const FORK_CHECK_LABEL = 'nodegen.dev/fork-check';

/**
 * The check's script (busybox sh). Inputs from the environment: HOSTS (space-separated replica
 * host names), RPC_PORT, BEACON_PORT, EXEC_LAST (the table's last execution fork time, 0: none),
 * BEACON_EPOCHS (space-separated epochs, may be empty).
 */
export const FORK_CHECK_SCRIPT = `#!/bin/sh
set -u
fail=0
rpc() { wget -q -O - --header 'Content-Type: application/json' --post-data "{\\"jsonrpc\\":\\"2.0\\",\\"id\\":1,\\"method\\":\\"$2\\",\\"params\\":[]}" "http://$1:$RPC_PORT/"; }
for host in $HOSTS; do
  if [ "$EXEC_LAST" -gt 0 ]; then
    # last: the last fork of geth's configuration; null when the head is already on it, and then
    # current is that fork. Either way the configuration, not the sync state, decides.
    config=$(rpc "$host" eth_config 2>&1) || { echo "$host: geth does not answer eth_config: $config"; fail=1; continue; }
    config=$(printf '%s' "$config" | tr -d ' \\n')
    last=$(printf '%s' "$config" | sed -n 's/.*"last":{"activationTime":\\([0-9]*\\).*/\\1/p')
    [ -n "$last" ] || last=$(printf '%s' "$config" | sed -n 's/.*"current":{"activationTime":\\([0-9]*\\).*/\\1/p')
    if [ -z "$last" ]; then
      echo "$host: eth_config names no fork: $(printf '%s' "$config" | cut -c1-200)"; fail=1
    elif [ "$last" -lt "$EXEC_LAST" ]; then
      echo "$host: geth's last configured fork activates at $last, before the fork at $EXEC_LAST that nodegen's table lists: it does not know that fork"; fail=1
    else
      echo "$host: geth knows every listed fork (last configured at $last)"
    fi
  fi
  if [ -n "$BEACON_EPOCHS" ]; then
    schedule=$(wget -q -O - "http://$host:$BEACON_PORT/eth/v1/config/fork_schedule" 2>&1) || { echo "$host: the beacon API does not answer: $schedule"; fail=1; continue; }
    schedule=$(printf '%s' "$schedule" | tr -d ' \\n')
    for epoch in $BEACON_EPOCHS; do
      case "$schedule" in
        *"\\"epoch\\":\\"$epoch\\""*) ;;
        *) echo "$host: the beacon node's fork schedule has no fork at epoch $epoch, which nodegen's table lists"; fail=1 ;;
      esac
    done
  fi
done
exit $fail
`;

export interface ForkCheckProps {
  readonly namespace?: string;
  readonly environment?: string;
  /** The geth node's name: the CronJob is `<node>-fork-check`. */
  readonly node: string;
  readonly network: GethNetwork;
  /** Replica count: every replica is checked, by its headless DNS name. */
  readonly replicas: number;
  /** The node's headless Service. */
  readonly headlessService: string;
  readonly rpcPort: number;
  readonly beaconPort: number;
  /** Cron schedule. @default '23 * * * *' (hourly) */
  readonly schedule?: string;
}

/** What the table expects of a network: the last execution fork's time and the named consensus forks' epochs. */
export function forkExpectations(network: GethNetwork): { readonly execLast: number; readonly beaconEpochs: readonly number[] } {
  const mine = FORKS.filter((f) => f.network === network);
  const execLast = Math.max(0, ...mine.filter((f) => f.layer === 'execution').map((f) => Number(f.activation.split(' ')[1])));
  const beaconEpochs = mine.filter((f) => f.layer === 'consensus' && !f.name.includes('BPO')).map((f) => Number(f.activation.split(' ')[1]));
  return { execLast, beaconEpochs };
}

export class ForkCheck extends Construct {
  readonly cronJobName: string;

  constructor(scope: Construct, id: string, props: ForkCheckProps) {
    super(scope, id);
    const name = `${props.node}-fork-check`;
    this.cronJobName = name;
    const labels = { ...standardLabels({ name: 'fork-check', instance: props.node, component: 'fork-check', environment: props.environment }) };
    const metadata = (n: string) => ({ name: n, ...(props.namespace ? { namespace: props.namespace } : {}), labels });
    const { execLast, beaconEpochs } = forkExpectations(props.network);
    const ns = props.namespace ? `.${props.namespace}.svc` : '';
    const hosts = Array.from({ length: props.replicas }, (_, i) => `${props.node}-${i}.${props.headlessService}${ns}`);
    k8s.kubeObject(this, 'script', 'ConfigMap', { metadata: metadata(name), data: { 'fork-check.sh': FORK_CHECK_SCRIPT } });
    k8s.kubeObject(this, 'cron', 'CronJob', {
      metadata: metadata(name),
      spec: {
        schedule: props.schedule ?? '23 * * * *',
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 1,
        jobTemplate: {
          spec: {
            backoffLimit: 0,
            activeDeadlineSeconds: 300,
            template: {
              metadata: { labels: { ...labels, [FORK_CHECK_LABEL]: props.node } },
              spec: {
                restartPolicy: 'Never',
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [
                  {
                    name: 'fork-check',
                    image: FORK_CHECK_IMAGE,
                    imagePullPolicy: 'IfNotPresent',
                    command: ['sh', '/nodegen/fork-check/fork-check.sh'],
                    env: [
                      { name: 'HOSTS', value: hosts.join(' ') },
                      { name: 'RPC_PORT', value: String(props.rpcPort) },
                      { name: 'BEACON_PORT', value: String(props.beaconPort) },
                      { name: 'EXEC_LAST', value: String(execLast) },
                      { name: 'BEACON_EPOCHS', value: beaconEpochs.join(' ') },
                    ],
                    resources: {
                      requests: { cpu: '10m', memory: '16Mi' },
                      limits: { cpu: '100m', memory: '32Mi' },
                    },
                    securityContext: containerSecurity(),
                    volumeMounts: [{ name: 'script', mountPath: '/nodegen/fork-check', readOnly: true }],
                  },
                ],
                volumes: [{ name: 'script', configMap: { name } }],
              },
            },
          },
        },
      },
    });
  }
}
