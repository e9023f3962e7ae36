import { describe, expect, it } from 'vitest';
import { GethNode } from '../../src/constructs/geth-node.js';
import { GETH_REMOVED_FLAGS, gethNetworkSupportWarning } from '../../src/chains/geth.js';
import { ConstructError } from '../../src/errors.js';
import { container, find, render } from './synth-helper.js';

/** chain-facts.md: the network flag and checkpoint sync endpoint of each Ethereum network. */
const NETWORKS = {
  mainnet: { flag: '--mainnet', checkpoint: 'https://mainnet-checkpoint-sync.attestant.io' },
  hoodi: { flag: '--hoodi', checkpoint: 'https://checkpoint-sync.hoodi.ethpandaops.io' },
  sepolia: { flag: '--sepolia', checkpoint: 'https://checkpoint-sync.sepolia.ethpandaops.io' },
} as const;

const geth = (props: ConstructorParameters<typeof GethNode>[2] = {}) =>
  render((chart) => new GethNode(chart, 'geth', { namespace: 'chains', ...props }));

describe('GethNode', () => {
  it('renders its defaults (snapshot)', () => {
    expect(geth()).toMatchSnapshot();
  });

  it.each(Object.entries(NETWORKS))('on %s selects the network by flag, with its checkpoint endpoint', (network, facts) => {
    const objects = geth({ network: network as keyof typeof NETWORKS });
    const args: string[] = container(objects, 'geth', 'geth').args;
    expect(args[0]).toBe(facts.flag);
    expect(args.filter((a) => /^--(mainnet|hoodi|sepolia|holesky|goerli|testnet)$/.test(a))).toEqual([facts.flag]);
    const beacon = container(objects, 'geth', 'lighthouse');
    expect(beacon.args).toContain(`--network=${network}`);
    expect(beacon.args).toContain(`--checkpoint-sync-url=${facts.checkpoint}`);
  });

  it('uses only current flags: none that geth removed', () => {
    for (const network of Object.keys(NETWORKS) as (keyof typeof NETWORKS)[]) {
      const args: string[] = container(geth({ network }), 'geth', 'geth').args;
      for (const arg of args) {
        const flag = arg.split('=')[0]!;
        expect(GETH_REMOVED_FLAGS as readonly string[]).not.toContain(flag);
        expect(flag).toMatch(/^--[a-z][a-z.]*$/);
      }
      // A value after a boolean flag would be read as a sub-command.
      expect(args).not.toContain('true');
    }
  });

  it('serves JSON-RPC with safe namespaces, vhosts for its Service and the Engine API on localhost', () => {
    const args: string[] = container(geth(), 'geth', 'geth').args;
    expect(args).toEqual(
      expect.arrayContaining([
        '--http',
        '--http.addr=0.0.0.0',
        '--http.port=8545',
        '--http.api=eth,net,web3',
        '--http.vhosts=localhost,geth,geth.chains,geth.chains.svc,geth.chains.svc.cluster.local,' +
          'geth-0.geth-headless,geth-0.geth-headless.chains,geth-0.geth-headless.chains.svc,geth-0.geth-headless.chains.svc.cluster.local',
        '--ws',
        '--ws.port=8546',
        '--authrpc.addr=127.0.0.1',
        '--authrpc.port=8551',
        '--authrpc.jwtsecret=/jwt/jwt.hex',
        '--syncmode=snap',
        '--datadir=/data',
        '--metrics',
        '--metrics.port=6060',
        '--port=30303',
      ]),
    );
    expect(args.some((a) => a.startsWith('--http.corsdomain'))).toBe(false);
  });

  it('accepts each replica\'s own headless name, and keeps the beacon API off the app-facing Service and its NetworkPolicy rule', () => {
    const objects = geth({ replicas: 3 });
    const vhosts = (container(objects, 'geth', 'geth').args as string[]).find((a) => a.startsWith('--http.vhosts='))!.split('=')[1]!.split(',');
    for (const i of [0, 1, 2]) expect(vhosts).toContain(`geth-${i}.geth-headless.chains.svc.cluster.local`);
    expect(vhosts).not.toContain('geth-3.geth-headless');
    const ports = (name: string) => (find(objects, 'Service', name).spec.ports as { name: string }[]).map((p) => p.name);
    expect(ports('geth')).toEqual(['http', 'ws']);
    expect(ports('geth-headless')).toContain('beacon-http');
    const rules = find(objects, 'NetworkPolicy', 'geth').spec.ingress as { from?: { podSelector?: { matchLabels: Record<string, string> } }[]; ports: { port: number }[] }[];
    const admitted = rules.flatMap((r) => r.ports.map((p) => p.port));
    expect(admitted).toContain(30303);
    // The beacon API only for the node's own fork check (fork-check.ts), never for the apps.
    const beacon = rules.filter((r) => r.ports.some((p) => p.port === 5052));
    expect(beacon.map((r) => r.from)).toEqual([[{ podSelector: { matchLabels: { 'nodegen.dev/fork-check': 'geth' } } }]]);
  });

  it('keeps the data directory on the persistent volume', () => {
    const objects = geth({ storage: { size: '500Gi', storageClass: 'fast' } });
    const mounts = container(objects, 'geth', 'geth').volumeMounts;
    expect(mounts).toContainEqual({ name: 'data', mountPath: '/data' });
    const claims = find(objects, 'StatefulSet', 'geth').spec.volumeClaimTemplates;
    expect(claims.map((c: any) => [c.metadata.name, c.spec.resources.requests.storage, c.spec.storageClassName])).toEqual([
      ['data', '500Gi', 'fast'],
      ['beacon-data', '150Gi', 'fast'],
    ]);
  });

  it('generates the JWT secret inside the pod, in memory, never in the objects', () => {
    const objects = geth();
    const pod = find(objects, 'StatefulSet', 'geth').spec.template.spec;
    expect(pod.initContainers[0].name).toBe('jwt-secret');
    expect(pod.initContainers[0].command.join(' ')).toContain('/dev/urandom');
    expect(pod.volumes).toContainEqual({ name: 'jwt', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    for (const file of Object.values(find(objects, 'ConfigMap', 'geth-config').data!)) expect(file).not.toMatch(/^(0x)?[0-9a-f]{64}$/m);
  });

  it('resets the P2P identity of each restored volume on its first start, with the pod\'s own name as marker', () => {
    const objects = geth({ replicas: 3, storage: { restoreFrom: 'geth-snap' }, consensus: { storage: { restoreFrom: 'beacon-snap' } } });
    const pod = find(objects, 'StatefulSet', 'geth').spec.template.spec;
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['jwt-secret', 'identity-data', 'identity-beacon-data']);
    const [, execution, beacon] = pod.initContainers;
    expect(execution.command).toEqual(['/nodegen/config/reset-identity.sh', '/data', 'geth/nodekey']);
    expect(beacon.command).toEqual(['/nodegen/config/reset-identity.sh', '/beacon', 'beacon/network/key', 'beacon/network/enr.dat']);
    // The geth container mounts the data volume at /data and Lighthouse the beacon volume at /beacon.
    expect(container(objects, 'geth', 'geth').volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(container(objects, 'geth', 'lighthouse').volumeMounts).toContainEqual({ name: 'beacon-data', mountPath: '/beacon' });
    expect(execution.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(beacon.volumeMounts).toContainEqual({ name: 'beacon-data', mountPath: '/beacon' });
    for (const c of [execution, beacon]) {
      expect(c.env).toEqual([
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ]);
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    }
    expect(find(objects, 'ConfigMap', 'geth-config').data!['reset-identity.sh']).toContain('.nodegen-identity');
  });

  it('resets only the restored volume, with the paired client\'s key file, and nothing without restoreFrom', () => {
    const names = (o: ReturnType<typeof geth>) => find(o, 'StatefulSet', 'geth').spec.template.spec.initContainers.map((c: any) => c.name);
    const prysm = geth({ consensus: { client: 'prysm', storage: { restoreFrom: 'beacon-snap' } } });
    expect(names(prysm)).toEqual(['jwt-secret', 'identity-beacon-data']);
    expect(find(prysm, 'StatefulSet', 'geth').spec.template.spec.initContainers[1].command).toEqual(['/nodegen/config/reset-identity.sh', '/beacon', 'network-keys']);
    const plain = geth();
    expect(names(plain)).toEqual(['jwt-secret']);
    expect(find(plain, 'ConfigMap', 'geth-config').data!['reset-identity.sh']).toBeUndefined();
  });

  it('pairs Prysm instead of Lighthouse when asked', () => {
    const objects = geth({ network: 'mainnet', consensus: { client: 'prysm' } });
    const prysm = container(objects, 'geth', 'prysm');
    expect(prysm.image).toMatch(/^gcr\.io\/offchainlabs\/prysm\/beacon-chain:v\d+\.\d+\.\d+$/);
    expect(prysm.args).toEqual(
      expect.arrayContaining(['--accept-terms-of-use', '--mainnet', '--execution-endpoint=http://127.0.0.1:8551', '--jwt-secret=/jwt/jwt.hex']),
    );
    expect(prysm.readinessProbe.httpGet.path).toBe('/eth/v1/node/health?syncing_status=503');
  });

  it('overrides field by field', () => {
    const objects = geth({
      network: 'sepolia',
      replicas: 2,
      image: 'ethereum/client-go:v1.17.4',
      syncMode: 'full',
      gcMode: 'archive',
      storage: { size: '3Ti' },
      historyLogs: 1_000_000,
      historyChain: 'postmerge',
      httpApi: ['eth', 'net'],
      corsDomains: ['https://app.example.com'],
      maxPeers: 25,
      extraArgs: ['--cache=8192'],
      resources: { requests: { cpu: '3', memory: '10Gi' }, limits: { cpu: '6', memory: '20Gi' } },
      consensus: { checkpointSyncUrl: 'https://beacon.internal', image: 'sigp/lighthouse:v8.2.1' },
    });
    const set = find(objects, 'StatefulSet', 'geth');
    expect(set.spec.replicas).toBe(2);
    const c = container(objects, 'geth', 'geth');
    expect(c.image).toBe('ethereum/client-go:v1.17.4');
    expect(c.args).toEqual(
      expect.arrayContaining(['--syncmode=full', '--gcmode=archive', '--http.api=eth,net', '--http.corsdomain=https://app.example.com', '--maxpeers=25']),
    );
    expect(c.args).toEqual(expect.arrayContaining(['--history.chain=postmerge', '--history.transactions=0', '--history.logs=1000000']));
    expect(set.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('3Ti');
    expect(c.args[c.args.length - 1]).toBe('--cache=8192');
    expect(c.resources).toEqual({ requests: { cpu: '3', memory: '10Gi' }, limits: { cpu: '6', memory: '20Gi' } });
    const lh = container(objects, 'geth', 'lighthouse');
    expect(lh.image).toBe('sigp/lighthouse:v8.2.1');
    expect(lh.args).toContain('--checkpoint-sync-url=https://beacon.internal');
  });

  it('indexes every transaction and log and keeps all chain history by default, sized for it', () => {
    const node = (props: ConstructorParameters<typeof GethNode>[2]) => {
      let n: GethNode | undefined;
      render((chart) => (n = new GethNode(chart, 'geth', props)));
      return n!;
    };
    const mainnet = node({ network: 'mainnet' });
    // geth's own default would index only the last 2,350,000 blocks: nodegen always says what it wants.
    expect(mainnet.args).toEqual(expect.arrayContaining(['--history.chain=all', '--history.transactions=0', '--history.logs=0']));
    expect(mainnet.storageSize).toBe('2304Gi');
    // geth's default one-year indexes need less; dropping pre-merge history less again.
    expect(node({ network: 'mainnet', historyTransactions: 2_350_000, historyLogs: 2_350_000 }).storageSize).toBe('2112Gi');
    expect(node({ network: 'mainnet', historyChain: 'postmerge' }).storageSize).toBe('1954Gi');
    expect(node({ network: 'hoodi' }).storageSize).toBe('324Gi');
  });

  it('asks an archive node for its size, and refuses an index range that is not a block count', () => {
    const build = (props: ConstructorParameters<typeof GethNode>[2]) => () => geth(props);
    expect(build({ network: 'mainnet', gcMode: 'archive' })).toThrow(/geth: an archive node needs storage.size set explicitly \(at least 3072Gi/);
    expect(build({ historyLogs: -1 })).toThrow(/historyLogs must be a whole number of blocks/);
    expect(build({ historyTransactions: 1.5 })).toThrow(/historyTransactions must be a whole number of blocks/);
    // Written explicitly, geth keeps an archive node's transaction range as given (v1.17.10 cmd/utils/flags.go:1776-1786).
    expect(container(geth({ gcMode: 'archive', storage: { size: '1Ti' }, historyTransactions: 100 }), 'geth', 'geth').args).toContain('--history.transactions=100');
  });

  it('turns NAT traversal off unless it knows its external address (a pod has no UPnP gateway)', () => {
    const nat = (o: ReturnType<typeof geth>) => container(o, 'geth', 'geth').args.filter((a: string) => a.startsWith('--nat'));
    expect(nat(geth())).toEqual(['--nat=none']);
    expect(nat(geth({ expose: { p2p: 'loadBalancer' } }))).toEqual(['--nat=none']);
    expect(nat(geth({ expose: { p2p: 'loadBalancer', p2pAddress: '203.0.113.7' } }))).toEqual(['--nat=extip:203.0.113.7']);
  });

  it('warns about a network past its support window (Sepolia ends 2026-09-30), not about hoodi', () => {
    const warnings = (network: 'sepolia' | 'hoodi') => {
      let n: GethNode | undefined;
      render((chart) => (n = new GethNode(chart, 'geth', { network })));
      return n!.warnings;
    };
    expect(warnings('sepolia')).toEqual([expect.stringMatching(/^geth: sepolia.*2026-09-30/)]);
    expect(warnings('hoodi')).toEqual([]);
    // The window itself, at fixed dates.
    expect(gethNetworkSupportWarning('sepolia', new Date('2026-05-01T00:00:00Z'))).toBeUndefined();
    expect(gethNetworkSupportWarning('sepolia', new Date('2026-08-01T00:00:00Z'))).toMatch(/ends 2026-09-30 \(in 60 days\)/);
    expect(gethNetworkSupportWarning('sepolia', new Date('2026-10-01T00:00:00Z'))).toMatch(/past its support window \(ended 2026-09-30\)/);
    expect(gethNetworkSupportWarning('mainnet', new Date('2030-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('advertises its P2P address when exposed with a known address', () => {
    const objects = geth({ expose: { p2p: 'loadBalancer', p2pAddress: '203.0.113.7' } });
    expect(container(objects, 'geth', 'geth').args).toContain('--nat=extip:203.0.113.7');
    expect(container(objects, 'geth', 'lighthouse').args).toContain('--enr-address=203.0.113.7');
    const p2p = find(objects, 'Service', 'geth-p2p');
    expect(p2p.spec.type).toBe('LoadBalancer');
    expect(p2p.spec.loadBalancerIP).toBe('203.0.113.7');
    expect(p2p.spec.ports.map((p: any) => p.name)).toEqual(['p2p-tcp', 'p2p-udp', 'beacon-p2p', 'beacon-disc', 'beacon-quic']);
  });

  it('refuses public RPC without source ranges, naming the node and the fix', () => {
    expect(() => geth({ expose: { rpc: 'public' } })).toThrow(ConstructError);
    expect(() => geth({ expose: { rpc: 'public' } })).toThrow(/geth: public RPC needs source ranges; set publicEndpoints.sourceRanges/);
  });

  it('refuses a NodePort for ports outside the NodePort range', () => {
    expect(() => geth({ expose: { p2p: 'nodePort' } })).toThrow(/9000.*outside the NodePort range.*use expose.p2p: loadBalancer/);
  });

  it('refuses a name that cannot prefix object names', () => {
    expect(() => render((chart) => new GethNode(chart, 'Geth_1'))).toThrow(/node name "Geth_1" must be a DNS-1123 label/);
  });

  it('refuses a storage size that is not a quantity', () => {
    expect(() => geth({ storage: { size: '2TB' } })).toThrow(/geth: storage.size "2TB" is not a Kubernetes quantity/);
  });
});
