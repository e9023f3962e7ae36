/**
 * The environment's namespace, first in `kubectl apply -f` order, with the restricted Pod Security
 * Standard enforced and a default-deny ingress policy (each node's NetworkPolicy opens what it needs).
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import * as k8s from '../src/constructs/k8s.js';
import { ENVIRONMENT_LABEL, MANAGED_BY, PART_OF } from '../src/constructs/blockchain-node.js';

export interface NamespaceChartProps {
  readonly namespace: string;
  readonly environment: string;
}

export class NamespaceChart extends Chart {
  constructor(scope: Construct, id: string, props: NamespaceChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const labels = {
      'app.kubernetes.io/name': 'namespace',
      'app.kubernetes.io/instance': props.namespace,
      'app.kubernetes.io/component': 'namespace',
      'app.kubernetes.io/part-of': PART_OF,
      'app.kubernetes.io/managed-by': MANAGED_BY,
      [ENVIRONMENT_LABEL]: props.environment,
    };
    k8s.kubeObject(this, 'namespace', 'Namespace', {
      metadata: {
        name: props.namespace,
        labels: {
          ...labels,
          // Every node pod meets the restricted profile; the API server refuses any that does not.
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
        },
      },
    });
    k8s.kubeObject(this, 'default-deny', 'NetworkPolicy', {
      metadata: { name: 'default-deny-ingress', namespace: props.namespace, labels: { ...labels, 'app.kubernetes.io/component': 'network-policy' } },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
  }
}
