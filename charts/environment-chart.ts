/**
 * Objects that belong to the environment rather than to one node: the snapshot sources that
 * nodes restore from (05-snapshots.yaml, before the StatefulSets that name them) and the alert
 * rules (40-monitoring.yaml), and the charts a project's nodegen.config.mjs adds. Each is written
 * only when used.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';

export class EnvironmentChart extends Chart {
  /** @param namespace objects without a namespace of their own get this one. @default - none */
  constructor(scope: Construct, id: string, namespace?: string) {
    super(scope, id, { disableResourceNameHashes: true, ...(namespace ? { namespace } : {}) });
  }
}
