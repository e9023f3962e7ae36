/**
 * `nodegen init`: sets up nodegen in an empty or existing repository. Writes environments/ (base
 * plus the five environments, or the ones named), cdk8s.yaml, an example CI pipeline, a
 * .gitignore entry and package.json scripts, taken from the files nodegen itself ships and tests.
 * It never overwrites: when any file it would create exists, it writes nothing and names them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError, UsageError } from '../../errors.js';
import { CHAINS_DIR, ENVIRONMENTS_DIR, BASE_FILE } from '../../environment/paths.js';
import { packageRoot, PACKAGE_NAME } from '../../project.js';

/** The environments nodegen ships, in the order a change travels. */
export const SHIPPED_ENVIRONMENTS = ['nodetest', 'develop', 'qa', 'staging', 'production'] as const;

export interface InitOptions {
  /** The folder to set up (the repository's root). */
  readonly dir: string;
  /** The environments to write, by name. @default - all five shipped environments */
  readonly envs?: readonly string[];
  /** nodegen's version, for the devDependency written into a new package.json. */
  readonly version: string;
}

export interface InitResult {
  /** Files created, relative to `dir`. */
  readonly created: readonly string[];
  /** Files changed in place (package.json scripts, .gitignore entries), relative to `dir`. */
  readonly updated: readonly string[];
}

/**
 * What .gitignore gets: what a killed synth may leave beside dist/<env> (the next run removes it),
 * its lock, and the cdk8s CLI's scratch folder (cdk8s.yaml).
 */
const GITIGNORE_ENTRIES = ['node_modules/', '.nodegen-tmp-*', '.nodegen-old-*', '.nodegen-journal*', '.nodegen-lock*', '.cdk8s-out/'];

const SCRIPTS: Readonly<Record<string, string>> = {
  synth: 'nodegen synth --all',
  // A fleet repository's tests: every check, and the committed dist/ is current.
  test: 'nodegen validate --all && nodegen synth --all --check',
};

export function init(o: InitOptions): InitResult {
  const envs = o.envs ?? SHIPPED_ENVIRONMENTS;
  const unknown = envs.filter((e) => !(SHIPPED_ENVIRONMENTS as readonly string[]).includes(e));
  if (unknown.length > 0) throw new UsageError(`--env takes shipped environments (${SHIPPED_ENVIRONMENTS.join(', ')}); unknown: ${unknown.join(', ')}`);
  if (envs.length === 0) throw new UsageError('--env names no environment');
  const from = packageRoot();
  const files = new Map<string, string>();
  for (const f of ['environment.schema.json', BASE_FILE, ...envs.map((e) => `${e}.yaml`)]) {
    files.set(join(ENVIRONMENTS_DIR, f), readFileSync(join(from, ENVIRONMENTS_DIR, f), 'utf8'));
  }
  // The example chain profile (Litecoin) that nodetest's node names, a template for your own, and
  // the schema editors check profiles against (named on each profile's first line).
  for (const f of readdirSync(join(from, CHAINS_DIR)).filter((n) => n.endsWith('.yaml') || n === 'profile.schema.json').sort()) {
    files.set(join(CHAINS_DIR, f), readFileSync(join(from, CHAINS_DIR, f), 'utf8'));
  }
  files.set('cdk8s.yaml', readFileSync(join(from, 'cdk8s.yaml'), 'utf8'));
  files.set(join('.github', 'workflows', 'nodes.yml'), pipeline(readFileSync(join(from, 'examples', 'ci', 'github-actions.yml'), 'utf8'), envs));

  const existing = [...files.keys()].filter((f) => existsSync(join(o.dir, f)));
  const pkgPath = join(o.dir, 'package.json');
  const pkg = existsSync(pkgPath) ? readPackage(pkgPath) : undefined;
  const taken = Object.keys(SCRIPTS).filter((s) => pkg?.scripts?.[s] !== undefined && pkg.scripts[s] !== SCRIPTS[s] && s !== 'test');
  if (existing.length > 0 || taken.length > 0) {
    throw new InputError('nodegen init writes nothing over what exists; nothing was written', [
      ...existing.map((f) => ({ file: f, message: 'exists: move it away, or set nodegen up by hand (README "In your own repository")' })),
      ...taken.map((s) => ({ file: 'package.json', path: `scripts.${s}`, message: `exists ("${pkg!.scripts![s]}"): rename it, then run init again` })),
    ]);
  }

  for (const [f, text] of files) {
    mkdirSync(dirname(join(o.dir, f)), { recursive: true });
    writeFileSync(join(o.dir, f), text, { flag: 'wx' });
  }
  const created = [...files.keys()];
  const updated: string[] = [];
  // package.json: the scripts (a test script only when there is none) and the devDependency.
  const next = pkg ?? { name: packageName(o.dir), private: true };
  const scripts = { ...next.scripts };
  for (const [k, v] of Object.entries(SCRIPTS)) scripts[k] ??= v;
  const devDependencies = next.dependencies?.[PACKAGE_NAME] || next.devDependencies?.[PACKAGE_NAME] ? next.devDependencies : { ...next.devDependencies, [PACKAGE_NAME]: `^${o.version}` };
  writeFileSync(pkgPath, `${JSON.stringify({ ...next, scripts, ...(devDependencies ? { devDependencies } : {}) }, null, 2)}\n`);
  (pkg ? updated : created).push('package.json');
  // .gitignore: the entries it lacks.
  const ignorePath = join(o.dir, '.gitignore');
  const ignore = existsSync(ignorePath) ? readFileSync(ignorePath, 'utf8') : undefined;
  const lines = new Set((ignore ?? '').split('\n').map((l) => l.trim()));
  const missing = GITIGNORE_ENTRIES.filter((e) => !lines.has(e));
  if (missing.length > 0) {
    const prefix = ignore === undefined || ignore === '' || ignore.endsWith('\n') ? (ignore ?? '') : `${ignore}\n`;
    writeFileSync(ignorePath, `${prefix}${ignore ? '\n' : ''}# nodegen\n${missing.join('\n')}\n`);
    (ignore === undefined ? created : updated).push('.gitignore');
  }
  return { created: created.sort(), updated: updated.sort() };
}

interface PackageJson {
  name?: string;
  private?: boolean;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readPackage(path: string): PackageJson {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as PackageJson;
  } catch (e) {
    throw new InputError('package.json cannot be read; nothing was written', [{ file: 'package.json', message: (e as Error).message }]);
  }
}

/** A package name from the folder's name (npm's rules: lowercase, URL-safe). */
function packageName(dir: string): string {
  return basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|[-]+$/g, '') || 'chain-nodes';
}

/** The example pipeline, its environment matrix reduced to the environments written. */
function pipeline(text: string, envs: readonly string[]): string {
  return text.replace(/environment: \[[^\]]*\]/, `environment: [${SHIPPED_ENVIRONMENTS.filter((e) => envs.includes(e)).join(', ')}]`);
}

export function formatInit(r: InitResult): string {
  return [
    ...r.created.map((f) => `created  ${f}`),
    ...r.updated.map((f) => `updated  ${f}`),
    '',
    'Next: npm install, then `npx --no nodegen synth --all` writes dist/<env>/ for review.',
  ].join('\n');
}
