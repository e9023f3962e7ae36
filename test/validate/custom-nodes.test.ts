/**
 * A custom node passes the same validation gate as a built-in one: each fixture that breaks a rule
 * with a custom node is refused by the same rule, with the same id, as its built-in twin; the
 * custom-readiness warning appears outside a sandbox and not inside; the shipped example is current.
 */
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/cli/commands/validate.js';
import { synth } from '../../src/cli/commands/synth.js';
import { list } from '../../src/cli/commands/list.js';
import { isBlocking } from '../../src/validate/finding.js';
import { REPO } from '../helpers/project.js';
import { PROJECT } from './helpers.js';

const blockingRules = async (env: string) => [...new Set((await validate({ root: PROJECT, env })).findings.filter(isBlocking).map((f) => f.rule))].sort();
const findings = async (root: string, env: string, rule: string) => (await validate({ root, env })).findings.filter((f) => f.rule === rule);

describe('a custom node passes the same validation gate as a built-in one', () => {
  it.each([
    ['custom-public-endpoint', 'public-endpoint'],
    ['custom-network-tier', 'network-tier'],
    ['custom-storage-ephemeral', 'storage-ephemeral'],
    ['custom-no-secrets', 'no-secrets-hex'],
  ])('%s is refused by the rule that refuses %s', async (custom, builtIn) => {
    const rules = await blockingRules(custom);
    expect(rules.length).toBe(1);
    expect(rules).toEqual(await blockingRules(builtIn));
  });

  it('refuses public RPC outside the sandbox on the custom node\'s own Service, naming its key', async () => {
    const [f, ...more] = await findings(PROJECT, 'custom-public-endpoint', 'policy/public-endpoint');
    expect(more).toEqual([]);
    expect(f).toMatchObject({ severity: 'error', node: 'zebra', object: 'Service/zebra', file: 'dist/custom-public-endpoint/35-custom.yaml', path: 'spec.type' });
    expect(f!.fix).toContain('nodes.zebra.expose.rpc in environments/custom-public-endpoint.yaml');
  });

  it('judges the tier by the network the node declares', async () => {
    const [f] = await findings(PROJECT, 'custom-network-tier', 'policy/network-tier');
    expect(f!.message).toBe('custom node zebra runs zcash Mainnet, declared mainnet (mainnet: true), in environment "custom-network-tier", whose tier is testnet');
  });

  it('passes every rule, warnings included, with a readiness probe that means synced', async () => {
    const r = await validate({ root: PROJECT, env: 'custom' });
    expect(r.findings).toEqual([]);
  });
});

describe('policy/custom-readiness', () => {
  it.each([
    ['custom-readiness', 'nodes.zebra.readiness.meansSynced', 19, /not declared to mean synced/],
    ['custom-readiness-none', 'nodes.zebra', 3, /has no readiness probe/],
  ])('warns in %s, outside a sandbox, at the line of the node', async (env, path, line, message) => {
    const r = await validate({ root: PROJECT, env });
    expect(r.ok).toBe(true);
    const found = r.findings.filter((f) => f.rule === 'policy/custom-readiness');
    expect(found).toEqual([expect.objectContaining({ severity: 'warning', node: 'zebra', path, line, file: `environments/${env}.yaml`, message: expect.stringMatching(message) })]);
  });

  it('is silent in a sandbox, where a custom node may go without a probe', async () => {
    expect(await findings(PROJECT, 'custom-sandbox', 'policy/custom-readiness')).toEqual([]);
  });

  it('is silent for the shipped example, whose readiness means synced', async () => {
    expect(await findings(REPO, 'nodetest', 'policy/custom-readiness')).toEqual([]);
  });
});

describe('the shipped custom node', () => {
  it('is current in the committed dist/ (synth --check passes)', async () => {
    const r = await synth({ root: REPO, env: 'nodetest', check: true });
    expect(r.outOfDate).toEqual([]);
  });

  it('is listed like the built-in nodes, with its chain and declared network', async () => {
    const nodetest = (await list({ root: REPO })).find((e) => e.env === 'nodetest')!;
    expect(nodetest.nodes.find((n) => n.name === 'zebra')).toEqual({ name: 'zebra', client: 'custom:zcash', network: 'Testnet', replicas: 1, storage: '30Gi', rpc: 'private', p2p: 'none' });
  });
});
