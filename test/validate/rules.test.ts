/**
 * Every rule of the catalogue against a fixture that breaks it and one that passes it. Policy
 * rules use real environment files (test/fixtures/validate/project); API-server and schema rules,
 * whose mistakes an environment file cannot make, use manifests (test/fixtures/validate/manifests).
 */
import { describe, expect, it } from 'vitest';
import { RULES, UNUSED_WAIVER } from '../../src/validate/rules.js';
import { isBlocking, type Finding } from '../../src/validate/finding.js';
import { environmentFindings, inputError, manifestFindings, POLICY_BREAKS, PROJECT } from './helpers.js';
import { validate } from '../../src/cli/commands/validate.js';
import { minimumStorage } from '../../src/validate/policy-rules.js';
import { parseFlags } from '../../src/validate/clients.js';
import { builtInProfile } from '../../src/chains/profiles.js';

type Fixture = { readonly env: string } | { readonly manifest: string };

function manifests(rule: string): { pass: Fixture; fail: Fixture } {
  const dir = rule.replace('/', '-');
  return { pass: { manifest: `${dir}/pass.yaml` }, fail: { manifest: `${dir}/fail.yaml` } };
}

/** For each rule: a fixture that breaks it and one that does not. */
const CASES: Record<string, { readonly pass: Fixture; readonly fail: Fixture }> = {
  'k8s/schema': manifests('k8s/schema'),
  'k8s/unknown-field': manifests('k8s/unknown-field'),
  'k8s/unknown-kind': manifests('k8s/unknown-kind'),
  'k8s/object-name': manifests('k8s/object-name'),
  'k8s/labels': manifests('k8s/labels'),
  'k8s/container-name': manifests('k8s/container-name'),
  'k8s/port-name': manifests('k8s/port-name'),
  'k8s/named-port': manifests('k8s/named-port'),
  'k8s/duplicate-port': manifests('k8s/duplicate-port'),
  'k8s/port-number': manifests('k8s/port-number'),
  'k8s/quantity': manifests('k8s/quantity'),
  'k8s/requests-within-limits': manifests('k8s/requests-within-limits'),
  'k8s/selector-match': manifests('k8s/selector-match'),
  'k8s/service-name': manifests('k8s/service-name'),
  'k8s/volume-mount': manifests('k8s/volume-mount'),
  'k8s/reference': manifests('k8s/reference'),
  'k8s/service-spec': manifests('k8s/service-spec'),
  'k8s/duplicate-object': manifests('k8s/duplicate-object'),
  'policy/public-endpoint': { fail: { env: 'public-endpoint' }, pass: { env: 'sandbox' } },
  'policy/public-source-ranges': { fail: { env: 'public-source-ranges' }, pass: { env: 'sandbox' } },
  'policy/rpc-namespaces': { fail: { env: 'rpc-namespaces' }, pass: { env: 'rpc-namespaces-loopback' } },
  'policy/cors-vhosts': { fail: { env: 'cors-vhosts' }, pass: { env: 'sandbox' } },
  'policy/network-tier': { fail: { env: 'network-tier' }, pass: { env: 'mainnet' } },
  'policy/image-pinned': { fail: { env: 'image-pinned' }, pass: { env: 'image-pinned-digest' } },
  'policy/image-placeholder': { fail: { env: 'image-placeholder' }, pass: { env: 'mainnet' } },
  'policy/fork-readiness': { fail: { env: 'fork-readiness' }, pass: { env: 'mainnet' } },
  'policy/rpc-methods': { fail: { env: 'rpc-methods' }, pass: { env: 'no-secrets-rpcauth' } },
  'policy/resources': { fail: { env: 'resources' }, pass: { env: 'valid' } },
  'policy/storage': { fail: { env: 'storage' }, pass: { env: 'storage-at-minimum' } },
  'policy/custom-readiness': { fail: { env: 'custom-readiness' }, pass: { env: 'custom' } },
  'policy/no-secrets': { fail: { env: 'no-secrets' }, pass: { env: 'no-secrets-rpcauth' } },
  'policy/pod-security': manifests('policy/pod-security'),
  'policy/namespace': manifests('policy/namespace'),
  'policy/managed-flags': { fail: { env: 'managed-flags' }, pass: { env: 'rpc-namespaces-loopback' } },
  'policy/cluster-cidrs': { fail: { env: 'cluster-cidrs' }, pass: { env: 'cluster-cidrs-sandbox' } },
  'policy/unused-waiver': { fail: { env: 'unused-waiver' }, pass: { env: 'network-tier-waived' } },
  'policy/zmq-private': { fail: { manifest: 'policy-zmq-private/fail.yaml' }, pass: { env: 'sandbox' } },
};

async function findingsOf(f: Fixture): Promise<Finding[]> {
  return 'env' in f ? environmentFindings(f.env) : manifestFindings(f.manifest);
}

describe('the rule catalogue', () => {
  it('has a passing and a failing fixture for every rule', () => {
    const ids = [...RULES.map((r) => r.id), UNUSED_WAIVER.id];
    expect(Object.keys(CASES).sort()).toEqual([...ids].sort());
  });

  it('gives every rule a unique id, a title and an explanation', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^(k8s|policy)\/[a-z-]+$/);
      expect(r.title.length).toBeGreaterThan(10);
      expect(r.explain.length).toBeGreaterThan(40);
      if (r.id.startsWith('k8s/')) expect(r.waivable).toBe(false);
    }
  });
});

describe.each(Object.entries(CASES))('rule %s', (rule, { pass, fail }) => {
  it('finds the mistake in its failing fixture, with a message and a fix', async () => {
    const found = (await findingsOf(fail)).filter((f) => f.rule === rule);
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) {
      expect(f.message.length).toBeGreaterThan(10);
      expect(f.fix.length).toBeGreaterThan(10);
      expect(f.object).not.toBe('');
      expect(f.file).not.toBe('');
    }
  });

  it('finds nothing to block in its passing fixture', async () => {
    const found = (await findingsOf(pass)).filter((f) => f.rule === rule && isBlocking(f));
    expect(found).toEqual([]);
  });
});

describe('the passing environments of the fixture project', () => {
  it.each(['valid', 'custom', 'custom-sandbox', 'mainnet', 'sandbox', 'features', 'storage-at-minimum', 'rpc-namespaces-loopback', 'no-secrets-rpcauth', 'image-pinned-digest', 'public-source-ranges-waived', 'network-tier-waived'])(
    'environment %s has no error at all',
    async (env) => {
      const r = await validate({ root: PROJECT, env });
      expect(r.findings.filter(isBlocking)).toEqual([]);
      expect(r.ok).toBe(true);
    },
  );
});

describe('the failing environments of the fixture project', () => {
  // These two reach their rule through extraArgs, which also sets what nodegen manages.
  const ALSO: Record<string, string> = { 'no-secrets': 'policy/managed-flags', 'network-tier-flag': 'policy/managed-flags' };
  it.each([...POLICY_BREAKS, ['network-tier-flag', 'policy/network-tier']])('environment %s breaks only %s', async (env, rule) => {
    const r = await validate({ root: PROJECT, env });
    expect(r.ok).toBe(false);
    expect([...new Set(r.findings.filter(isBlocking).map((f) => f.rule))].sort()).toEqual([rule, ...(ALSO[env] ? [ALSO[env]] : [])].sort());
  });

  it('managed-flags names each flag, the key that controls it, and the split list', async () => {
    const r = await validate({ root: PROJECT, env: 'managed-flags' });
    const found = r.findings.filter((f) => f.rule === 'policy/managed-flags').map((f) => `${f.path}: ${f.message}`);
    expect(found.sort()).toEqual([
      'nodes.geth.extraArgs[1]: --http.port=9999 overrides what nodegen writes (the Service, probes and NetworkPolicy use 8545)',
      'nodes.geth.extraArgs[2]: --http.api=eth sets what the environment key httpApi controls',
      'nodes.geth.extraArgs[3]: "admin" is not a flag: a YAML flow list splits "--flag=a,b" at the comma',
      'nodes.bitcoind.extraArgs[0]: -rpcallowip=0.0.0.0/0 sets what the environment key clusterCidrs controls',
      'nodes.monacoind.extraArgs[0]: -rpcwhitelistdefault=0 overrides what nodegen writes (1: a login without a list can call nothing)',
      'nodes.monacoind.extraArgs[1]: -rpcwhitelist=wallet-api:getblock,stop sets what the environment key rpcUsers controls',
      'nodes.monacoind.extraArgs[2]: -rest=1 overrides what nodegen writes (REST answers without a login: it would bypass rpcUsers)',
      'nodes.monacoind.extraArgs[3]: -disablewallet=0 overrides what nodegen writes (a fleet node holds no keys)',
      'nodes.monacoind.extraArgs[4]: -rpccookiefile=/tmp/c overrides what nodegen writes (the probes read the cookie in the datadir)',
    ].sort());
  });

  it('names the rule even when the environment cannot be rendered at all', async () => {
    const e = await inputError(validate({ root: PROJECT, env: 'public-endpoint-unrenderable' }));
    const text = e.problems.map((p) => p.message).join('\n');
    expect(text).toContain('[policy/public-endpoint]');
    expect(text).toContain('public RPC needs source ranges');
  });
});

describe('the storage minimum follows the history a node keeps', () => {
  const geth = (...args: string[]) => minimumStorage('geth', 'mainnet', parseFlags(args));
  it('for geth: its own defaults when no history flag is written, more for whole-chain indexes, an archive floor', () => {
    expect(geth('--mainnet')).toBe('1536Gi');
    expect(geth('--history.transactions=0', '--history.logs=0')).toBe('1728Gi');
    expect(geth('--history.transactions=0', '--history.logs=0', '--history.chain=postmerge')).toBe('1378Gi');
    expect(geth('--history.logs=0', '--history.logs.disable')).toBe('1536Gi');
    expect(geth('--gcmode=archive')).toBe('3072Gi');
    expect(minimumStorage('geth', 'holesky', [])).toBeUndefined();
  });

  it("for a chain profile (bitcoind, monacoind): its network's figure, more with txindex", () => {
    const bitcoind = builtInProfile('bitcoind');
    expect(minimumStorage('bitcoind', 'main', [], false, bitcoind)).toBe('1152Gi');
    expect(minimumStorage('bitcoind', 'main', [], true, bitcoind)).toBe('1280Gi');
    expect(minimumStorage('monacoind', 'main', [], true, builtInProfile('monacoind'))).toBe('25Gi');
    expect(minimumStorage('bitcoind', 'nonet', [], false, bitcoind)).toBeUndefined();
  });
});
