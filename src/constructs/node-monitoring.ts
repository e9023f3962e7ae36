/**
 * How Prometheus finds a node's metrics endpoints: a Prometheus Operator `ServiceMonitor` (through
 * the node's headless Service) or `PodMonitor` (pods directly), or a Google Managed Prometheus
 * `PodMonitoring` on GKE.
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitor
 * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/setup-managed#gmp-pod-monitoring
 */
import { Construct } from 'constructs';
import { ConstructError } from '../errors.js';
import { customResource } from './custom-resource.js';

/** Who scrapes: the Prometheus Operator, or Google Managed Prometheus on GKE. */
export type MonitoringEngine = 'prometheus-operator' | 'gke-managed';
/** Prometheus Operator only: through the headless Service, or the pods directly. */
export type ScrapeObject = 'serviceMonitor' | 'podMonitor';

/** One metrics endpoint: a named container port and its path. */
export interface MetricsEndpoint {
  /** The port's name (the same on the container and the headless Service). */
  readonly port: string;
  /** @default '/metrics' */
  readonly path?: string;
}

/** The monitoring choices of an environment, as a node receives them. */
export interface NodeMonitoringOptions {
  /** @default 'prometheus-operator' */
  readonly engine?: MonitoringEngine;
  /** Ignored on `gke-managed` (always pods). @default 'serviceMonitor' */
  readonly scrape?: ScrapeObject;
  /** Scrape interval, a Prometheus duration. @default '30s' */
  readonly interval?: string;
  /**
   * Extra labels on the scrape object, so the Prometheus selects it (kube-prometheus-stack selects
   * `release: <its release name>` by default). @default {}
   */
  readonly labels?: Record<string, string>;
}

export interface NodeMonitoringProps extends NodeMonitoringOptions {
  /** The scrape object's name (the node's name). */
  readonly name: string;
  /** @default - none (the kubectl context's namespace) */
  readonly namespace?: string;
  /** The node's labels, written on the scrape object (the extra `labels` are added). */
  readonly nodeLabels: Record<string, string>;
  /** Labels selecting the node's pods, and its Services (which carry the same labels). */
  readonly selector: Record<string, string>;
  readonly endpoints: readonly MetricsEndpoint[];
}

const DURATION = /^([0-9]+(ms|s|m|h))+$/;

/**
 * Emits one object named `name` (the node's name):
 * - `ServiceMonitor`: selects the node's Services by the node's selector labels; only the headless
 *   Service carries metrics ports, so the others yield no targets. `job` is the node's name.
 * - `PodMonitor`: the same endpoints, on the pods.
 * - `PodMonitoring` (gke-managed): the same endpoints; `pod` and `container` target labels, which
 *   the alert rules select on.
 */
export class NodeMonitoring extends Construct {
  readonly kind: 'ServiceMonitor' | 'PodMonitor' | 'PodMonitoring';

  constructor(scope: Construct, id: string, props: NodeMonitoringProps) {
    super(scope, id);
    const engine = props.engine ?? 'prometheus-operator';
    const interval = props.interval ?? '30s';
    if (!DURATION.test(interval)) throw new ConstructError(`${props.name}: monitoring interval "${interval}" is not a Prometheus duration such as "30s"`);
    if (props.endpoints.length === 0) throw new ConstructError(`${props.name}: nothing to scrape: the node declares no metrics port`, { node: props.name });
    const metadata = {
      name: props.name,
      ...(props.namespace ? { namespace: props.namespace } : {}),
      labels: { ...props.nodeLabels, ...(props.labels ?? {}) },
    };
    const endpoints = props.endpoints.map((e) => ({ port: e.port, path: e.path ?? '/metrics', interval, scheme: 'http' }));
    // Only this namespace: the selector labels are unique within it, not across the cluster.
    const namespaceSelector = props.namespace ? { namespaceSelector: { matchNames: [props.namespace] } } : {};

    if (engine === 'gke-managed') {
      this.kind = 'PodMonitoring';
      customResource(this, 'pod-monitoring', {
        kind: 'PodMonitoring',
        metadata,
        spec: {
          selector: { matchLabels: { ...props.selector } },
          endpoints,
          targetLabels: { metadata: ['pod', 'container'] },
        },
      });
    } else if ((props.scrape ?? 'serviceMonitor') === 'serviceMonitor') {
      this.kind = 'ServiceMonitor';
      customResource(this, 'service-monitor', {
        kind: 'ServiceMonitor',
        metadata,
        spec: {
          jobLabel: 'app.kubernetes.io/instance',
          selector: { matchLabels: { ...props.selector } },
          ...namespaceSelector,
          endpoints,
        },
      });
    } else {
      this.kind = 'PodMonitor';
      customResource(this, 'pod-monitor', {
        kind: 'PodMonitor',
        metadata,
        spec: {
          jobLabel: 'app.kubernetes.io/instance',
          selector: { matchLabels: { ...props.selector } },
          ...namespaceSelector,
          podMetricsEndpoints: endpoints,
        },
      });
    }
  }
}
