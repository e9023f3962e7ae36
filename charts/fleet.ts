/**
 * How an environment's fleet becomes charts: the composition root of nodegen. Edit this file to
 * change how nodes are composed; environment files change what is composed.
 */
import * as cdk8s from 'cdk8s';
import { App, type Chart } from 'cdk8s';
import { isCustomNode, isGethNode, nodeNetwork, type EnvironmentSpec, type NodeSpec, type RestoreFromSpec } from '../src/environment/schema.js';
import { builtInProfiles, type ChainProfiles } from '../src/chains/profiles.js';
import type { FulcrumNetwork } from '../src/chains/fulcrum.js';
import { constructIdOf, type BlockchainNode, type BlockchainNodeProps, type NodeSnapshotSchedule } from '../src/constructs/blockchain-node.js';
import { ConstructError, InputError, firstLine } from '../src/errors.js';
import type { ProjectConfig } from '../src/extension.js';
import { SnapshotSource } from '../src/constructs/snapshot-source.js';
import { SyncAlerts } from '../src/constructs/sync-alerts.js';
import { GethNode } from '../src/constructs/geth-node.js';
import type { GethNetwork } from '../src/chains/geth.js';
import { UtxoNode } from '../src/constructs/utxo-node.js';
import { CustomNode } from '../src/constructs/custom-node.js';
import { ElectrumIndexer, withIndexerUser } from '../src/constructs/electrum-indexer.js';
import { NamespaceChart } from './namespace-chart.js';
import { ChainChart } from './chain-chart.js';
import { GITOPS_DIR, GitopsChart } from './gitops-chart.js';
import { EnvironmentChart } from './environment-chart.js';

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

/**
 * Chart order is file order: `kubectl apply -f` reads files by name, and the namespace goes first;
 * geth, then each chain profile's nodes at its `order` (bitcoind 20, a project's profile 25 by
 * default, monacoind 30).
 */
function families(chains: ChainProfiles): Array<{ readonly client: string; readonly file: string }> {
  const all = [
    { client: 'geth', file: '10-geth.yaml' },
    ...[...chains.values()].map((p) => ({ client: p.client, file: `${p.order}-${p.client}.yaml` })),
    // Nodes of chains nodegen has no profile for (README "Custom nodes").
    { client: 'custom', file: '35-custom.yaml' },
  ];
  return all.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** Turns an environment's `restoreFrom` into the name of a VolumeSnapshot in its namespace. */
type RestoreResolver = (nodeName: string, key: string, r: RestoreFromSpec | undefined) => string | undefined;

/** The node's snapshot schedule: the environment's, overridden field by field by the node's. */
function snapshotSchedule(env: EnvironmentSpec, node: NodeSpec): NodeSnapshotSchedule | undefined {
  const envSchedule = env.snapshots.schedule;
  const own = node.snapshotSchedule;
  const enabled = own?.enabled ?? (envSchedule !== undefined || own?.cron !== undefined || own?.keep !== undefined);
  if (!enabled || node.storage?.ephemeral) return undefined;
  return {
    schedule: own?.cron ?? envSchedule?.cron,
    timeZone: envSchedule?.timeZone,
    keep: own?.keep ?? envSchedule?.keep,
    volumeSnapshotClass: env.snapshots.volumeSnapshotClass,
  };
}

function commonProps(env: EnvironmentSpec, envName: string, name: string, node: NodeSpec, restore: RestoreResolver): BlockchainNodeProps {
  const pool = node.nodePool ? env.nodePools[node.nodePool] : undefined;
  const m = env.monitoring;
  return {
    namespace: env.namespace,
    environment: envName,
    replicas: node.replicas,
    image: node.image,
    resources: node.resources,
    storage: {
      ...node.storage,
      storageClass: node.storage?.storageClass ?? env.storage.storageClass,
      restoreFrom: restore(name, 'storage.restoreFrom', node.storage?.restoreFrom),
    },
    placement: pool,
    expose: node.expose,
    publicSourceRanges: env.publicEndpoints.sourceRanges,
    rpcClientNamespaces: env.rpcClients.namespaces,
    clusterCidrs: env.clusterCidrs,
    rpcClientPodLabels: env.rpcClients.podLabels,
    extraArgs: node.extraArgs,
    spread: node.spread,
    metricsScraperNamespaces: m.enabled ? m.namespaces : [],
    monitoring: m.enabled ? { engine: m.engine, scrape: m.scrape, interval: m.interval, labels: m.labels } : undefined,
    snapshotSchedule: snapshotSchedule(env, node),
  };
}

/**
 * Builds the App for one environment, whose nodes name these chain profiles (the project's, as
 * loaded with the environment; by default nodegen's own). Throws (naming the node) when a node's
 * props are wrong.
 */
export function buildFleet(envName: string, env: EnvironmentSpec, project?: ProjectConfig, chains: ChainProfiles = builtInProfiles()): Fleet {
  const app = new App({ outdir: '.' });
  const charts: FleetChart[] = [
    { file: '00-namespace.yaml', chart: new NamespaceChart(app, 'namespace', { namespace: env.namespace, environment: envName }) },
  ];
  const warnings: string[] = [];

  // Cloud snapshots named by handle become a VolumeSnapshot each (one per handle, shared by nodes).
  let snapshotChart: EnvironmentChart | undefined;
  const sources = new Map<string, SnapshotSource>();
  const restore: RestoreResolver = (nodeName, key, r) => {
    if (!r) return undefined;
    if (r.volumeSnapshot) return r.volumeSnapshot;
    const handle = r.snapshotHandle!;
    const id = r.name ?? handle.split('/').pop()!;
    const known = sources.get(handle);
    if (known) return known.volumeSnapshotName;
    const clash = [...sources.values()].find((s) => s.volumeSnapshotName === id);
    if (clash) throw new ConstructError(`${nodeName}: ${key}: two snapshot handles would both be VolumeSnapshot "${id}"; set restoreFrom.name`, { node: nodeName, key });
    snapshotChart ??= new EnvironmentChart(app, 'snapshots');
    const source = new SnapshotSource(snapshotChart, id, {
      namespace: env.namespace,
      environment: envName,
      snapshotHandle: handle,
      driver: env.snapshots.driver,
      volumeSnapshotClass: env.snapshots.volumeSnapshotClass,
    });
    sources.set(handle, source);
    return source.volumeSnapshotName;
  };
  const built: BlockchainNode[] = [];

  const names = Object.keys(env.nodes).sort();
  for (const family of families(chains)) {
    const members = names.filter((n) => env.nodes[n]!.client === family.client);
    if (members.length === 0) continue;
    const chart = new ChainChart(app, family.client);
    for (const name of members) {
      const node = env.nodes[name]!;
      const common = commonProps(env, envName, name, node, restore);
      const network = nodeNetwork(env, node, chains);
      if (isGethNode(node)) {
        const geth = new GethNode(chart, name, {
          ...common,
          network: network as GethNetwork,
          syncMode: node.syncMode,
          gcMode: node.gcMode,
          historyTransactions: node.historyTransactions,
          historyLogs: node.historyLogs,
          historyChain: node.historyChain,
          httpApi: node.httpApi,
          corsDomains: node.corsDomains,
          maxPeers: node.maxPeers,
          forkCheck: node.forkCheck,
          consensus: {
            ...node.consensus,
            storage: {
              ...node.consensus?.storage,
              storageClass: node.consensus?.storage?.storageClass ?? env.storage.storageClass,
              restoreFrom: restore(name, 'consensus.storage.restoreFrom', node.consensus?.storage?.restoreFrom),
            },
          },
        });
        warnings.push(...geth.warnings);
        built.push(geth);
      } else if (isCustomNode(node)) {
        const { chain, network, command, args, env, secretEnv, ports, dataPath, readiness, liveness, runAsUser, terminationGracePeriodSeconds } = node;
        built.push(new CustomNode(chart, name, {
          ...common, chain, network, command, args, env, secretEnv, ports, dataPath, readiness, liveness, runAsUser, terminationGracePeriodSeconds,
          image: node.image, resources: node.resources, storage: { ...common.storage, size: node.storage.size },
        }));
      } else {
        const utxo = {
          ...common,
          // An indexer logs in as a user of its own (README "Electrum indexer") and needs txindex.
          rpcUsers: withIndexerUser(node.rpcUsers, node.indexer),
          exporterRpcauth: node.exporterRpcauth,
          rpcAllowIps: env.clusterCidrs,
          prune: node.prune,
          txindex: node.txindex ?? (node.indexer ? true : undefined),
          dbcache: node.dbcache,
          maxConnections: node.maxConnections,
          zmq: node.zmq,
          // bitcoind and monacoind serve no metrics: the exporter sidecar runs when someone scrapes.
          metricsExporter: env.monitoring.enabled,
        };
        const utxoNode = new UtxoNode(chart, name, chains.get(node.client)!, { ...utxo, network });
        warnings.push(...utxoNode.warnings);
        built.push(utxoNode);
        // The schema allows an indexer only where the profile does (electrumIndexer: bitcoind).
        if (node.indexer) {
          const ix = node.indexer;
          const clash = [`${name}-indexer`, `${name}-electrum`].find((n) => Object.hasOwn(env.nodes, n));
          if (clash) throw new ConstructError(`${name}: the indexer's objects are named "${name}-indexer" and "${name}-electrum", as node "${clash}"'s are; rename one of the nodes`, { node: name, key: 'indexer' });
          new ElectrumIndexer(chart, `${constructIdOf(name)}-indexer`, {
            node: utxoNode, network: network as FulcrumNetwork, rpcauth: ix.rpcauth, image: ix.image, resources: ix.resources, dbMem: ix.dbMem,
            storage: { size: ix.storage?.size, storageClass: ix.storage?.storageClass ?? env.storage.storageClass },
            clientNamespaces: ix.namespaces ?? env.rpcClients.namespaces, environment: envName, placement: common.placement,
          });
        }
      }
    }
    charts.push({ file: family.file, chart });
  }
  // Before the StatefulSets in apply order: a claim whose snapshot does not exist yet stays pending.
  if (snapshotChart) charts.splice(1, 0, { file: '05-snapshots.yaml', chart: snapshotChart });
  const alerted = built.filter((n) => n.replicas > 0);
  if (env.monitoring.enabled && env.monitoring.alerts && alerted.length > 0) {
    const monitoringChart = new EnvironmentChart(app, 'monitoring');
    new SyncAlerts(monitoringChart, 'alerts', {
      namespace: env.namespace,
      environment: envName,
      engine: env.monitoring.engine,
      labels: env.monitoring.labels,
      runbookUrl: env.monitoring.runbookUrl,
      nodes: alerted.map((n) => n.alertedNode),
    });
    charts.push({ file: '40-monitoring.yaml', chart: monitoringChart });
  }
  if (env.gitops) {
    const gitops = new GitopsChart(app, 'gitops', { environment: envName, namespace: env.namespace, gitops: env.gitops });
    charts.push({ file: `${GITOPS_DIR}/${env.gitops.engine}.yaml`, chart: gitops });
  }
  if (project?.config.extend) charts.push(...extend(project, app, envName, env, built));
  return { app, charts, warnings };
}

/** A chart file the team adds: after nodegen's files, never one of them. */
const OWN_FILE = /^(5[0-9]|[6-9][0-9])-[a-z0-9]([-a-z0-9]*[a-z0-9])?\.yaml$/;

/** Runs the project's `extend` for this environment; returns the charts it added. */
function extend(project: ProjectConfig, app: App, envName: string, env: EnvironmentSpec, built: readonly BlockchainNode[]): FleetChart[] {
  const added: FleetChart[] = [];
  const fail = (message: string) => new InputError(`${project.file}: extend() failed for environment "${envName}"`, [{ file: project.file, message }]);
  try {
    project.config.extend!({
      env: envName,
      spec: env,
      nodes: Object.fromEntries(built.map((n) => [n.name, n])),
      cdk8s,
      addChart(file: string) {
        if (!OWN_FILE.test(file)) throw fail(`addChart("${file}"): the file must be named NN-name.yaml with NN from 50 to 99 (after nodegen's files)`);
        if (added.some((c) => c.file === file)) throw fail(`addChart("${file}"): that file was added already`);
        const chart = new EnvironmentChart(app, `extension-${file}`, env.namespace);
        added.push({ file, chart });
        return chart;
      },
    });
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw fail(firstLine(e));
  }
  return added;
}
