/**
 * nodegen as another team installs it (issue 17): `npm pack` of this repository, installed into
 * an empty folder with only the registry's dependencies (no TypeScript, no sources), then the
 * commands the README gives a new team: init, synth --all, validate --all, synth --all --check;
 * the README's nodegen.config.mjs example appears in dist/; the library imports from TypeScript.
 *
 * Needs the npm registry (or npm's cache): `npm run test:package`, which CI runs after `npm test`.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const REPO = join(__dirname, '..', '..');
const SHIPPED = ['develop', 'nodetest', 'production', 'qa', 'staging'];

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 600_000, env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  return r;
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  expect(r.status, `${what}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** Every file under `dir`, relative, sorted. */
function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir).sort().flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n), `${prefix}${n}/`) : [`${prefix}${n}`]));
}

describe('the packed package, installed into an empty repository', () => {
  let work: string;
  let repo: string;
  /** A cache home of its own: the installed CLI keeps its code cache there, never in node_modules. */
  let cacheHome: string;
  const nodegen = (...args: string[]) => run('npx', ['--no', 'nodegen', ...args], repo, { XDG_CACHE_HOME: cacheHome });

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'nodegen-package-'));
    repo = join(work, 'infra');
    cacheHome = join(work, 'cache');
    // lib/ current with the sources (the launcher rebuilds when needed), then packed as is.
    ok(run(process.execPath, [join(REPO, 'bin', 'nodegen.js'), '--version'], REPO), 'build');
    const packed = ok(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO), 'npm pack');
    const tarball = join(work, (JSON.parse(packed) as Array<{ filename: string }>)[0]!.filename);
    run('mkdir', ['-p', repo], work);
    writeFileSync(join(repo, 'package.json'), '{ "name": "infra", "private": true }\n');
    ok(run('npm', ['install', '--no-audit', '--no-fund', '--save-dev', tarball], repo), 'npm install');
  }, 600_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships the compiled library, the bundled CLI and the data it reads, and no TypeScript sources or compiler', () => {
    const pkg = join(repo, 'node_modules', 'nodegen-k8s');
    const shipped = files(pkg);
    expect(shipped).toEqual(expect.arrayContaining(['bin/nodegen.js', 'lib/cli/run.js', 'lib/src/index.js', 'lib/src/index.d.ts', 'src/validate/schemas/kubernetes.json', 'environments/base.yaml', 'examples/ci/github-actions.yml', 'cdk8s.yaml']));
    expect(shipped.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(shipped.filter((f) => f.startsWith('lib/.cache'))).toEqual([]);
    expect(existsSync(join(repo, 'node_modules', 'typescript'))).toBe(false);
  });

  it("does nothing when npm runs its prepare script in the installed copy (nothing to build it from)", () => {
    const pkg = join(repo, 'node_modules', 'nodegen-k8s');
    const before = files(pkg);
    const r = run(process.execPath, [join(pkg, 'bin', 'build.js')], repo);
    expect(r.stderr).toBe('');
    expect(ok(r, 'prepare')).toBe('');
    expect(files(pkg)).toEqual(before);
  });

  it("installs none of cdk8s-plus-27 and its optional release tooling (backport): nodegen uses only cdk8s-plus-27's types (issue 18)", () => {
    for (const unused of ['cdk8s-plus-27', 'backport']) expect(existsSync(join(repo, 'node_modules', unused)), unused).toBe(false);
    expect(existsSync(join(repo, 'node_modules', 'cdk8s'))).toBe(true);
  });

  it('init, then synth --all, validate --all and synth --all --check work with no warning, and nothing is written into node_modules', () => {
    const before = files(join(repo, 'node_modules', 'nodegen-k8s'));
    const init = nodegen('init');
    expect(init.stderr).toBe('');
    expect(ok(init, 'init')).toMatch(/created {2}environments\/base\.yaml/);
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.scripts['synth']).toBe('nodegen synth --all');
    expect(Object.keys(pkg.devDependencies)).toContain('nodegen-k8s');
    expect(readFileSync(join(repo, '.gitignore'), 'utf8')).toContain('.nodegen-tmp-*');
    expect(existsSync(join(repo, '.github', 'workflows', 'nodes.yml'))).toBe(true);
    // The example chain profile and the schema its first line names.
    expect(readdirSync(join(repo, 'chains')).sort()).toEqual(['litecoind.yaml', 'profile.schema.json']);

    const synth = nodegen('synth', '--all');
    expect(synth.stderr).toBe('');
    ok(synth, 'synth --all');
    expect(readdirSync(join(repo, 'dist')).sort()).toEqual(SHIPPED);
    for (const env of SHIPPED) expect(readdirSync(join(repo, 'dist', env))).toContain('00-namespace.yaml');
    ok(nodegen('validate', '--all'), 'validate --all');
    ok(nodegen('synth', '--all', '--check'), 'synth --all --check');
    // The same bytes nodegen's own repository commits for the same environment files.
    for (const env of SHIPPED) expect(readFileSync(join(repo, 'dist', env, '10-geth.yaml'), 'utf8')).toBe(readFileSync(join(REPO, 'dist', env, '10-geth.yaml'), 'utf8'));
    expect(files(join(repo, 'node_modules', 'nodegen-k8s'))).toEqual(before);
    // The code cache went to the user's cache folder instead.
    expect(existsSync(join(cacheHome, 'nodegen', 'code-cache'))).toBe(true);
  });

  it("adds a Bitcoin-family chain by a profile in the user's chains/ and a node entry: nothing else", () => {
    // init copied the Litecoin example; the user's own profile is written from it, as a new user would.
    const example = readFileSync(join(repo, 'chains', 'litecoind.yaml'), 'utf8');
    writeFileSync(join(repo, 'chains', 'examplecoind.yaml'), example
      .replace('client: litecoind', 'client: examplecoind').replace('chain: litecoin', 'chain: examplecoin')
      .replace('daemon: litecoind', 'daemon: examplecoind').replace('cli: litecoin-cli', 'cli: examplecoin-cli')
      .replace('confFile: litecoin.conf', 'confFile: examplecoin.conf').replace('ports: { p2p: 19335, rpc: 19332 }', 'ports: { p2p: 29335, rpc: 29332 }'));
    const env = join(repo, 'environments', 'nodetest.yaml');
    const original = readFileSync(env, 'utf8');
    writeFileSync(env, `${original}  examplecoind:\n    client: examplecoind\n    image: registry.internal/examplecoind:1.0.0\n    exporterRpcauth: "exporter:${'a'.repeat(32)}$${'b'.repeat(64)}"\n`);
    const synth = nodegen('synth', '--env', 'nodetest');
    ok(synth, 'synth with a profile of the project');
    const docs = parseAllDocuments(readFileSync(join(repo, 'dist', 'nodetest', '25-examplecoind.yaml'), 'utf8')).map((d) => d.toJS());
    const conf = docs.find((d) => d.kind === 'ConfigMap').data['examplecoin.conf'] as string;
    expect(conf).toContain('chain=test\n');
    expect(conf).toContain('[test]\nport=29335\nrpcport=29332\n');
    expect(docs.find((d) => d.kind === 'StatefulSet').spec.template.spec.containers[0].command).toEqual(['examplecoind']);
    // The shipped example stays what nodegen's own repository commits.
    expect(readFileSync(join(repo, 'dist', 'nodetest', '25-litecoind.yaml'), 'utf8')).toBe(readFileSync(join(REPO, 'dist', 'nodetest', '25-litecoind.yaml'), 'utf8'));
    expect(ok(nodegen('list'), 'list')).toMatch(/examplecoind +examplecoind +test +x1/);
    writeFileSync(env, original);
    rmSync(join(repo, 'chains', 'examplecoind.yaml'));
    ok(nodegen('synth', '--env', 'nodetest'), 'synth without it');
  });

  it('refuses a second init, writing nothing', () => {
    const base = readFileSync(join(repo, 'environments', 'base.yaml'), 'utf8');
    const again = nodegen('init');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('environments/base.yaml: exists');
    expect(readFileSync(join(repo, 'environments', 'base.yaml'), 'utf8')).toBe(base);
  });

  it("includes the README's nodegen.config.mjs example in dist/, validated like the rest", () => {
    copyFileSync(join(REPO, 'examples', 'nodegen.config.mjs'), join(repo, 'nodegen.config.mjs'));
    const synth = nodegen('synth', '--env', 'qa');
    expect(synth.stderr).toBe('');
    ok(synth, 'synth with nodegen.config.mjs');
    const team = parseAllDocuments(readFileSync(join(repo, 'dist', 'qa', '50-team.yaml'), 'utf8')).map((d) => d.toJS());
    expect(team).toEqual([expect.objectContaining({ kind: 'ConfigMap', metadata: expect.objectContaining({ name: 'chain-endpoints', namespace: 'chains-qa' }), data: expect.objectContaining({ geth: 'geth.chains-qa.svc' }) })]);
    expect(readFileSync(join(repo, 'dist', 'qa', '10-geth.yaml'), 'utf8')).toContain('team.example.com/environment: qa');
    expect(readFileSync(join(repo, 'dist', 'qa', 'Kustomization'), 'utf8')).toContain('50-team.yaml');
    // A config that throws is the user's input error, named, not a bug in nodegen.
    writeFileSync(join(repo, 'nodegen.config.mjs'), "export default { extend() { throw new Error('no such node pool'); } };\n");
    const broken = nodegen('validate', '--env', 'qa');
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('nodegen.config.mjs: no such node pool');
    rmSync(join(repo, 'nodegen.config.mjs'));
  });

  it('imports the library from TypeScript, types included', () => {
    writeFileSync(
      join(repo, 'fleet.ts'),
      [
        "import { App, Chart } from 'cdk8s';",
        "import { GethNode, defineConfig, type NodegenConfig } from 'nodegen-k8s';",
        "const chart = new Chart(new App(), 'eth', { disableResourceNameHashes: true });",
        "const geth: GethNode = new GethNode(chart, 'geth', { namespace: 'chains', network: 'hoodi' });",
        'const config: NodegenConfig = defineConfig({ extend: (ctx) => void ctx.env });',
        'const objects = chart.toJson() as Array<{ kind: string }>;',
        "console.log(JSON.stringify({ name: geth.name, kinds: objects.map((o) => o.kind), extend: typeof config.extend }));",
        '',
      ].join('\n'),
    );
    writeFileSync(join(repo, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', target: 'es2022', moduleResolution: 'nodenext', skipLibCheck: true, outDir: 'out', types: [] }, files: ['fleet.ts'] }));
    // nodegen's own compiler checks the consumer's file against the installed declarations.
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    ok(run(process.execPath, [tsc, '-p', 'tsconfig.json'], repo), 'tsc');
    const out = JSON.parse(ok(run(process.execPath, [join('out', 'fleet.js')], repo), 'node out/fleet.js')) as { name: string; kinds: string[]; extend: string };
    expect(out.name).toBe('geth');
    expect(out.kinds).toEqual(expect.arrayContaining(['StatefulSet', 'Service', 'NetworkPolicy']));
    expect(out.extend).toBe('function');
  });
});
