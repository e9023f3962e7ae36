/**
 * One chart per client family (all geth nodes, all bitcoind nodes, ...): one file in dist/<env>/.
 * Few charts, many nodes: synthesis cost in cdk8s grows with the number of charts.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';

export class ChainChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { disableResourceNameHashes: true });
  }
}
