/**
 * CustomNode: a node of a chain nodegen has no profile for gets the objects, exposure and security
 * posture of the built-in nodes; what only its reviewer knows (command, ports, data path, probes)
 * is written as given, and mistakes throw naming the node and key.
 */
import { describe, expect, it } from 'vitest';
import { CustomNode, type CustomNodeProps } from '../../src/constructs/custom-node.js';
import { BitcoindNode } from '../../src/constructs/bitcoind-node.js';
import { ConstructError } from '../../src/errors.js';
import { container, find, render, type K8sObject } from './synth-helper.js';

/** Zebra on Zcash Testnet, as environments/nodetest.yaml ships it (trimmed), plus an `other` port. */
const ZEBRA: CustomNodeProps = {
  namespace: 'chains',
  chain: 'zcash',
  network: 'Testnet',
  image: 'zfnd/zebra:6.3.0',
  command: ['zebrad'],
  args: ['start'],
  env: { ZEBRA_NETWORK__NETWORK: 'Testnet', ZEBRA_STATE__CACHE_DIR: '/data' },
  ports: {
    p2p: { port: 18233, purpose: 'p2p' },
    rpc: { port: 18232, purpose: 'rpc' },
    metrics: { port: 9999, purpose: 'metrics' },
    health: { port: 8080, purpose: 'other' },
  },
  dataPath: '/data',
  storage: { size: '30Gi', storageClass: 'premium-rwo' },
  resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } },
  readiness: { command: ['curl', '-fsS', 'http://127.0.0.1:8080/ready'], meansSynced: true },
  rpcClientNamespaces: ['wallet-api'],
  metricsScraperNamespaces: ['monitoring'],
};

const zebra = (over: Partial<CustomNodeProps> = {}) => render((c) => new CustomNode(c, 'zebra', { ...ZEBRA, ...over }));
const main = (objects: K8sObject[]) => container(objects, 'zebra', 'zcash');
const portNames = (svc: K8sObject) => svc.spec.ports.map((p: { name: string; port: number }) => `${p.name}:${p.port}`);

describe('CustomNode', () => {
  it('renders its StatefulSet with the command, arguments, data volume and claim template as given', () => {
    const objects = zebra({ extraArgs: ['--verbose'] });
    const set = find(objects, 'StatefulSet', 'zebra');
    expect(set.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'zcash', 'app.kubernetes.io/instance': 'zebra', 'app.kubernetes.io/component': 'full-node' });
    expect(set.spec.volumeClaimTemplates).toEqual([
      expect.objectContaining({ metadata: expect.objectContaining({ name: 'data' }), spec: expect.objectContaining({ storageClassName: 'premium-rwo', resources: { requests: { storage: '30Gi' } } }) }),
    ]);
    expect(set.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(set.spec.template.spec.terminationGracePeriodSeconds).toBe(300);
    const c = main(objects);
    expect(c.image).toBe('zfnd/zebra:6.3.0');
    expect(c.command).toEqual(['zebrad']);
    // extraArgs follow the node's own arguments.
    expect(c.args).toEqual(['start', '--verbose']);
    expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }]);
    expect(c.resources).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } });
  });

  it('writes no ConfigMap, config volume or checksum: it has no file, and the API server would drop an empty data map', () => {
    const objects = zebra();
    expect(objects.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
    const template = find(objects, 'StatefulSet', 'zebra').spec.template;
    expect(template.spec.volumes.map((v: { name: string }) => v.name)).toEqual(['tmp']);
    expect(template.metadata.annotations).toBeUndefined();
  });

  it('runs with the security posture of the built-in nodes: non-root, read-only root, no capabilities, seccomp', () => {
    const objects = zebra();
    const pod = find(objects, 'StatefulSet', 'zebra').spec.template.spec;
    const builtIn = find(render((c) => new BitcoindNode(c, 'bitcoind', { namespace: 'chains' })), 'StatefulSet', 'bitcoind').spec.template.spec;
    expect(main(objects).securityContext).toEqual(builtIn.containers[0].securityContext);
    expect(main(objects).securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(pod.securityContext).toEqual({ ...builtIn.securityContext, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 });
    for (const key of ['automountServiceAccountToken', 'enableServiceLinks']) expect(pod[key]).toBe(false);
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
  });

  it('runs as the UID it names', () => {
    const pod = find(zebra({ runAsUser: 2000 }), 'StatefulSet', 'zebra').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 2000, runAsGroup: 2000, fsGroup: 2000 });
  });

  it('puts each port where its purpose says: rpc on the node Service, p2p on its own only when exposed, other on no Service', () => {
    const objects = zebra();
    expect(main(objects).ports).toEqual([
      { name: 'p2p', containerPort: 18233, protocol: 'TCP' },
      { name: 'rpc', containerPort: 18232, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9999, protocol: 'TCP' },
      { name: 'health', containerPort: 8080, protocol: 'TCP' },
    ]);
    expect(find(objects, 'Service', 'zebra').spec.type).toBe('ClusterIP');
    expect(portNames(find(objects, 'Service', 'zebra'))).toEqual(['rpc:18232']);
    expect(portNames(find(objects, 'Service', 'zebra-headless'))).toEqual(['p2p:18233', 'rpc:18232', 'metrics:9999']);
    expect(objects.some((o) => o.metadata.name === 'zebra-p2p')).toBe(false);

    const exposed = zebra({ expose: { p2p: 'loadBalancer', rpc: 'public' }, publicSourceRanges: ['203.0.113.0/24'] });
    expect(find(exposed, 'Service', 'zebra-p2p').spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
    expect(portNames(find(exposed, 'Service', 'zebra-p2p'))).toEqual(['p2p:18233']);
    expect(find(exposed, 'Service', 'zebra').spec).toMatchObject({ type: 'LoadBalancer', loadBalancerSourceRanges: ['203.0.113.0/24'] });
  });

  it('admits RPC from the RPC clients, P2P from anywhere, metrics from the scrapers, and nothing to an other port', () => {
    const np = find(zebra(), 'NetworkPolicy', 'zebra').spec;
    expect(np.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'wallet-api' } } }], ports: [{ port: 18232, protocol: 'TCP' }] },
      { ports: [{ port: 18233, protocol: 'TCP' }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 9999, protocol: 'TCP' }] },
    ]);
  });

  it('guards the first sync with a startup probe when readiness means synced, and has no liveness unless given', () => {
    const c = main(zebra());
    expect(c.readinessProbe).toEqual({ exec: { command: ['curl', '-fsS', 'http://127.0.0.1:8080/ready'] }, periodSeconds: 30, timeoutSeconds: 15, failureThreshold: 3 });
    expect(c.startupProbe).toEqual({ exec: { command: ['curl', '-fsS', 'http://127.0.0.1:8080/ready'] }, periodSeconds: 60, timeoutSeconds: 15, failureThreshold: 7 * 24 * 60 });
    expect(c.livenessProbe).toBeUndefined();

    const given = main(zebra({
      readiness: { command: ['ready'], meansSynced: true, initialSyncMinutes: 120, periodSeconds: 10, failureThreshold: 6 },
      liveness: { command: ['alive'], periodSeconds: 60, failureThreshold: 5 },
    }));
    expect(given.startupProbe).toMatchObject({ exec: { command: ['ready'] }, failureThreshold: 120 });
    expect(given.readinessProbe).toMatchObject({ periodSeconds: 10, failureThreshold: 6 });
    expect(given.livenessProbe).toEqual({ exec: { command: ['alive'] }, periodSeconds: 60, timeoutSeconds: 15, failureThreshold: 5 });
  });

  it('writes no startup probe when readiness does not mean synced, and no probe at all without readiness', () => {
    const answers = main(zebra({ readiness: { command: ['answers'] } }));
    expect(answers.readinessProbe).toMatchObject({ exec: { command: ['answers'] } });
    expect(answers.startupProbe).toBeUndefined();
    const none = main(zebra({ readiness: undefined }));
    expect([none.readinessProbe, none.startupProbe, none.livenessProbe]).toEqual([undefined, undefined, undefined]);
  });

  it('reads secretEnv from Secrets (secretKeyRef) and writes no secret value; HOME is /tmp unless set', () => {
    const objects = zebra({ secretEnv: { RPC_PASSWORD: { secret: 'zebra-rpc', key: 'password' } } });
    expect(main(objects).env).toEqual([
      { name: 'HOME', value: '/tmp' },
      { name: 'ZEBRA_NETWORK__NETWORK', value: 'Testnet' },
      { name: 'ZEBRA_STATE__CACHE_DIR', value: '/data' },
      { name: 'RPC_PASSWORD', valueFrom: { secretKeyRef: { name: 'zebra-rpc', key: 'password' } } },
    ]);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    expect(main(zebra({ env: { HOME: '/data' } })).env).toEqual([{ name: 'HOME', value: '/data' }]);
  });

  it('is scraped at its metrics ports, and not at all without one', () => {
    const monitoring = { engine: 'prometheus-operator', scrape: 'serviceMonitor' } as const;
    const monitor = find(zebra({ monitoring, ports: { ...ZEBRA.ports, metrics: { port: 9999, purpose: 'metrics', metricsPath: '/prom' } } }), 'ServiceMonitor', 'zebra');
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/prom' })]);
    const { metrics: _, ...unscraped } = ZEBRA.ports;
    expect(zebra({ monitoring, ports: unscraped }).some((o) => o.kind === 'ServiceMonitor')).toBe(false);
  });

  it('is alerted on by the generic rules only: no chain metrics, its volume, its snapshots', () => {
    let node: CustomNode | undefined;
    render((c) => { node = new CustomNode(c, 'zebra', { ...ZEBRA, snapshotSchedule: {} }); });
    expect(node!.alertedNode).toEqual({ name: 'zebra', chain: 'zcash', metrics: 'none', thresholds: undefined, volumes: ['data'], snapshotCronJob: 'zebra-snapshots' });
  });

  it('keeps a sandbox\'s throwaway data on an emptyDir of the given size', () => {
    const set = find(zebra({ storage: { size: '30Gi', ephemeral: true } }), 'StatefulSet', 'zebra');
    expect(set.spec.volumeClaimTemplates).toBeUndefined();
    expect(set.spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '30Gi' } });
  });

  it.each([
    ['root', { runAsUser: 0 }, 'runAsUser', /not a non-root UID/],
    ['a relative data path', { dataPath: 'data' }, 'dataPath', /absolute path/],
    ['a data path in /tmp', { dataPath: '/tmp/zebra' }, 'dataPath', /scratch emptyDir/],
    ['two ports on one number', { ports: { rpc: { port: 18232, purpose: 'rpc' }, api: { port: 18232, purpose: 'other' } } }, 'ports.api.port', /already port "rpc"/],
    ['no rpc port', { ports: { p2p: { port: 18233, purpose: 'p2p' } } }, 'ports', /purpose: rpc/],
    ['a port name longer than 15 characters', { ports: { 'json-rpc-over-http': { port: 1, purpose: 'rpc' } } }, 'ports.json-rpc-over-http', /at most 15/],
    ['no storage size', { storage: { storageClass: 'premium-rwo' } as CustomNodeProps['storage'] }, 'storage.size', /no realistic size/],
    ['no command', { command: [] }, 'command', /program/],
    ['P2P exposed without a p2p port', { ports: { rpc: { port: 1, purpose: 'rpc' } }, expose: { p2p: 'loadBalancer' } }, 'expose.p2p', /needs a port with purpose: p2p/],
  ] as const)('refuses %s, naming the node and key', (_, over, key, message) => {
    let error: unknown;
    try {
      zebra(over as Partial<CustomNodeProps>);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConstructError);
    expect((error as ConstructError).message).toMatch(message);
    expect((error as ConstructError).message).toMatch(/^zebra: /);
    expect(error).toMatchObject({ where: { node: 'zebra', key } });
  });
});
