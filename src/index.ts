/**
 * nodegen's library API, for use in an existing cdk8s app or in scripts:
 *
 * ```ts
 * import { App, Chart } from 'cdk8s';
 * import { GethNode } from 'nodegen-k8s';
 * const chart = new Chart(new App(), 'eth', { disableResourceNameHashes: true });
 * new GethNode(chart, 'geth', { namespace: 'chains', network: 'mainnet' });
 * ```
 */
export { BlockchainNode, type BlockchainNodeProps, type NodeResources, type NodeStorage, type NodePlacement, type NodeExposure } from './constructs/blockchain-node.js';
export { GethNode, type GethNodeProps, type GethConsensusProps } from './constructs/geth-node.js';
export { ConsensusClient, type ConsensusClientProps } from './constructs/consensus-client.js';
export { UtxoNode, type UtxoNodeProps } from './constructs/utxo-node.js';
export { BitcoindNode, type BitcoindNodeProps } from './constructs/bitcoind-node.js';
export { MonaNode, type MonaNodeProps } from './constructs/mona-node.js';
export { CustomNode, type CustomNodeProps, type CustomNodePort, type CustomProbe, type CustomReadiness } from './constructs/custom-node.js';
export { NodeMonitoring, type NodeMonitoringProps, type NodeMonitoringOptions } from './constructs/node-monitoring.js';
export { SnapshotSchedule, type SnapshotScheduleProps } from './constructs/snapshot-schedule.js';
export { SnapshotSource, type SnapshotSourceProps } from './constructs/snapshot-source.js';
export { SyncAlerts, nodeAlertRules, type SyncAlertsProps, type AlertedNode, type AlertRule } from './constructs/sync-alerts.js';
export { loadEnvironment, listEnvironmentNames, type LoadedEnvironment } from './environment/load.js';
export { mergeValues, mergeAll } from './environment/merge.js';
export { environmentSchemaFor, type EnvironmentSpec, type NodeSpec, type UtxoNodeSpec } from './environment/schema.js';
export { builtInProfiles, loadChainProfiles, type ChainProfiles } from './chains/profiles.js';
export type { UtxoProfile, UtxoNetworkParams } from './chains/profile.js';
export { renderEnvironment as synthesize, type RenderedEnvironment, type RenderedFile } from './synth/render.js';
export { InputError, UsageError, CheckFailedError, ConstructError, type Problem } from './errors.js';
export { defineConfig, type NodegenConfig, type FleetExtensionContext } from './extension.js';
