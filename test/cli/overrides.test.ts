import { describe, expect, it } from 'vitest';
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
});
