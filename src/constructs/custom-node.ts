/**
 * A node of a chain nodegen has no profile for, as its reviewer describes it (README "Custom nodes").
 */
import type { Construct } from 'constructs';
import type * as k8s from './k8s.js';
import { ConstructError } from '../errors.js';
import {
  CUSTOM_DEFAULT_INITIAL_SYNC_MINUTES,
  CUSTOM_DEFAULT_UID,
  PORT_NAME,
  customNodeProblems,
  type CustomPortPurpose,
} from '../environment/custom-schema.js';
import { BlockchainNode, containerSecurity, toK8sResources, type BlockchainNodeProps, type NodePort, type NodeResources, type NodeStorage } from './blockchain-node.js';

/** One port of a custom node. */
export interface CustomNodePort {
  readonly port: number;
  /**
   * Who may reach it: `rpc` the RPC clients (and the public LoadBalancer with `expose.rpc: public`),
   * `p2p` anyone, `metrics` the scrapers, `other` nobody outside the pod (a container port only).
   */
  readonly purpose: CustomPortPurpose;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
  /** Where a `metrics` port serves Prometheus text. @default '/metrics' */
  readonly metricsPath?: string;
}

/** An exec probe of a custom node. */
export interface CustomProbe {
  /** Run in the node's container; exit 0 is success. */
  readonly command: readonly string[];
  /** @default 30 */
  readonly periodSeconds?: number;
  /** @default 15 */
  readonly timeoutSeconds?: number;
  /** @default 3 */
  readonly failureThreshold?: number;
}

/** The readiness probe, and what it means. */
export interface CustomReadiness extends CustomProbe {
  /** The command exits non-zero until the node is synced with its network (not merely "answers"). @default false */
  readonly meansSynced?: boolean;
  /** The first sync's budget (the startup probe's) before the kubelet restarts the container. @default 10080 (7 days) */
  readonly initialSyncMinutes?: number;
}

export interface CustomNodeProps extends BlockchainNodeProps {
  /** The chain (`zcash`): the `app.kubernetes.io/name` label, the container's name, the alerts' `chain` label. */
  readonly chain: string;
  /** The network as the client names it (`Testnet`); informational. */
  readonly network: string;
  /** The image, pinned; nodegen knows no release of an unknown client. */
  readonly image: string;
  /** The program and its first arguments; the image's entrypoint is not run. */
  readonly command: readonly string[];
  /** Arguments after `command`; `extraArgs` follow. @default [] */
  readonly args?: readonly string[];
  /** Literal environment variables (committed with dist/: never a secret). `HOME` is `/tmp` unless set. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Variables read from Secrets created in the namespace, as `secretKeyRef`. @default {} */
  readonly secretEnv?: Readonly<Record<string, { readonly secret: string; readonly key: string }>>;
  /** The ports, by name (IANA service names); at least one `rpc` port. */
  readonly ports: Readonly<Record<string, CustomNodePort>>;
  /** Absolute path where the data volume is mounted: the client's data directory. */
  readonly dataPath: string;
  /** `size` is required: nodegen has no realistic figure for an unknown chain. */
  readonly storage: NodeStorage & { readonly size: string };
  /** Required: nodegen cannot size an unknown client. */
  readonly resources: NodeResources;
  /** @default - no readiness probe (Ready as soon as the container runs) */
  readonly readiness?: CustomReadiness;
  /** @default - no liveness probe */
  readonly liveness?: CustomProbe;
  /** UID and GID of the client; never 0. @default 10001 */
  readonly runAsUser?: number;
  /** @default 300 */
  readonly terminationGracePeriodSeconds?: number;
}

const ROLE: Record<CustomPortPurpose, NodePort['role']> = { rpc: 'rpc', p2p: 'p2p', metrics: 'metrics', other: 'internal' };

/**
 * The custom node's one container runs `command` + `args` + `extraArgs` as `runAsUser`, with the
 * data volume at `dataPath`, a writable `/tmp` and nothing else writable; everything else (Services
 * by purpose, NetworkPolicy, claims, snapshots, disruption budget, scrape object) is the base's.
 *
 * Probes: readiness runs the given command; when it means synced it also guards the first sync
 * as a startup probe (so a liveness probe never runs during it). No liveness unless given.
 */
export class CustomNode extends BlockchainNode {
  readonly client = 'custom';
  readonly chain: string;
  readonly network: string;
  readonly dataPath: string;
  readonly runAsUser: number;
  /** Whether the readiness probe is declared to mean "synced with the network". */
  readonly readinessMeansSynced: boolean;

  constructor(scope: Construct, id: string, props: CustomNodeProps) {
    const ports = Object.entries(props.ports ?? {});
    const fail = (key: string, message: string) => new ConstructError(`${id}: ${key}: ${message}`, { node: id, key });
    if (!props.image) throw fail('image', 'a custom node needs an image, pinned to a release tag or digest');
    if (!props.command || props.command.length === 0) throw fail('command', 'list the program to run');
    if (!props.storage?.size) throw fail('storage.size', 'nodegen has no realistic size for a chain it does not know: set one');
    if (ports.length === 0) throw fail('ports', 'list at least one port (an rpc port, which the node\'s Service reaches)');
    for (const [name] of ports) if (!PORT_NAME.test(name)) throw fail(`ports.${name}`, 'a port name is at most 15 lowercase letters, digits and single "-", with a letter');
    const problem = customNodeProblems(props)[0];
    if (problem) throw fail(problem.path.join('.'), problem.message);
    const runAsUser = props.runAsUser ?? CUSTOM_DEFAULT_UID;
    if (!Number.isInteger(runAsUser) || runAsUser < 1) throw fail('runAsUser', `${runAsUser} is not a non-root UID: the restricted Pod Security Standard refuses root`);
    // A scrape object needs an endpoint: without a metrics port the node is not scraped.
    const hasMetrics = ports.some(([, p]) => p.purpose === 'metrics');
    super(scope, id, { ...props, monitoring: hasMetrics ? props.monitoring : undefined }, props.chain, props.image);

    this.chain = props.chain;
    this.network = props.network;
    this.dataPath = props.dataPath;
    this.runAsUser = runAsUser;
    this.readinessMeansSynced = props.readiness?.meansSynced ?? false;

    const nodePorts: NodePort[] = ports.map(([name, p]) => ({
      name,
      port: p.port,
      protocol: p.protocol ?? 'TCP',
      role: ROLE[p.purpose],
      ...(p.purpose === 'metrics' ? { metricsPath: p.metricsPath ?? '/metrics' } : {}),
    }));
    const env: k8s.EnvVar[] = [
      // The root filesystem is read-only: a client that writes under $HOME writes to /tmp.
      ...(Object.hasOwn(props.env ?? {}, 'HOME') ? [] : [{ name: 'HOME', value: '/tmp' }]),
      ...Object.entries(props.env ?? {}).map(([name, value]) => ({ name, value })),
      // Created by the operator in the node's namespace; nodegen never writes a Secret.
      ...Object.entries(props.secretEnv ?? {}).map(([name, s]) => ({ name, valueFrom: { secretKeyRef: { name: s.secret, key: s.key } } })),
    ];
    const probe = (p: CustomProbe): k8s.Probe => ({
      exec: { command: [...p.command] },
      periodSeconds: p.periodSeconds ?? 30,
      timeoutSeconds: p.timeoutSeconds ?? 15,
      failureThreshold: p.failureThreshold ?? 3,
    });
    const r = props.readiness;
    this.buildWorkload({
      containers: [
        {
          name: props.chain,
          image: this.image,
          imagePullPolicy: 'IfNotPresent',
          command: [...props.command],
          args: [...(props.args ?? []), ...this.extraArgs],
          env,
          ports: BlockchainNode.containerPorts(nodePorts),
          resources: toK8sResources(id, props.resources),
          securityContext: containerSecurity(),
          volumeMounts: [
            { name: 'data', mountPath: props.dataPath },
            { name: 'tmp', mountPath: '/tmp' },
          ],
          // The first sync may take days: the startup probe (period 60 s) holds readiness and
          // liveness back until the node has synced once, then restarts a node that never does.
          ...(r && this.readinessMeansSynced
            ? { startupProbe: { exec: { command: [...r.command] }, periodSeconds: 60, timeoutSeconds: r.timeoutSeconds ?? 15, failureThreshold: r.initialSyncMinutes ?? CUSTOM_DEFAULT_INITIAL_SYNC_MINUTES } }
            : {}),
          ...(r ? { readinessProbe: probe(r) } : {}),
          ...(props.liveness ? { livenessProbe: probe(props.liveness) } : {}),
        },
      ],
      // resolveSize checks the quantity (there is no fallback: the size is required).
      dataVolumes: [{ name: 'data', size: this.resolveSize('storage.size', props.storage.size, props.storage.size), storageClass: props.storage.storageClass, restoreFrom: props.storage.restoreFrom }],
      files: {},
      ports: nodePorts,
      runAsUser,
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 300,
    });
  }

  /** No chain metrics nodegen knows: the generic alerts (volumes, restarts, snapshots) only. */
  protected alertFacts() {
    return { chain: this.chain, metrics: 'none', thresholds: undefined } as const;
  }
}
