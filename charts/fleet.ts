/**
 * How an environment's fleet becomes charts: the composition root of nodegen. Edit this file to
 * change how nodes are composed; environment files change what is composed.
 */
import { App, type Chart } from 'cdk8s';
import { TIER_NETWORKS, type EnvironmentSpec, type NodeSpec } from '../src/environment/schema.js';
import type { BlockchainNodeProps } from '../src/constructs/blockchain-node.js';
import { GethNode } from '../src/constructs/geth-node.js';
import { BitcoindNode } from '../src/constructs/bitcoind-node.js';
import { MonaNode } from '../src/constructs/mona-node.js';
import type { UtxoNode } from '../src/constructs/utxo-node.js';
import { NamespaceChart } from './namespace-chart.js';
import { ChainChart } from './chain-chart.js';
import { GITOPS_DIR, GitopsChart } from './gitops-chart.js';

/** A chart and the file it is written to. */
export interface FleetChart {
  readonly file: string;
  readonly chart: Chart;
}

export interface Fleet {
  readonly app: App;
  readonly charts: readonly FleetChart[];
  readonly warnings: readonly string[];
}

/** Chart order is file order: `kubectl apply -f` reads files by name, and the namespace goes first. */
const FAMILIES = [
  { client: 'geth', file: '10-geth.yaml' },
  { client: 'bitcoind', file: '20-bitcoind.yaml' },
  { client: 'monacoind', file: '30-monacoind.yaml' },
] as const;

function commonProps(env: EnvironmentSpec, envName: string, node: NodeSpec): BlockchainNodeProps {
  const pool = node.nodePool ? env.nodePools[node.nodePool] : undefined;
  return {
    namespace: env.namespace,
    environment: envName,
    replicas: node.replicas,
    image: node.image,
    resources: node.resources,
    storage: { ...node.storage, storageClass: node.storage?.storageClass ?? env.storage.storageClass },
    placement: pool,
    expose: node.expose,
    publicSourceRanges: env.publicEndpoints.sourceRanges,
    rpcClientNamespaces: env.rpcClients.namespaces,
    rpcClientPodLabels: env.rpcClients.podLabels,
    extraArgs: node.extraArgs,
  };
}

/** Builds the App for one environment. Throws (naming the node) when a node's props are wrong. */
export function buildFleet(envName: string, env: EnvironmentSpec): Fleet {
  const app = new App({ outdir: '.' });
  const charts: FleetChart[] = [
    { file: '00-namespace.yaml', chart: new NamespaceChart(app, 'namespace', { namespace: env.namespace, environment: envName }) },
  ];
  const warnings: string[] = [];
  const networks = TIER_NETWORKS[env.tier];
  const names = Object.keys(env.nodes).sort();
  for (const family of FAMILIES) {
    const members = names.filter((n) => env.nodes[n]!.client === family.client);
    if (members.length === 0) continue;
    const chart = new ChainChart(app, family.client);
    for (const name of members) {
      const node = env.nodes[name]!;
      const common = commonProps(env, envName, node);
      if (node.client === 'geth') {
        new GethNode(chart, name, {
          ...common,
          network: node.network ?? networks.geth,
          syncMode: node.syncMode,
          gcMode: node.gcMode,
          httpApi: node.httpApi,
          corsDomains: node.corsDomains,
          maxPeers: node.maxPeers,
          consensus: {
            ...node.consensus,
            storage: { ...node.consensus?.storage, storageClass: node.consensus?.storage?.storageClass ?? env.storage.storageClass },
          },
        });
      } else {
        const utxo = {
          ...common,
          rpcauth: node.rpcauth,
          rpcAllowIps: env.clusterCidrs,
          prune: node.prune,
          txindex: node.txindex,
          dbcache: node.dbcache,
          maxConnections: node.maxConnections,
        };
        const built: UtxoNode =
          node.client === 'bitcoind'
            ? new BitcoindNode(chart, name, { ...utxo, network: node.network ?? networks.bitcoind })
            : new MonaNode(chart, name, { ...utxo, image: node.image!, network: node.network ?? networks.monacoind });
        warnings.push(...built.warnings);
      }
    }
    charts.push({ file: family.file, chart });
  }
  if (env.gitops) {
    const gitops = new GitopsChart(app, 'gitops', { environment: envName, namespace: env.namespace, gitops: env.gitops });
    charts.push({ file: `${GITOPS_DIR}/${env.gitops.engine}.yaml`, chart: gitops });
  }
  return { app, charts, warnings };
}
