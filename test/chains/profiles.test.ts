/**
 * Chain profiles: a Bitcoin-family chain added by configuration. The profile file is validated
 * with file:line problems; bitcoind and monacoind are profiles of the same format; the shipped
 * Litecoin profile writes a conf litecoind 0.21.5.5 accepts; a profile's node gets what a
 * bitcoind node gets, policy included.
 */
import { readFileSync, writeFileSync, mkdirSync, cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Chart, Testing } from 'cdk8s';
import { InputError, type Problem } from '../../src/errors.js';
import { BUILT_IN_PROFILES_DIR, builtInProfile, builtInProfiles, formatBuiltInProfilesModule, loadChainProfiles, readProfileFiles } from '../../src/chains/profiles.js';
import { UtxoNode } from '../../src/constructs/utxo-node.js';
import { EXPORTER_METHODS } from '../../src/chains/utxo-exporter.js';
import { IN_POD_METHODS } from '../../src/chains/rpc-methods.js';
import { validate } from '../../src/cli/commands/validate.js';
import { loadEnvironment } from '../../src/environment/load.js';
import { REPO, copyProject, developProblems, writeDevelop } from '../helpers/project.js';

const LITECOIN = readFileSync(join(REPO, 'chains', 'litecoind.yaml'), 'utf8');
const EXPORTER = `exporter:${'c'.repeat(32)}$${'d'.repeat(64)}`;

/** Names in a fixture list read from the client's source (comments start with "#"). */
function names(file: string): Set<string> {
  return new Set(readFileSync(join(__dirname, '..', 'fixtures', 'chains', file), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));
}

/** The problems of a project's profile files, or [] when they load. */
function profileProblems(root: string, files: Record<string, string>): Problem[] {
  mkdirSync(join(root, 'chains'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'chains', name), text);
  try {
    loadChainProfiles(root);
  } catch (e) {
    if (e instanceof InputError) return [...e.problems];
    throw e;
  }
  return [];
}

/** The line (1-based) of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string, after = 0): number {
  const lines = text.split('\n');
  for (let i = after; i < lines.length; i++) if (lines[i]!.includes(needle)) return i + 1;
  throw new Error(`"${needle}" not in text`);
}

/** A conf file's lines: global ones, and each section's. */
function confSections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>([['', []]]);
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^\[(.+)\]$/.exec(line);
    if (m) out.set((section = m[1]!), []);
    else out.get(section)!.push(line);
  }
  return out;
}

describe('a chain profile file', () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => ({ root, cleanup } = copyProject()));
  afterAll(() => cleanup());

  it('loads: the shipped Litecoin profile', () => {
    const p = loadChainProfiles(root).get('litecoind')!;
    expect(p.file).toBe(join('chains', 'litecoind.yaml'));
    expect(Object.keys(p.networks)).toEqual(['main', 'test', 'regtest']);
    expect(p.networks['test']).toMatchObject({ select: 'chain=test', section: 'test', subdir: 'testnet4', p2pPort: 19335, rpcPort: 19332, mainnet: false });
  });

  it('refuses a port reused within a network, at the line of the second use', () => {
    const text = LITECOIN.replace('ports: { p2p: 19335, rpc: 19332 }', 'ports: { p2p: 19335, rpc: 19335 }');
    const problems = profileProblems(root, { 'litecoind.yaml': text });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: join('chains', 'litecoind.yaml'), path: 'networks.test.ports.rpc', line: lineOf(text, 'rpc: 19335') });
    expect(problems[0]!.message).toContain("port 19335 is already p2p's on test");
  });

  it("refuses the metrics exporter's port on a daemon port (Litecoin's mainnet RPC is the exporter's default 9332)", () => {
    const text = LITECOIN.replace('metricsPort: 9330', 'metricsPort: 9332');
    const problems = profileProblems(root, { 'litecoind.yaml': text });
    expect(problems.map((p) => p.path)).toEqual(['metricsPort']);
    expect(problems[0]!.line).toBe(lineOf(text, 'metricsPort: 9332'));
    expect(problems[0]!.message).toContain("port 9332 is already rpc's on main");
  });

  it('refuses an unknown network: in networks, and named by a tier', () => {
    const text = LITECOIN.replace('  regtest:\n    section: regtest', '  testnet:\n    section: regtest').replace('testnet: test\n', 'testnet: testnett\n');
    const problems = profileProblems(root, { 'litecoind.yaml': text });
    const byPath = new Map(problems.map((p) => [p.path, p]));
    expect(byPath.get('networks.testnet')?.line).toBe(lineOf(text, '  testnet:', lineOf(text, 'networks:')));
    expect(byPath.get('networks.testnet')?.message).toMatch(/unknown key "testnet"; did you mean "testnet4"\?/);
    expect(byPath.get('tiers.testnet')).toMatchObject({ line: lineOf(text, 'testnet: testnett') });
    expect(byPath.get('tiers.testnet')?.message).toContain('unknown network "testnett"');
  });

  it('refuses a network-only key outside its section, and a key nodegen writes itself', () => {
    const text = LITECOIN.replace('order: 25\n', 'order: 25\nconf:\n  addnode: seed.example.org\n  rpcwhitelistdefault: 0\n  mempoolexpiry: 72\n');
    const problems = profileProblems(root, { 'litecoind.yaml': text });
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['conf.addnode', lineOf(text, 'addnode: seed')],
      ['conf.rpcwhitelistdefault', lineOf(text, 'rpcwhitelistdefault: 0')],
    ]);
    expect(problems[0]!.message).toContain('"addnode" is network-only');
    expect(problems[1]!.message).toContain('written by nodegen');
    // In a network's section the same key is fine, and written there.
    const inSection = LITECOIN.replace('    datadir: testnet4\n', '    datadir: testnet4\n    conf:\n      addnode: seed.example.org\n');
    expect(profileProblems(root, { 'litecoind.yaml': inSection })).toEqual([]);
    const node = new UtxoNode(new Chart(Testing.app(), 'c'), 'ltc', loadChainProfiles(root).get('litecoind')!, { image: 'registry.example/ltc:1' });
    expect(confSections(node.conf).get('test')).toContain('addnode=seed.example.org');
    expect(confSections(node.conf).get('')!.some((l) => l.startsWith('addnode'))).toBe(false);
    profileProblems(root, { 'litecoind.yaml': LITECOIN });
  });

  it('refuses a client that is not the file name, a built-in or reserved name, and a daemon another profile runs', () => {
    const problems = profileProblems(root, {
      'dogecoind.yaml': LITECOIN.replace('client: litecoind', 'client: dogecoin'),
      'geth.yaml': LITECOIN.replace('client: litecoind', 'client: geth').replace('daemon: litecoind', 'daemon: gethd'),
      'bitcoind.yaml': LITECOIN.replace('client: litecoind', 'client: bitcoind').replace('daemon: litecoind', 'daemon: bitcoind2'),
      'ltc2.yaml': LITECOIN.replace('client: litecoind', 'client: ltc2'),
    });
    const messages = problems.map((p) => `${p.file}:${p.line} ${p.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^chains\/bitcoind\.yaml:\d+ "bitcoind" is nodegen's own profile/),
      expect.stringMatching(/^chains\/dogecoind\.yaml:\d+ "dogecoin" must be the file's name, "dogecoind"/),
      expect.stringMatching(/^chains\/geth\.yaml:\d+ "geth" is one of nodegen's own node kinds/),
      expect.stringMatching(/^chains\/ltc2\.yaml:\d+ "litecoind" is already the daemon of profile "litecoind"/),
    ]);
    for (const f of ['dogecoind', 'geth', 'bitcoind', 'ltc2']) rmSync(join(root, 'chains', `${f}.yaml`));
  });

  it('reports every problem of every profile file at once', () => {
    const broken = 'client: x\nchain: X\n';
    const problems = profileProblems(root, { 'a.yaml': broken, 'b.yaml': broken });
    expect(new Set(problems.map((p) => p.file))).toEqual(new Set([join('chains', 'a.yaml'), join('chains', 'b.yaml')]));
    expect(problems.find((p) => p.path === 'chain')?.message).toContain('DNS-1123');
    expect(problems.filter((p) => p.file === join('chains', 'a.yaml') && /required/.test(p.message)).length).toBeGreaterThan(5);
    for (const f of ['a', 'b']) rmSync(join(root, 'chains', `${f}.yaml`));
  });
});

describe('bitcoind and monacoind are profiles of the same format', () => {
  it('what runs is src/chains/profiles/*.yaml as the profile schema validates it (regenerate: UPDATE_BUILT_IN_PROFILES=1 npx vitest run test/chains/profiles.test.ts)', () => {
    const files = readProfileFiles(REPO, BUILT_IN_PROFILES_DIR, new Map());
    expect(files.map((f) => f.file)).toEqual([join(BUILT_IN_PROFILES_DIR, 'bitcoind.yaml'), join(BUILT_IN_PROFILES_DIR, 'monacoind.yaml')]);
    const text = formatBuiltInProfilesModule(files);
    const path = join(REPO, BUILT_IN_PROFILES_DIR, 'built-in.ts');
    if (process.env['UPDATE_BUILT_IN_PROFILES']) writeFileSync(path, text);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });


  let root: string;
  let cleanup: () => void;
  beforeAll(() => ({ root, cleanup } = copyProject()));
  afterAll(() => cleanup());

  it('loads from a project exactly as nodegen loads its own (renamed, since a project cannot replace them)', () => {
    for (const client of ['bitcoind', 'monacoind'] as const) {
      const own = builtInProfile(client);
      const text = readFileSync(join(REPO, 'src', 'chains', 'profiles', `${client}.yaml`), 'utf8')
        .replace(`client: ${client}`, `client: my${client}`).replace(`daemon: ${client}`, `daemon: my${client}`);
      writeFileSync(join(root, 'chains', `my${client}.yaml`), text);
      const copy = loadChainProfiles(root).get(`my${client}`)!;
      expect({ ...copy, client, daemon: client, file: own.file, builtIn: true }).toEqual(own);
    }
  });

  it('every node kind a project may name: geth and each profile', () => {
    expect([...builtInProfiles().keys()]).toEqual(['bitcoind', 'monacoind']);
    const problems = developProblems(root, 'nodes:\n  dogecoin:\n    client: dogecoind\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/^unknown client "dogecoind" \(did you mean "mymonacoind"\?|^unknown client "dogecoind"/);
    expect(problems[0]!.message).toContain('"client: geth", "client: bitcoind", "client: monacoind", "client: litecoind"');
  });
});

describe('the Litecoin profile against Litecoin Core 0.21.5.5 (test/fixtures/chains, read from its source)', () => {
  const options = names('litecoind-0.21.5.5-options.txt');
  const methods = names('litecoind-0.21.5.5-rpc-methods.txt');
  const profile = loadChainProfiles(REPO).get('litecoind')!;

  /** Every key of a conf litecoind would read; `no<name>` is the negation of a known boolean option (InterpretOption). */
  function unknownKeys(conf: string): string[] {
    const keys = [...confSections(conf).values()].flat().map((l) => l.slice(0, l.indexOf('=')));
    return keys.filter((k) => !options.has(k) && !(k.startsWith('no') && options.has(k.slice(2))));
  }

  it.each(Object.keys(profile.networks))('writes only options litecoind knows, network-only ones in [%s] (its chain name)', (network) => {
    const node = new UtxoNode(new Chart(Testing.app(), 'c'), 'ltc', profile, {
      image: 'registry.example/ltc:1', network, rpcAllowIps: ['10.0.0.0/8'], zmq: { rawblock: true, rawtx: true, hashblock: true, hashtx: true, sequence: true },
      metricsExporter: true, exporterRpcauth: `exporter:${'a'.repeat(32)}$${'b'.repeat(64)}`, txindex: true, expose: { p2pAddress: '203.0.113.7' },
    });
    expect(unknownKeys(node.conf)).toEqual([]);
    const sections = confSections(node.conf);
    expect([...sections.keys()]).toEqual(['', network]);
    expect(sections.get('')).toContain(`chain=${network}`);
    for (const line of sections.get('')!) expect(profile.networkOnlyKeys).not.toContain(line.split('=')[0]);
    expect(sections.get(network)).toEqual(expect.arrayContaining([`port=${profile.networks[network]!.p2pPort}`, `rpcport=${profile.networks[network]!.rpcPort}`]));
  });

  it("ports, data folders and sections are the source's (src/chainparamsbase.cpp:47-53, src/chainparams.cpp:121/235/332)", () => {
    const facts = Object.fromEntries(Object.entries(profile.networks).map(([n, p]) => [n, [p.p2pPort, p.rpcPort, p.subdir, p.section]]));
    expect(facts).toEqual({ main: [9333, 9332, '', 'main'], test: [19335, 19332, 'testnet4', 'test'], regtest: [19444, 19443, 'regtest', 'regtest'] });
    // Signet has the testnet's parameters at this tag (src/chainparams.cpp:450-451): not offered.
    expect(profile.networks['signet']).toBeUndefined();
  });

  it('the committed nodetest conf is that conf, and every method it whitelists exists in litecoind', () => {
    const docs = parseAllDocuments(readFileSync(join(REPO, 'dist', 'nodetest', '25-litecoind.yaml'), 'utf8')).map((d) => d.toJS());
    const conf = docs.find((d) => d.kind === 'ConfigMap').data['litecoin.conf'] as string;
    expect(unknownKeys(conf)).toEqual([]);
    const whitelisted = confSections(conf).get('')!.filter((l) => l.startsWith('rpcwhitelist=')).flatMap((l) => l.split(':')[1]!.split(','));
    expect(whitelisted.length).toBeGreaterThan(20);
    expect([...IN_POD_METHODS, ...EXPORTER_METHODS, ...whitelisted].filter((m) => !methods.has(m))).toEqual([]);
  });
});

describe("a profile's node gets what a bitcoind node gets", () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => ({ root, cleanup } = copyProject()));
  afterAll(() => cleanup());

  it('in nodetest: unprivileged StatefulSet with its volume, probes that mean synced, NetworkPolicy, metrics and alerts', () => {
    const docs = parseAllDocuments(readFileSync(join(REPO, 'dist', 'nodetest', '25-litecoind.yaml'), 'utf8')).map((d) => d.toJS());
    const sts = docs.find((d) => d.kind === 'StatefulSet');
    const spec = sts.spec.template.spec;
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    const daemon = spec.containers.find((c: { name: string }) => c.name === 'litecoind');
    expect(daemon.command).toEqual(['litecoind']);
    expect(daemon.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(daemon.readinessProbe.exec.command).toEqual(['/nodegen/config/ready.sh']);
    expect(daemon.env).toEqual(expect.arrayContaining([{ name: 'CLI', value: 'litecoin-cli' }, { name: 'MAX_TIP_AGE_SECONDS', value: '10800' }]));
    expect(daemon.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([19332, 19335]);
    expect(spec.containers.find((c: { name: string }) => c.name === 'exporter').ports[0].containerPort).toBe(9330);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('30Gi');
    expect(docs.map((d) => d.kind)).toEqual(expect.arrayContaining(['NetworkPolicy', 'ServiceMonitor']));
    const alerts = readFileSync(join(REPO, 'dist', 'nodetest', '40-monitoring.yaml'), 'utf8');
    expect(alerts).toContain('chain: litecoin');
    expect(alerts).toContain("litecoind's block height has not moved for 6h");
  });

  it('policy judges it like bitcoind: the mainnet tier refuses its testnet, and storage below its minimum', async () => {
    writeFileSync(join(root, 'environments', 'staging.yaml'), `${readFileSync(join(root, 'environments', 'staging.yaml'), 'utf8')}  litecoind:\n    client: litecoind\n    network: test\n    image: registry.example.org/ltc:0.21.5.5\n    exporterRpcauth: "${EXPORTER}"\n  ltc-main:\n    client: litecoind\n    image: registry.example.org/ltc:0.21.5.5\n    storage: { size: 100Gi }\n    exporterRpcauth: "${EXPORTER}"\n`);
    const r = await validate({ root, env: 'staging' });
    const findings = r.findings.filter((f) => f.node === 'litecoind' || f.node === 'ltc-main');
    expect(findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.node}`).sort()).toEqual(expect.arrayContaining([
      'policy/network-tier litecoind', 'policy/storage ltc-main',
    ]));
    expect(findings.find((f) => f.rule === 'policy/storage')!.message).toContain('litecoind on main gets 100Gi, below the realistic minimum of 250Gi');
  });

  it('a daemon without rpcwhitelist (supports.rpcwhitelist: false): no whitelist lines, and policy/rpc-methods says every login may call every method', async () => {
    writeFileSync(join(root, 'chains', 'litecoind.yaml'), LITECOIN.replace('  rpcwhitelist: true', '  rpcwhitelist: false'));
    writeDevelop(root, '');
    const loaded = loadEnvironment('nodetest', { root });
    expect(loaded.chains.get('litecoind')!.supports.rpcwhitelist).toBe(false);
    const r = await validate({ root, env: 'nodetest' });
    const f = r.findings.find((x) => x.rule === 'policy/rpc-methods' && x.node === 'litecoind');
    expect(f?.severity).toBe('error');
    expect(f?.message).toContain('sets no rpcwhitelist: every login without a whitelist may call every method, stop included');
    expect(f?.fix).toContain('has no rpcwhitelist');
    writeFileSync(join(root, 'chains', 'litecoind.yaml'), LITECOIN);
  });

  it('a daemon without rpcauth: a login would need a password in dist/, so rpcUsers is refused at its line', () => {
    writeFileSync(join(root, 'chains', 'litecoind.yaml'), LITECOIN.replace('  rpcauth: true', '  rpcauth: false'));
    const problems = developProblems(root, `nodes:\n  ltc:\n    client: litecoind\n    image: registry.example.org/ltc:1\n    rpcUsers:\n      app:\n        rpcauth: "app:${'a'.repeat(32)}$${'b'.repeat(64)}"\n        methods: [getblockcount]\n`);
    expect(problems.map((p) => [p.path, p.file])).toEqual([['nodes.ltc.rpcUsers', 'environments/develop.yaml']]);
    expect(problems[0]!.message).toContain('has no rpcauth');
    writeFileSync(join(root, 'chains', 'litecoind.yaml'), LITECOIN);
  });

  it('a profile with an unsupported ZeroMQ topic refuses it at the node, with the reason the profile gives', () => {
    cpSync(join(REPO, 'chains', 'litecoind.yaml'), join(root, 'chains', 'litecoind.yaml'));
    const problems = developProblems(root, 'nodes:\n  monacoind:\n    zmq: { sequence: true }\n');
    expect(problems.map((p) => p.path)).toEqual(['nodes.monacoind.zmq.sequence']);
    expect(problems[0]!.message).toContain('Monacoin 0.20 has no "sequence" topic');
  });
});
