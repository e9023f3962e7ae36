import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadEnvironment, listEnvironmentNames, parseSetOverride } from '../../src/environment/load.js';
import { InputError, formatProblem, type Problem } from '../../src/errors.js';

const FIXTURES = join(__dirname, '..', 'fixtures', 'projects');
const REPO_ROOT = join(__dirname, '..', '..');
const overlay = join(FIXTURES, 'overlay');
const broken = join(FIXTURES, 'broken');

/** Loads an environment expected to fail and returns its problems. */
function problemsOf(env: string): Problem[] {
  try {
    loadEnvironment(env, { root: broken });
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return [...(e as InputError).problems];
  }
  throw new Error(`environment ${env} loaded without errors`);
}

describe('loading an environment', () => {
  it('lists every environment file except base.yaml, sorted', () => {
    expect(listEnvironmentNames(overlay)).toEqual(['dev', 'prod']);
  });

  it('merges base.yaml and the overlay with the written rule', () => {
    const { spec, files } = loadEnvironment('prod', { root: overlay });
    expect(files).toEqual(['environments/base.yaml', 'environments/prod.yaml']);
    expect(spec.namespace).toBe('chains-prod');
    expect(spec.tier).toBe('mainnet');
    // lists replace
    expect(spec.rpcClients.namespaces).toEqual(['wallet-api']);
    const geth = spec.nodes['geth']!;
    expect(geth.extraArgs).toEqual(['--cache=8192']);
    // maps merge
    expect(geth.resources).toEqual({ requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '4', memory: '32Gi' } });
    expect(geth.storage?.size).toBe('2Ti');
    // null removes
    expect(spec.nodes['bitcoind']).toBeUndefined();
    expect(spec.nodePools['eth']!.nodeSelector).toEqual({ pool: 'eth', zone: 'a' });
  });

  it('fills documented defaults the files leave out', () => {
    const { spec } = loadEnvironment('dev', { root: overlay });
    expect(spec.sandbox).toBe(false);
    expect(spec.publicEndpoints).toEqual({ allowed: false, sourceRanges: [] });
    expect(Object.keys(spec.nodes)).toEqual(['geth', 'bitcoind']);
  });

  it('refuses an unknown environment and suggests the closest one', () => {
    expect(() => loadEnvironment('prd', { root: overlay })).toThrow(/unknown environment "prd"; did you mean "prod"\?/);
  });

  it('reports a YAML syntax error with file, line and column', () => {
    const [p, ...rest] = problemsOf('syntax');
    expect(rest).toEqual([]);
    expect(p!.file).toBe('environments/syntax.yaml');
    expect(p!.line).toBeGreaterThanOrEqual(4);
    expect(p!.col).toBeGreaterThanOrEqual(1);
    expect(p!.message).toMatch(/^YAML syntax error/);
  });

  it('reports an unknown key with its path, line and a did-you-mean', () => {
    const [p] = problemsOf('unknown-key');
    expect(formatProblem(p!)).toBe(
      'environments/unknown-key.yaml:4:5 nodes.geth.storge: unknown key "storge"; did you mean "storage"? ' +
        `(known keys: ${p!.message.split('known keys: ')[1]!.slice(0, -1)})`,
    );
    expect(p!.message).toContain('client, network, replicas, image');
  });

  it('reports a wrong type naming what was expected and what was found', () => {
    const [p] = problemsOf('wrong-type');
    expect(p).toMatchObject({ file: 'environments/wrong-type.yaml', line: 4, col: 5, path: 'nodes.geth.replicas' });
    expect(p!.message).toBe('expected number, got "two"');
  });

  it('reports an invalid Kubernetes quantity', () => {
    const [p] = problemsOf('bad-quantity');
    expect(p).toMatchObject({ file: 'environments/bad-quantity.yaml', line: 4, path: 'nodes.geth.storage.size' });
    expect(p!.message).toMatch(/must be a Kubernetes quantity .*\(got "2TB"\)/);
  });

  it('reports invalid Kubernetes names for the namespace and for node names', () => {
    const problems = problemsOf('bad-name');
    const paths = problems.map((p) => p.path);
    expect(paths).toContain('namespace');
    expect(paths).toContain('nodes.Geth_Main');
    const ns = problems.find((p) => p.path === 'namespace')!;
    expect(ns).toMatchObject({ file: 'environments/bad-name.yaml', line: 1 });
    expect(ns.message).toMatch(/DNS-1123 label.*\(got "Chains_QA"\)/);
  });

  it('reports an unknown network with the allowed ones and a suggestion', () => {
    const [p] = problemsOf('bad-network');
    expect(p).toMatchObject({ file: 'environments/bad-network.yaml', line: 4, path: 'nodes.geth.network' });
    expect(p!.message).toBe('"goerli" is not allowed here; expected one of: mainnet, hoodi, sepolia');
  });

  it('reports a node without a client', () => {
    const [p] = problemsOf('missing-client');
    expect(p!.path).toBe('nodes.extra.client');
    expect(p!.file).toBe('environments/missing-client.yaml');
    expect(p!.message).toMatch(/missing; each node needs one of "client: geth"/);
  });

  it('reports a node pool that does not exist, with a suggestion', () => {
    const [p] = problemsOf('unknown-pool');
    expect(p).toMatchObject({ file: 'environments/unknown-pool.yaml', line: 6, path: 'nodes.geth.nodePool' });
    expect(p!.message).toMatch(/no node pool "etherum".*did you mean "ethereum"\?/);
  });

  it('reports every problem of a file at once, in line order', () => {
    const problems = problemsOf('many');
    expect(problems.map((p) => p.path)).toEqual(['tier', 'nodes.geth.replicas', 'nodes.geth.storage.size', 'nodes.geth.consensus.clinet']);
    expect(problems.map((p) => p.line)).toEqual([2, 5, 6, 8]);
    expect(problems[0]!.message).toContain('did you mean "mainnet"');
    expect(problems[3]!.message).toContain('did you mean "client"');
  });

  it('names base.yaml when the problem was written there', () => {
    const [p] = problemsOf('wrong-type');
    expect(p!.file).not.toBe('environments/base.yaml');
    // A key only base.yaml sets is located in base.yaml.
    const { locate } = loadEnvironment('dev', { root: overlay });
    expect(locate(['nodes', 'bitcoind', 'storage', 'size'])).toMatchObject({ file: 'environments/base.yaml', line: 21 });
    expect(locate(['namespace'])).toMatchObject({ file: 'environments/dev.yaml', line: 1 });
  });
});

describe('duplicate keys', () => {
  /** A copy of the overlay project with `dev.yaml` replaced by `text`. */
  function projectWithDev(text: string): { root: string; cleanup: () => void } {
    const root = mkdtempSync(join(tmpdir(), 'nodegen-dup-'));
    cpSync(join(overlay, 'environments'), join(root, 'environments'), { recursive: true });
    writeFileSync(join(root, 'environments', 'dev.yaml'), text);
    return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
  }

  function problemsIn(root: string): Problem[] {
    try {
      loadEnvironment('dev', { root });
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return [...(e as InputError).problems];
    }
    throw new Error('dev loaded without errors');
  }

  const TEXT = [
    'namespace: chains-dev',
    'nodes:',
    '  geth:',
    '    replicas: 1',
    '    storage: { size: 1Ti, size: 2Ti }',
    '    replicas: 2',
    'namespace: chains-other',
    '',
  ].join('\n');

  it('reports each repeated key of a block or flow map at the line and column of the repeat', () => {
    const { root, cleanup } = projectWithDev(TEXT);
    try {
      const problems = problemsIn(root);
      expect(problems.map(formatProblem)).toEqual([
        expect.stringMatching(/^environments\/dev\.yaml:5:27\b.*YAML syntax error: Map keys must be unique/),
        expect.stringMatching(/^environments\/dev\.yaml:6:5\b.*YAML syntax error: Map keys must be unique/),
        expect.stringMatching(/^environments\/dev\.yaml:7:1\b.*YAML syntax error: Map keys must be unique/),
      ]);
    } finally {
      cleanup();
    }
  });

  it('finds the same duplicates at the same positions as yaml\'s own unique-keys check', () => {
    const { root, cleanup } = projectWithDev(TEXT);
    try {
      const lines = new LineCounter();
      const reference = parseDocument(TEXT, { lineCounter: lines, prettyErrors: false, uniqueKeys: true }).errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return { line, col, message: `YAML syntax error: ${e.message}` };
      });
      expect(reference).toHaveLength(3);
      expect(problemsIn(root).map(({ line, col, message }) => ({ line, col, message }))).toEqual(reference);
    } finally {
      cleanup();
    }
  });

  it('treats keys as yaml does: "1" and 1 differ, ~ and null are one key, two .nan keys differ', () => {
    const { root, cleanup } = projectWithDev('namespace: chains-dev\nx:\n  1: a\n  "1": b\n  .nan: c\n  .nan: d\n  ~: e\n  null: f\n');
    try {
      expect(problemsIn(root).map((p) => [p.line, p.col, p.message])).toEqual([[8, 3, 'YAML syntax error: Map keys must be unique']]);
    } finally {
      cleanup();
    }
  });

  it('reads a base.yaml that changed between two loads in one process, even to text of the same size', () => {
    const { root, cleanup } = projectWithDev('namespace: chains-dev\n');
    try {
      const base = join(root, 'environments', 'base.yaml');
      expect(loadEnvironment('dev', { root }).spec.nodes['geth']!.storage?.size).toBe('300Gi');
      writeFileSync(base, readFileSync(base, 'utf8').replace('size: 300Gi', 'size: 400Gi'));
      expect(loadEnvironment('dev', { root }).spec.nodes['geth']!.storage?.size).toBe('400Gi');
    } finally {
      cleanup();
    }
  });
});

describe('fileOf: the file that sets a key, without a syntax tree', () => {
  /** Every key path of a plain value, parents included. */
  function paths(v: unknown, at: string[] = []): string[][] {
    if (v === null || typeof v !== 'object') return [at];
    return [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))];
  }

  it.each(listEnvironmentNames(REPO_ROOT))('names the file locate names for every key of %s, and for keys no file sets', (env) => {
    const loaded = loadEnvironment(env, { root: REPO_ROOT });
    const all = paths(loaded.spec).filter((p) => p.length > 0);
    expect(all.length).toBeGreaterThan(100);
    for (const p of [...all, ['nodes', 'nosuchnode', 'image'], ['nodes', 'geth', 'nosuchkey'], ['nosuchkey']]) {
      expect(loaded.fileOf(p), p.join('.')).toBe(loaded.locate(p).file);
    }
    // Both files occur: keys come from base.yaml and from the environment's own file.
    expect(new Set(all.map((p) => loaded.fileOf(p))).size).toBe(2);
  });

  it('names an override by its flag, as locate does', () => {
    const loaded = loadEnvironment('qa', { root: REPO_ROOT, overrides: [parseSetOverride('nodes.geth.replicas=2')] });
    expect(loaded.fileOf(['nodes', 'geth', 'replicas'])).toBe('--set nodes.geth.replicas=2');
    expect(loaded.fileOf(['nodes', 'geth', 'replicas'])).toBe(loaded.locate(['nodes', 'geth', 'replicas']).file);
    expect(loaded.fileOf(['nodes', 'geth', 'image'])).toBe(loaded.locate(['nodes', 'geth', 'image']).file);
  });
});
