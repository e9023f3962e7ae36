import { describe, expect, it } from 'vitest';
import { BitcoindNode } from '../../src/constructs/bitcoind-node.js';
import { MonaNode } from '../../src/constructs/mona-node.js';
import { builtInProfile } from '../../src/chains/profiles.js';
import { DEFAULT_NETWORK_ONLY_KEYS as NETWORK_ONLY_KEYS } from '../../src/chains/profile.js';

const BITCOIN_NETWORKS = builtInProfile('bitcoind').networks;
const MONACOIN_NETWORKS = builtInProfile('monacoind').networks;
import { rpcauth } from '../../src/cli/commands/rpcauth.js';
import { container, find, render } from './synth-helper.js';

/** chain-facts.md, Bitcoin Core table. */
const BITCOIN = {
  main: { chain: 'main', p2p: 8333, rpc: 8332, subdir: '', section: 'main' },
  test: { chain: 'test', p2p: 18333, rpc: 18332, subdir: 'testnet3', section: 'test' },
  testnet4: { chain: 'testnet4', p2p: 48333, rpc: 48332, subdir: 'testnet4', section: 'testnet4' },
  signet: { chain: 'signet', p2p: 38333, rpc: 38332, subdir: 'signet', section: 'signet' },
  regtest: { chain: 'regtest', p2p: 18444, rpc: 18443, subdir: 'regtest', section: 'regtest' },
} as const;

/** chain-facts.md, Monacoin table: its own ports (mainnet RPC = P2P+1, testnet RPC = P2P-1). */
const MONACOIN = {
  main: { select: undefined, p2p: 9401, rpc: 9402, subdir: '', section: 'main' },
  test: { select: 'testnet=1', p2p: 19403, rpc: 19402, subdir: 'testnet4', section: 'test' },
  regtest: { select: 'regtest=1', p2p: 20444, rpc: 19443, subdir: 'regtest', section: 'regtest' },
} as const;

const MONA_IMAGE = 'registry.example.com/monacoind:0.20.4';

/** Splits a conf file into global lines and the lines of each [section]. */
function sections(conf: string): Record<string, string[]> {
  const out: Record<string, string[]> = { '': [] };
  let current = '';
  for (const line of conf.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^\[(.+)\]$/.exec(line);
    if (m) out[(current = m[1]!)] = [];
    else out[current]!.push(line);
  }
  return out;
}

function ports(objects: ReturnType<typeof render>, set: string, name: string) {
  return Object.fromEntries(container(objects, set, name).ports.map((p: any) => [p.name, p.containerPort]));
}

describe('BitcoindNode', () => {
  it('renders its defaults (snapshot)', () => {
    expect(render((c) => new BitcoindNode(c, 'bitcoind', { namespace: 'chains' }))).toMatchSnapshot();
  });

  it.each(Object.entries(BITCOIN))('on %s uses the network\'s ports, chain and conf section', (network, f) => {
    const objects = render((c) => new BitcoindNode(c, 'btc', { network: network as keyof typeof BITCOIN, rpcAllowIps: ['10.0.0.0/8'] }));
    const conf = find(objects, 'ConfigMap', 'btc-config').data!['bitcoin.conf']!;
    const s = sections(conf);
    expect(Object.keys(s)).toEqual(['', f.section]);
    expect(s['']).toContain(`chain=${f.chain}`);
    expect(s[f.section]).toEqual([`port=${f.p2p}`, `rpcport=${f.rpc}`, 'rpcbind=0.0.0.0']);
    // Network-only keys never appear outside the section (the daemon refuses to start).
    for (const line of s['']!) expect(NETWORK_ONLY_KEYS as readonly string[]).not.toContain(line.split('=')[0]);
    // Every line is key=value: a bare token stops the daemon.
    for (const line of [...s['']!, ...s[f.section]!]) expect(line).toMatch(/^[a-z]+=.+$/);
    expect(ports(objects, 'btc', 'bitcoind')).toEqual({ rpc: f.rpc, p2p: f.p2p });
    expect(BITCOIN_NETWORKS[network as keyof typeof BITCOIN].subdir).toBe(f.subdir);
    const svc = find(objects, 'Service', 'btc');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([{ name: 'rpc', port: f.rpc, targetPort: 'rpc', protocol: 'TCP' }]);
  });

  it('allows RPC from loopback and the cluster ranges only, each consumer with its own hash and methods, no password', () => {
    const auth = rpcauth({ user: 'wallet', password: 'hunter2-but-longer', salt: '0123456789abcdef0123456789abcdef' });
    const objects = render((c) => new BitcoindNode(c, 'btc', {
      rpcAllowIps: ['10.0.0.0/8', '172.16.0.0/12'],
      rpcUsers: { wallet: { rpcauth: auth.rpcauth, methods: ['getblock', 'sendrawtransaction', 'getblock'] } },
    }));
    const conf = find(objects, 'ConfigMap', 'btc-config').data!['bitcoin.conf']!;
    expect(conf.split('\n').filter((l) => l.startsWith('rpcallowip='))).toEqual(['rpcallowip=127.0.0.1', 'rpcallowip=10.0.0.0/8', 'rpcallowip=172.16.0.0/12']);
    expect(conf).toContain(`rpcauth=${auth.rpcauth}\n`);
    // Sorted, deduplicated; logins without a list can call nothing.
    expect(conf).toContain('rpcwhitelistdefault=1\n');
    expect(conf).toContain('rpcwhitelist=wallet:getblock,sendrawtransaction\n');
    expect(conf).toMatch(/^rpcwhitelist=__cookie__:.*getblockchaininfo/m);
    expect(JSON.stringify(objects)).not.toContain('hunter2-but-longer');
    expect(conf).not.toMatch(/rpcpassword|rpcuser/);
  });

  it('runs the daemon itself, non-root, with the conf from the ConfigMap and data on the volume', () => {
    const objects = render((c) => new BitcoindNode(c, 'btc'));
    const c = container(objects, 'btc', 'bitcoind');
    expect(c.command).toEqual(['bitcoind']);
    expect(c.args).toEqual(['-conf=/nodegen/config/bitcoin.conf', '-datadir=/data']);
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    const pod = find(objects, 'StatefulSet', 'btc').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 101, fsGroup: 101, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(300);
  });

  it('probes readiness through initialblockdownload with the in-pod cli and cookie auth', () => {
    const objects = render((c) => new BitcoindNode(c, 'btc', { network: 'main' }));
    const c = container(objects, 'btc', 'bitcoind');
    expect(c.readinessProbe.exec.command).toEqual(['/nodegen/config/ready.sh']);
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'CLI', value: 'bitcoin-cli' }, { name: 'CONF', value: '/nodegen/config/bitcoin.conf' }]));
    const script = find(objects, 'ConfigMap', 'btc-config').data!['ready.sh']!;
    expect(script).toContain('getblockchaininfo');
    expect(script).toContain('"initialblockdownload":false');
    // A week of initial block download fits in the startup budget.
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(7 * 24 * 3600);
  });

  it.each([
    ['main', '7200', '1'],
    ['testnet4', '10800', '1'],
    ['signet', '7200', '1'],
    ['test', '10800', '1'],
    ['regtest', '0', '0'],
  ] as const)('on %s readiness also checks header lag, a tip younger than %s s and %s peer(s)', (network, age, peers) => {
    const c = container(render((ch) => new BitcoindNode(ch, 'btc', { network })), 'btc', 'bitcoind');
    expect(c.env).toEqual(
      expect.arrayContaining([
        { name: 'MAX_HEADER_LAG', value: '2' },
        { name: 'MAX_TIP_AGE_SECONDS', value: age },
        { name: 'MIN_PEERS', value: peers },
      ]),
    );
    // The startup probe runs the same script: a node only becomes ready once all of it holds.
    expect(c.startupProbe.exec.command).toEqual(c.readinessProbe.exec.command);
  });

  it('logs to the console only: printtoconsole with the negated debuglogfile, never a file named "0"', () => {
    for (const objects of [render((c) => new BitcoindNode(c, 'btc', { network: 'main' })), render((c) => new MonaNode(c, 'btc', { image: MONA_IMAGE }))]) {
      const conf = Object.entries(find(objects, 'ConfigMap', 'btc-config').data!).find(([k]) => k.endsWith('.conf'))![1];
      const global = sections(conf)['']!;
      expect(global).toEqual(expect.arrayContaining(['printtoconsole=1', 'nodebuglogfile=1']));
      expect(global.filter((l) => l.startsWith('debuglogfile'))).toEqual([]);
    }
  });

  it('rolls the pods when the conf changes', () => {
    const checksum = (dbcache: number) =>
      find(render((c) => new BitcoindNode(c, 'btc', { dbcache })), 'StatefulSet', 'btc').spec.template.metadata.annotations['nodegen.dev/config-checksum'];
    expect(checksum(450)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(450)).toBe(checksum(450));
    expect(checksum(450)).not.toBe(checksum(2048));
  });

  it('warns that testnet3 is deprecated', () => {
    let node: BitcoindNode | undefined;
    render((c) => (node = new BitcoindNode(c, 'btc', { network: 'test' })));
    expect(node!.warnings).toEqual([expect.stringContaining('testnet3 ("test") is deprecated')]);
  });

  it('writes externalip in the network section when the P2P address is known', () => {
    const objects = render((c) => new BitcoindNode(c, 'btc', { network: 'main', expose: { p2p: 'loadBalancer', p2pAddress: '198.51.100.4' } }));
    const s = sections(find(objects, 'ConfigMap', 'btc-config').data!['bitcoin.conf']!);
    expect(s['main']).toContain('externalip=198.51.100.4');
    expect(find(objects, 'Service', 'btc-p2p').spec.ports).toEqual([{ name: 'p2p', port: 8333, targetPort: 'p2p', protocol: 'TCP' }]);
  });

  it('refuses bad props, naming the node and the fix', () => {
    const build = (props: ConstructorParameters<typeof BitcoindNode>[2]) => () => render((c) => new BitcoindNode(c, 'btc', props));
    expect(build({ prune: 100 })).toThrow(/btc: prune=100 is below the daemon's minimum of 550/);
    expect(build({ prune: 1000, txindex: true })).toThrow(/btc: txindex cannot be used with pruning/);
    const hash = `alice:${'0'.repeat(32)}$${'1'.repeat(64)}`;
    expect(build({ rpcUsers: { alice: { rpcauth: 'alice:password', methods: ['getblock'] } } })).toThrow(/btc: rpcUsers.alice.rpcauth must be "alice:<salt>\$<hmac>".*nodegen rpcauth alice/);
    expect(build({ rpcUsers: { bob: { rpcauth: hash, methods: ['getblock'] } } })).toThrow(/btc: rpcUsers.bob.rpcauth must be "bob:/);
    expect(build({ rpcUsers: { alice: { rpcauth: hash, methods: [] } } })).toThrow(/btc: rpcUsers.alice.methods is empty/);
    expect(build({ rpcUsers: { alice: { rpcauth: hash, methods: ['getblock,stop'] } } })).toThrow(/"getblock,stop" is not one method name/);
    expect(build({ rpcUsers: { __cookie__: { rpcauth: hash, methods: ['getblock'] } } })).toThrow(/"__cookie__" is the daemon's cookie login/);
    expect(build({ metricsExporter: true, exporterRpcauth: hash, rpcUsers: { alice: { rpcauth: hash, methods: ['getblock'] } } })).toThrow(/btc: the exporter's user "alice" is already a login/);
    expect(build({ extraArgs: ['-rpcthreads 4'] })).toThrow(/btc: extra argument "-rpcthreads 4" must be "-name" or "-name=value"/);
  });
});

describe('MonaNode', () => {
  it('renders its defaults (snapshot)', () => {
    expect(render((c) => new MonaNode(c, 'monacoind', { namespace: 'chains', image: MONA_IMAGE }))).toMatchSnapshot();
  });

  it.each(Object.entries(MONACOIN))('on %s uses Monacoin\'s own ports and the [%s] section', (network, f) => {
    const objects = render((c) => new MonaNode(c, 'mona', { image: MONA_IMAGE, network: network as keyof typeof MONACOIN }));
    const conf = find(objects, 'ConfigMap', 'mona-config').data!['monacoin.conf']!;
    const s = sections(conf);
    expect(Object.keys(s)).toEqual(['', f.section]);
    if (f.select) expect(s['']).toContain(f.select);
    expect(s['']!.some((l) => /^(testnet|regtest|chain)=/.test(l))).toBe(f.select !== undefined);
    expect(s[f.section]).toEqual([`port=${f.p2p}`, `rpcport=${f.rpc}`, 'rpcbind=0.0.0.0']);
    expect(ports(objects, 'mona', 'monacoind')).toEqual({ rpc: f.rpc, p2p: f.p2p });
    expect(MONACOIN_NETWORKS[network as keyof typeof MONACOIN].subdir).toBe(f.subdir);
    const c = container(objects, 'mona', 'monacoind');
    expect(c.command).toEqual(['monacoind']);
    expect(c.env).toContainEqual({ name: 'CLI', value: 'monacoin-cli' });
    // 90-second blocks: 30 min on mainnet; regtest mines on demand and has no peers.
    expect(c.env).toContainEqual({ name: 'MAX_TIP_AGE_SECONDS', value: { main: '1800', test: '7200', regtest: '0' }[network]! });
    expect(c.env).toContainEqual({ name: 'MIN_PEERS', value: network === 'regtest' ? '0' : '1' });
    expect(c.image).toBe(MONA_IMAGE);
  });

  it('never uses Bitcoin\'s ports', () => {
    const objects = render((c) => new MonaNode(c, 'mona', { image: MONA_IMAGE, network: 'main' }));
    const used = Object.values(ports(objects, 'mona', 'monacoind'));
    for (const p of [8332, 8333, 18332, 18333, 18443, 18444, 48332, 48333]) expect(used).not.toContain(p);
  });

  it('refuses to build without an image, saying how to get one', () => {
    expect(() => render((c) => new MonaNode(c, 'mona', {} as never))).toThrow(/mona: monacoind needs an image: build docker\/monacoind\/Dockerfile/);
  });
});
