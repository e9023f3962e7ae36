/**
 * An Electrum server (Fulcrum) attached to a bitcoind node: its own StatefulSet and volume, its
 * own least-privilege bitcoind login, its Electrum port open to the listed namespaces only.
 */
import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import type { ApiObject } from 'cdk8s';
import * as k8s from './k8s.js';
import { ConstructError } from '../errors.js';
import {
  ELECTRUM_PORT, FULCRUM_DATA, type FulcrumNetwork, FULCRUM_IMAGE, FULCRUM_METHODS, FULCRUM_NETWORKS, FULCRUM_PASSWORD_ENV, FULCRUM_PROBE_PY,
  INDEXER_SECRET_KEY, indexerSecretName, renderFulcrumConf,
} from '../chains/fulcrum.js';
import type { RpcUser } from '../chains/rpc-methods.js';
import { CHECKSUM_ANNOTATION, CONFIG_DIR, type NodePlacement } from './blockchain-node.js';
import { containerSecurity, requireQuantity, toK8sResources, type NodeResources } from './containers.js';
import { standardLabels } from './labels.js';
import { RPCAUTH_PATTERN } from './utxo-node.js';

/** The node an indexer reads: its name, pods and RPC port. */
export interface IndexedNode {
  readonly name: string;
  readonly namespace?: string;
  readonly selectorLabels: Record<string, string>;
  readonly params: { readonly rpcPort: number };
}

export interface ElectrumIndexerProps {
  /** The bitcoind node it indexes (its ClusterIP Service is the RPC endpoint). */
  readonly node: IndexedNode;
  /** The node's network. */
  readonly network: FulcrumNetwork;
  /** The indexer's own login (`nodegen rpcauth indexer`); its password is in the Secret `<node>-rpc-indexer`. */
  readonly rpcauth: string;
  /** @default FULCRUM_IMAGE */
  readonly image?: string;
  /** @default - sized for the network */
  readonly resources?: NodeResources;
  /** @default - the network's realistic index size, the cluster's default storage class */
  readonly storage?: { readonly size?: string; readonly storageClass?: string };
  /** Namespaces whose pods may connect to the Electrum port. @default [] (nobody) */
  readonly clientNamespaces?: readonly string[];
  /** rocksdb memory, MiB (`db_mem`). @default - the network's (FULCRUM_NETWORKS) */
  readonly dbMem?: number;
  /**
   * bitcoind's ZMQ ports. Fulcrum asks bitcoind for its ZMQ endpoints (`getzmqnotifications`) and
   * subscribes to `hashblock` when there is one, learning of new blocks at once; without ZMQ it
   * polls bitcoind every 2 s (`polltime`). These ports are opened from the indexer to the node.
   * @default [] (polling)
   */
  readonly zmqPorts?: readonly number[];
  /** @default - the node's namespace */
  readonly namespace?: string;
  /** @default - no environment label */
  readonly environment?: string;
  /** @default - no node selector, no tolerations */
  readonly placement?: NodePlacement;
}

/** Default requests and limits; `db_mem` stays well below the memory limit (rocksdb may exceed it briefly). */
function defaultResources(network: FulcrumNetwork): NodeResources {
  if (network === 'main') return { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } };
  if (network === 'regtest') return { requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } };
  return { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } };
}

/** The UID the indexer runs as; the image defines no user, so any non-root UID works (fsGroup makes /data writable). */
const FULCRUM_UID = 10001;

/**
 * Emits, named after the node:
 * - `ConfigMap <node>-indexer-config`: `fulcrum.conf` (no password) and `probe.py`;
 * - `Service <node>-indexer-headless` (the StatefulSet's) and `Service <node>-electrum` (ClusterIP, port 50001);
 * - `StatefulSet <node>-indexer`: one replica, volume claim `data`;
 * - `NetworkPolicy <node>-indexer`: Electrum from the client namespaces only; out, DNS and the
 *   node's pods on RPC (and ZMQ) only: a private server needs nothing else;
 * - `NetworkPolicy <node>-indexer-rpc`: on the node's pods, RPC (and ZMQ) from the indexer (policies add up).
 */
export class ElectrumIndexer extends Construct {
  /** `<node>-indexer`. */
  readonly name: string;
  /** `<node>-electrum`: what Electrum clients connect to, `<node>-electrum.<namespace>.svc:50001`. */
  readonly serviceName: string;
  readonly image: string;
  readonly storageSize: string;
  readonly dbMem: number;
  /** The rendered `fulcrum.conf`. */
  readonly conf: string;
  /** The node login it adds: its user, hash and exactly the methods Fulcrum calls. */
  readonly rpcUser: RpcUser;
  readonly selectorLabels: Record<string, string>;
  statefulSet!: ApiObject;

  constructor(scope: Construct, id: string, props: ElectrumIndexerProps) {
    super(scope, id);
    const node = props.node;
    const namespace = props.namespace ?? node.namespace;
    this.name = `${node.name}-indexer`;
    this.serviceName = `${node.name}-electrum`;
    if (!RPCAUTH_PATTERN.test(props.rpcauth)) {
      throw new ConstructError(`${node.name}: indexer.rpcauth is not "user:<salt>$<hmac>"; make one with \`nodegen rpcauth indexer\``, { node: node.name, key: 'indexer.rpcauth' });
    }
    this.rpcUser = { user: props.rpcauth.slice(0, props.rpcauth.indexOf(':')), rpcauth: props.rpcauth, methods: Object.keys(FULCRUM_METHODS) };
    const params = FULCRUM_NETWORKS[props.network];
    this.image = props.image ?? FULCRUM_IMAGE;
    this.storageSize = props.storage?.size ?? params.defaultStorage;
    requireQuantity(node.name, 'indexer.storage.size', this.storageSize);
    this.dbMem = props.dbMem ?? params.dbMem;
    this.selectorLabels = { 'app.kubernetes.io/name': 'fulcrum', 'app.kubernetes.io/instance': this.name };
    const labels = standardLabels({ name: 'fulcrum', instance: this.name, component: 'electrum-server', environment: props.environment });
    const metadata = (name: string): k8s.ObjectMeta => ({ name, ...(namespace ? { namespace } : {}), labels });

    // The node's ClusterIP Service: only ready (synced) replicas answer.
    const host = namespace ? `${node.name}.${namespace}.svc` : node.name;
    const bitcoind = `${host}:${node.params.rpcPort}`;
    this.conf = renderFulcrumConf(
      { bitcoind, rpcUser: this.rpcUser.user, dbMem: this.dbMem },
      `fulcrum.conf for ${this.name}, written by nodegen for Fulcrum ${this.image.split(':').pop()}.`,
    );
    const files = { 'fulcrum.conf': this.conf, 'probe.py': FULCRUM_PROBE_PY };
    const configName = `${this.name}-config`;
    k8s.kubeObject(this, 'config', 'ConfigMap', { metadata: metadata(configName), data: files });
    const checksum = createHash('sha256').update(JSON.stringify(Object.entries(files).sort())).digest('hex');

    const electrumPort: k8s.ServicePort = { name: 'electrum', port: ELECTRUM_PORT, targetPort: 'electrum', protocol: 'TCP' };
    k8s.kubeObject(this, 'headless', 'Service', {
      metadata: metadata(`${this.name}-headless`),
      spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: this.selectorLabels, ports: [electrumPort] },
    });
    k8s.kubeObject(this, 'electrum', 'Service', {
      metadata: metadata(this.serviceName),
      spec: { type: 'ClusterIP', selector: this.selectorLabels, ports: [electrumPort] },
    });

    const probe = (mode: string) => ({ exec: { command: ['python3', `${CONFIG_DIR}/probe.py`, mode] } });
    const placement = props.placement ?? {};
    const resources = props.resources ?? defaultResources(props.network);
    this.statefulSet = k8s.kubeObject(this, 'statefulset', 'StatefulSet', {
      metadata: metadata(this.name),
      spec: {
        serviceName: `${this.name}-headless`,
        // One index per node: a second replica would index the whole chain again for nothing.
        replicas: 1,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        revisionHistoryLimit: 5,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        selector: { matchLabels: this.selectorLabels },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: this.selectorLabels },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(props.storage?.storageClass ? { storageClassName: props.storage.storageClass } : {}),
              resources: { requests: { storage: this.storageSize } },
            },
          },
        ],
        template: {
          metadata: { labels, annotations: { [CHECKSUM_ANNOTATION]: checksum } },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            // Fulcrum must finish committing a block: a kill mid-commit corrupts the database (Fulcrum issue 41).
            terminationGracePeriodSeconds: 300,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: FULCRUM_UID,
              runAsGroup: FULCRUM_UID,
              fsGroup: FULCRUM_UID,
              fsGroupChangePolicy: 'OnRootMismatch',
              seccompProfile: { type: 'RuntimeDefault' },
            },
            ...(placement.nodeSelector && Object.keys(placement.nodeSelector).length > 0 ? { nodeSelector: placement.nodeSelector } : {}),
            ...(placement.tolerations && placement.tolerations.length > 0 ? { tolerations: placement.tolerations.map((t) => ({ ...t })) } : {}),
            containers: [
              {
                name: 'fulcrum',
                image: this.image,
                imagePullPolicy: 'IfNotPresent',
                // Fulcrum itself with its config file, not the image's entrypoint (which makes a TLS
                // key pair in /data for the SSL port nodegen does not open).
                command: ['Fulcrum', `${CONFIG_DIR}/fulcrum.conf`],
                env: [
                  { name: 'HOME', value: '/tmp' },
                  // Created by the operator in the node's namespace; nodegen never writes it.
                  { name: FULCRUM_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: indexerSecretName(node.name), key: INDEXER_SECRET_KEY } } },
                  // Read by the probes.
                  { name: 'RPCUSER', value: this.rpcUser.user },
                  { name: 'BITCOIND_URL', value: `http://${bitcoind}/` },
                  { name: 'ELECTRUM_PORT', value: String(ELECTRUM_PORT) },
                  { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
                ],
                ports: [{ name: 'electrum', containerPort: ELECTRUM_PORT, protocol: 'TCP' }],
                resources: toK8sResources(node.name, resources),
                securityContext: containerSecurity(),
                volumeMounts: [
                  { name: 'data', mountPath: FULCRUM_DATA },
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
                // Opening a large database takes minutes; then the first indexing takes hours
                // (testnets) to days (mainnet), during which the pod is alive but not ready.
                startupProbe: { ...probe('alive'), periodSeconds: 10, timeoutSeconds: 10, failureThreshold: 90 },
                readinessProbe: { ...probe('ready'), periodSeconds: 30, timeoutSeconds: 20, failureThreshold: 3 },
                livenessProbe: { ...probe('alive'), periodSeconds: 60, timeoutSeconds: 10, failureThreshold: 5 },
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: configName, defaultMode: 0o555 } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    });

    const rpcPorts = [node.params.rpcPort, ...(props.zmqPorts ?? [])].map((port) => ({ port, protocol: 'TCP' }));
    const namespaces = props.clientNamespaces ?? [];
    k8s.kubeObject(this, 'network-policy', 'NetworkPolicy', {
      metadata: metadata(this.name),
      spec: {
        podSelector: { matchLabels: this.selectorLabels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: namespaces.length > 0
          ? [{ from: namespaces.map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })), ports: [{ port: ELECTRUM_PORT, protocol: 'TCP' }] }]
          : [],
        egress: [
          { ports: [53, 53].map((port, i) => ({ port, protocol: i === 0 ? 'UDP' : 'TCP' })) },
          { to: [{ podSelector: { matchLabels: node.selectorLabels } }], ports: rpcPorts },
        ],
      },
    });
    k8s.kubeObject(this, 'node-policy', 'NetworkPolicy', {
      metadata: metadata(`${this.name}-rpc`),
      spec: {
        podSelector: { matchLabels: node.selectorLabels },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: this.selectorLabels } }], ports: rpcPorts }],
      },
    });
  }
}

/** The node's `rpcUsers` with the indexer's login added: its user, limited to exactly the methods Fulcrum calls. */
export function withIndexerUser<U extends { readonly rpcauth: string; readonly methods: readonly string[] }>(
  rpcUsers: Readonly<Record<string, U>> | undefined,
  indexer: { readonly rpcauth: string } | undefined,
): Readonly<Record<string, U | { readonly rpcauth: string; readonly methods: readonly string[] }>> | undefined {
  if (!indexer) return rpcUsers;
  const user = indexer.rpcauth.slice(0, indexer.rpcauth.indexOf(':'));
  return { ...rpcUsers, [user]: { rpcauth: indexer.rpcauth, methods: Object.keys(FULCRUM_METHODS) } };
}
