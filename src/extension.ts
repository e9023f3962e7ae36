/**
 * A team's own code beside the fleet: `nodegen.config.mjs` (or `.js`, `.cjs`) at the project
 * root exports a NodegenConfig, whose `extend` runs once per environment after nodegen has built
 * the environment's charts and before anything is validated or written. It adds charts (another
 * chart of the team's own objects) and changes nodegen's objects (a sidecar, an annotation), and
 * what it adds goes through the same validation gate as everything else.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as cdk8s from 'cdk8s';
import type { BlockchainNode } from './constructs/blockchain-node.js';
import type { EnvironmentSpec } from './environment/schema.js';
import { InputError, firstLine } from './errors.js';

/** What `extend` is given for one environment. */
export interface FleetExtensionContext {
  /** The environment's name (`qa`). */
  readonly env: string;
  /** The environment, merged and validated (its `namespace`, `tier`, `nodes` ...). */
  readonly spec: EnvironmentSpec;
  /** nodegen's constructs for the environment's nodes, by node name (`nodes.geth.statefulSet`). */
  readonly nodes: Readonly<Record<string, BlockchainNode>>;
  /**
   * A new chart, written to `dist/<env>/<file>`. `file` is `NN-name.yaml` with NN from 50 to 99,
   * so it sorts after nodegen's own files (the namespace first); object names are not hashed.
   */
  addChart(file: string): cdk8s.Chart;
  /**
   * The cdk8s module nodegen runs. Build objects with its classes (`new cdk8s.ApiObject(chart,
   * ...)`, `cdk8s.JsonPatch`) or with your own `import ... from 'cdk8s'`: both work.
   */
  readonly cdk8s: typeof cdk8s;
}

/** The default export of `nodegen.config.mjs`. */
export interface NodegenConfig {
  /** Runs once per environment, for synth, diff, plan and validate alike. */
  extend?(context: FleetExtensionContext): void;
}

/** Typed identity, for editors: `export default defineConfig({ extend(ctx) { ... } })`. */
export function defineConfig(config: NodegenConfig): NodegenConfig {
  return config;
}

/** The file names looked for at the project root, in order. */
export const CONFIG_FILES = ['nodegen.config.mjs', 'nodegen.config.js', 'nodegen.config.cjs'] as const;

/** A loaded config and the file it came from (for messages). */
export interface ProjectConfig {
  readonly file: string;
  readonly config: NodegenConfig;
}

type ModuleImporter = (url: string) => Promise<unknown>;

/**
 * How the config is imported. bin/nodegen.js passes its own `import()`: code the launcher's code
 * cache compiled (bin/compile-cache.js) can import only through an experimental vm option,
 * which prints a warning on every run.
 */
let importModule: ModuleImporter = (url) => import(url);

export function setModuleImporter(importer: ModuleImporter): void {
  importModule = importer;
}

/** The project's config, when it has one. A file that does not load is the user's input error. */
export async function loadProjectConfig(root: string): Promise<ProjectConfig | undefined> {
  const file = CONFIG_FILES.find((f) => existsSync(join(root, f)));
  if (file === undefined) return undefined;
  let loaded: { default?: unknown };
  try {
    // The modification time in the URL: a process that loads the config twice (a test, a watcher) sees an edited file.
    const url = `${pathToFileURL(join(root, file)).href}?mtime=${statSync(join(root, file)).mtimeMs}`;
    loaded = (await importModule(url)) as { default?: unknown };
  } catch (e) {
    throw new InputError(`${file} cannot be loaded`, [{ file, message: firstLine(e) }]);
  }
  const config = loaded.default;
  if (typeof config !== 'object' || config === null || ('extend' in config && typeof config.extend !== 'function')) {
    throw new InputError(`${file} exports no config`, [{ file, message: 'the default export must be an object with an `extend(context)` function (see README "Your own code")' }]);
  }
  return { file, config: config as NodegenConfig };
}
