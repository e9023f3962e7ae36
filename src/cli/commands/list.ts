/**
 * `nodegen list`: each environment with its tier, exposure and nodes. Reads environment files
 * only: it never loads cdk8s.
 */
import { InputError, type Problem } from '../../errors.js';
import { listEnvironmentNames, loadEnvironment } from '../../environment/load.js';
import { isCustomNode, nodeNetwork, type EnvironmentSpec } from '../../environment/schema.js';
import type { ChainProfiles } from '../../chains/profiles.js';

export interface ListOptions {
  readonly root: string;
}

export interface ListedNode {
  readonly name: string;
  /** `geth`, `bitcoind`, `monacoind`, or `custom:<chain>` for a custom node. */
  readonly client: string;
  readonly network: string;
  readonly replicas: number;
  readonly storage: string;
  readonly rpc: 'private' | 'public';
  readonly p2p: string;
}

export interface ListedEnvironment {
  readonly env: string;
  readonly description?: string;
  readonly namespace: string;
  /** The cluster it deploys to, when the environment names one. */
  readonly cluster?: string;
  readonly tier: 'testnet' | 'mainnet';
  /** `private`, or `public from <ranges>`. */
  readonly exposure: string;
  readonly nodes: readonly ListedNode[];
}

function describeNodes(spec: EnvironmentSpec, chains: ChainProfiles): ListedNode[] {
  return Object.entries(spec.nodes)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, n]) => ({
      name,
      client: isCustomNode(n) ? `custom:${n.chain}` : n.client,
      network: nodeNetwork(spec, n, chains),
      replicas: n.replicas ?? 1,
      storage: n.storage?.ephemeral ? 'ephemeral' : (n.storage?.size ?? 'default'),
      rpc: n.expose?.rpc ?? 'private',
      p2p: n.expose?.p2p ?? 'none',
    }));
}

export async function list(o: ListOptions): Promise<ListedEnvironment[]> {
  const problems: Problem[] = [];
  const out: ListedEnvironment[] = [];
  for (const env of listEnvironmentNames(o.root)) {
    try {
      const { spec, chains } = loadEnvironment(env, { root: o.root });
      const nodes = describeNodes(spec, chains);
      const anyPublic = nodes.some((n) => n.rpc === 'public' || n.p2p !== 'none');
      out.push({
        env,
        description: spec.description,
        namespace: spec.namespace,
        ...(spec.cluster ? { cluster: spec.cluster } : {}),
        tier: spec.tier,
        exposure: anyPublic ? `public from ${spec.publicEndpoints.sourceRanges.join(', ') || 'nowhere'}` : 'private',
        nodes,
      });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) throw new InputError('some environments are invalid', problems);
  return out;
}

/**
 * How to grow a node's disk: claim templates are immutable, PVCs are not (with a storage class
 * that allows expansion). The README's "Growing disks" says the same at length.
 */
export const GROW_VOLUMES_HINT = [
  'Growing a disk (the storage class must allow volume expansion): volume claim templates cannot change,',
  'so resize each PVC, then recreate the StatefulSet around the running pods:',
  '  kubectl -n <ns> patch pvc data-<node>-<i> -p \'{"spec":{"resources":{"requests":{"storage":"<size>"}}}}\'',
  '    (geth: its beacon volume is beacon-data-<node>-<i>)',
  '  kubectl -n <ns> delete statefulset <node> --cascade=orphan',
  '  set storage.size (or consensus.storage.size) to <size>, run nodegen synth, commit, apply.',
];

export function formatList(envs: readonly ListedEnvironment[]): string {
  const lines: string[] = [];
  for (const e of envs) {
    const where = e.cluster ? `cluster ${e.cluster}, namespace ${e.namespace}` : `namespace ${e.namespace}`;
    lines.push(`${e.env}  (${e.tier}, ${where}, ${e.exposure})${e.description ? `: ${e.description}` : ''}`);
    // custom:<chain> may be wider than the built-in clients' names.
    const clientWidth = Math.max(10, ...e.nodes.map((n) => n.client.length + 1));
    for (const n of e.nodes) {
      const expose = [n.rpc === 'public' ? 'public RPC' : '', n.p2p !== 'none' ? `P2P ${n.p2p}` : ''].filter(Boolean).join(', ');
      lines.push(
        `  ${n.name.padEnd(14)} ${n.client.padEnd(clientWidth)} ${n.network.padEnd(9)} x${n.replicas}  ${n.storage.padEnd(9)}${expose ? `  ${expose}` : ''}`,
      );
    }
  }
  lines.push('', ...GROW_VOLUMES_HINT);
  return lines.join('\n');
}
