import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment, parseImageOverride, parseSetOverride } from '../../src/environment/load.js';
import { InputError, UsageError } from '../../src/errors.js';
import { synth } from '../../src/cli/commands/synth.js';
import { REPO, cli } from '../helpers/project.js';

describe('command-line overrides', () => {
  it('reads --set values as YAML', () => {
    expect(parseSetOverride('nodes.geth.replicas=3')).toMatchObject({ path: ['nodes', 'geth', 'replicas'], value: 3 });
    expect(parseSetOverride('nodes.geth.extraArgs=[--cache=1, --x]')).toMatchObject({ value: ['--cache=1', '--x'] });
    expect(parseSetOverride('nodes.geth.image=ethereum/client-go:v1.17.5')).toMatchObject({ value: 'ethereum/client-go:v1.17.5' });
    expect(parseSetOverride('nodes.bitcoind=null')).toMatchObject({ value: null });
  });

  it('refuses malformed --set and --image with a usage error', () => {
    expect(() => parseSetOverride('replicas')).toThrow(UsageError);
    expect(() => parseSetOverride('nodes..geth=1')).toThrow(UsageError);
    expect(() => parseImageOverride('geth')).toThrow(UsageError);
  });

  it('merges overrides after the files with the same rule', () => {
    const { spec, files } = loadEnvironment('qa', {
      root: REPO,
      overrides: [parseSetOverride('nodes.geth.resources.limits.memory=16Gi'), parseImageOverride('bitcoind=bitcoin/bitcoin:31.0'), parseSetOverride('nodes.monacoind=null')],
    });
    expect(spec.nodes['geth']!.resources).toEqual({ requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '4', memory: '16Gi' } });
    expect(spec.nodes['bitcoind']!.image).toBe('bitcoin/bitcoin:31.0');
    expect(spec.nodes['monacoind']).toBeUndefined();
    expect(files.slice(2)).toEqual(['--set nodes.geth.resources.limits.memory=16Gi', '--image bitcoind=bitcoin/bitcoin:31.0', '--set nodes.monacoind=null']);
  });

  it('validates overrides like files, naming the flag', () => {
    try {
      loadEnvironment('qa', { root: REPO, overrides: [parseSetOverride('nodes.geth.replicas=many'), parseImageOverride('gteh=x:1')] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).problems).toEqual([
        { file: '--image gteh=x:1', message: 'no node "gteh" in environment "qa"; did you mean "geth"? (nodes: geth, bitcoind, monacoind)' },
      ]);
    }
    expect(() => loadEnvironment('qa', { root: REPO, overrides: [parseSetOverride('nodes.geth.replicas=many')] })).toThrow(InputError);
  });

  it('prints what was overridden and stamps it in the output', async () => {
    const r = await cli(REPO, 'synth', '--env', 'qa', '--stdout', '--image', 'geth=ethereum/client-go:v1.17.6');
    expect(r.code).toBe(0);
    expect(r.err).toContain('override: --image geth=ethereum/client-go:v1.17.6');
    expect(r.out).toContain('image: ethereum/client-go:v1.17.6');
    const result = await synth({ root: REPO, env: 'qa', stdout: true, set: ['nodes.geth.replicas=2'] });
    expect(result.overrides).toEqual(['--set nodes.geth.replicas=2']);
  });

  it('refuses every override that could loosen policy, all at once, naming each flag, and leaves dist/ untouched', async () => {
    const loosening = [
      ['--set', 'publicEndpoints.allowed=true'],
      ['--set', 'publicEndpoints.sourceRanges=[0.0.0.0/0]'],
      ['--set', 'nodes.geth.expose.rpc=public'],
      ['--set', 'waivers=[{rule: policy/public-endpoint, reason: x}]'],
      ['--set', 'nodes.geth.extraArgs=[--http.api=eth,admin,debug]'],
      ['--set', 'nodes.bitcoind.extraArgs=[-rpcallowip=0.0.0.0/0]'],
      ['--set', 'clusterCidrs=[0.0.0.0/0]'],
      ['--set', 'namespace=chains-qa'],
      ['--set', 'tier=testnet'],
      ['--set', 'sandbox=true'],
      ['--set', 'rpcClients.namespaces=[default]'],
      ['--set', 'nodes.geth={client: geth}'],
      ['--set', 'nodes.geth.httpApi=[eth,admin]'],
      ['--set', 'nodes.geth.storage.size=1Ti'],
      ['--set', 'nodes.bitcoind.rpcUsers.wallet-api.methods=[getblock,stop]'],
      ['--set', `nodes.bitcoind.rpcUsers={ops: {rpcauth: "ops:${'0'.repeat(32)}$${'1'.repeat(64)}", methods: [stop]}}`],
      ['--set', `nodes.bitcoind.exporterRpcauth=wallet-api:${'0'.repeat(32)}$${'1'.repeat(64)}`],
      ['--set', 'nodes.bitcoind.zmq.namespaces=[default]'],
      ['--set', 'nodes.bitcoind.zmq={rawtx: true}'],
      ['--set', 'nodes.geth.consensus.blobs=supernode'],
    ];
    const r = await cli(REPO, 'synth', '--env', 'production', '--stdout', ...loosening.flat());
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^error: 20 overrides set what only the environment files may set; dist\/ was not changed/);
    for (const [, value] of loosening) expect(r.err).toContain(`--set ${value} ${value!.split('=')[0]}: ${value!.split('=')[0]} can be set only in the committed environment files`);
  });

  it('keeps what pipelines vary: images, replicas, resources (also the consensus client\'s), and leaving a node out', async () => {
    const r = await synth({
      root: REPO,
      env: 'qa',
      stdout: true,
      set: ['nodes.geth.replicas=2', 'nodes.geth.resources.limits.memory=16Gi', 'nodes.geth.consensus.image=sigp/lighthouse:v8.2.2', 'nodes.geth.consensus.resources.requests.cpu=1500m', 'nodes.monacoind=null'],
      image: ['bitcoind=bitcoin/bitcoin:30.2'],
    });
    expect(r.overrides).toHaveLength(6);
    expect(r.yaml).not.toContain('name: monacoind');
  });

  it('refuses an image override to a placeholder registry on the mainnet tier, and leaves dist/ untouched', async () => {
    const before = readFileSync(join(REPO, 'dist', 'production', '20-bitcoind.yaml'), 'utf8');
    const r = await cli(REPO, 'synth', '--env', 'production', '--check', '--image', 'bitcoind=registry.example.com/chains/bitcoind:30.2');
    expect(r.code).toBe(1);
    expect(r.err).toContain('policy/image-placeholder');
    expect(r.err).toContain('registry.example.com/chains/bitcoind:30.2');
    expect(readFileSync(join(REPO, 'dist', 'production', '20-bitcoind.yaml'), 'utf8')).toBe(before);
  });
});
