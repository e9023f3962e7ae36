/**
 * Loads an environment: `environments/base.yaml` then `environments/<name>.yaml`, merged by the one
 * rule in merge.ts, validated by the one schema in schema.ts. Every problem in every file is
 * reported at once, each with its file, key path and line:column.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Document, LineCounter } from 'yaml';
import { InputError, UsageError, clip, didYouMean, type Problem } from '../errors.js';
import { environmentSchemaFor, knownClients, type EnvironmentSpec } from './schema.js';
import { loadChainProfiles, type ChainProfiles } from '../chains/profiles.js';
import { mergeAll, isMap, type Plain } from './merge.js';
import { once, readEnvironmentFile, readYaml } from './read-file.js';
import { byPosition, dotted, issueToProblems, origin, originFile, protoKeys, protoMessage, type ParsedFile } from './schema-problems.js';

import { BASE_FILE, ENVIRONMENTS_DIR } from './paths.js';

export { BASE_FILE, ENVIRONMENTS_DIR };

/** An environment after merging and validation. */
export interface LoadedEnvironment {
  /** The environment's name: its file name without `.yaml`. */
  readonly name: string;
  /** The merged, validated, defaulted specification. */
  readonly spec: EnvironmentSpec;
  /** The chain profiles its nodes may name: nodegen's own and the project's `chains/*.yaml`. */
  readonly chains: ChainProfiles;
  /** The files merged, in order, relative to the project root. */
  readonly files: readonly string[];
  /** Where a key path was set (the last file that wrote it, with line and column). */
  locate(path: readonly string[]): Omit<Problem, 'message'>;
  /** The file of {@link locate}, without building any file's syntax tree. */
  fileOf(path: readonly string[]): string;
}

export interface LoadOptions {
  /** The project root (the folder holding `environments/`). */
  readonly root: string;
  /** Command-line overrides, merged after the files in order, by the same rule. @default [] */
  readonly overrides?: readonly Override[];
}

/**
 * A command-line override (`--set`, `--image`): one more layer after the environment files,
 * merged by the same rule and validated by the same schema. Problems name it by its flag.
 */
export interface Override {
  /** The flag as given, used as the "file" in messages: `--set nodes.geth.replicas=2`. */
  readonly source: string;
  readonly path: readonly string[];
  readonly value: Plain;
  /** For `--image`: the node that must already exist. */
  readonly node?: string;
}

/** Parses `--set key.path=value`; the value is read as YAML (`3` is a number, `[a, b]` a list). */
export function parseSetOverride(arg: string): Override {
  const eq = arg.indexOf('=');
  const path = eq > 0 ? arg.slice(0, eq).split('.') : [];
  if (eq <= 0 || path.some((p) => p === '')) {
    throw new UsageError(`--set takes key.path=value, such as nodes.geth.replicas=2 (got "${arg}")`);
  }
  // Read as YAML under the file limits; text that is not YAML at all is taken as the string it is.
  const text = arg.slice(eq + 1);
  const read = readYaml(`--set ${clip(arg)}`, text);
  let value: Plain;
  if (!('problems' in read)) value = read.value;
  else if (read.problems.every((p) => p.syntax)) value = text;
  else throw new UsageError(`--set ${clip(arg)}: the value ${read.problems[0]!.message}`);
  return { source: `--set ${arg}`, path, value };
}

/** Parses `--image <node>=<repo>:<tag>`: sets that node's image. */
export function parseImageOverride(arg: string): Override {
  const eq = arg.indexOf('=');
  if (eq <= 0 || eq === arg.length - 1) throw new UsageError(`--image takes <node>=<repo>:<tag>, such as geth=ethereum/client-go:v1.17.5 (got "${arg}")`);
  const node = arg.slice(0, eq);
  return { source: `--image ${arg}`, path: ['nodes', node, 'image'], value: arg.slice(eq + 1), node };
}

function overrideFile(o: Override): ParsedFile {
  let value: Plain = o.value;
  for (const seg of [...o.path].reverse()) value = { [seg]: value };
  return { file: o.source, tree: once(() => ({ doc: new Document(value), lines: new LineCounter() })), value, virtual: true };
}

/** The environments a project defines: every `environments/*.yaml` except `base.yaml`, sorted. */
export function listEnvironmentNames(root: string): string[] {
  const dir = join(root, ENVIRONMENTS_DIR);
  if (!existsSync(dir)) throw new InputError(`no ${ENVIRONMENTS_DIR}/ folder in ${root}`);
  const files = readdirSync(dir);
  // A file nodegen would silently skip is refused: `qa.yml` looks like an environment to its author.
  const misnamed = files.filter((f) => /\.ya?ml$/i.test(f) && !f.endsWith('.yaml'));
  if (misnamed.length > 0) {
    throw new InputError(
      `environment files end in ".yaml"`,
      misnamed.map((f) => ({ file: join(ENVIRONMENTS_DIR, f), message: `rename it to ${f.replace(/\.ya?ml$/i, '.yaml')}: nodegen reads only .yaml files, so it would be ignored` })),
    );
  }
  return files
    .filter((f) => f.endsWith('.yaml') && f !== BASE_FILE)
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** An environment's name (its file's name) is a label value, a dist/ folder and part of object names. */
const ENVIRONMENT_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function isEnvironmentName(name: string): boolean {
  return ENVIRONMENT_NAME.test(name);
}

/** One problem about the file's name when it cannot name an environment (instead of one per object it would label). */
function assertEnvironmentName(name: string): void {
  if (isEnvironmentName(name)) return;
  throw new InputError(`environment "${clip(name)}" cannot be used: its file name is not a valid environment name`, [{
    file: join(ENVIRONMENTS_DIR, `${name}.yaml`),
    message:
      'the file name is the environment\'s name, which becomes a label value, a dist/ folder and part of object names: ' +
      'it must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters); rename the file',
  }]);
}

/** Throws an InputError naming the closest known environment when `name` is not one. */
export function assertEnvironmentExists(root: string, name: string): void {
  const known = listEnvironmentNames(root);
  if (known.includes(name)) return;
  const guess = didYouMean(name, known);
  throw new InputError(
    `unknown environment "${name}"${guess ? `; did you mean "${guess}"?` : ''} ` +
      `(known: ${known.join(', ')}; each is a file ${ENVIRONMENTS_DIR}/<name>.yaml)`,
  );
}


/** Cross-references the schema cannot express: names that must point at something that exists. */
function referenceProblems(spec: EnvironmentSpec, files: readonly ParsedFile[]): Problem[] {
  const problems: Problem[] = [];
  const pools = Object.keys(spec.nodePools);
  for (const [name, node] of Object.entries(spec.nodes)) {
    if (node.nodePool !== undefined && !pools.includes(node.nodePool)) {
      const guess = didYouMean(node.nodePool, pools);
      const path = ['nodes', name, 'nodePool'];
      problems.push({
        ...origin(files, path),
        path: dotted(path),
        message: `no node pool "${node.nodePool}" in nodePools${guess ? `; did you mean "${guess}"?` : ''} (defined: ${pools.join(', ') || 'none'})`,
      });
    }
  }
  return problems;
}


/**
 * Loads, merges and validates one environment.
 * @throws InputError with every problem of every file, each with file, key path and line:column.
 */
export function loadEnvironment(name: string, options: LoadOptions): LoadedEnvironment {
  const { root } = options;
  assertEnvironmentExists(root, name);
  assertEnvironmentName(name);
  const chains = loadChainProfiles(root);
  const paths = [join(root, ENVIRONMENTS_DIR, BASE_FILE), join(root, ENVIRONMENTS_DIR, `${name}.yaml`)].filter(
    (p, i) => i > 0 || existsSync(p),
  );
  const problems: Problem[] = [];
  const parsed = paths.map((p) => readEnvironmentFile(root, p, problems));
  const fileNames = paths.map((p) => relative(root, p));
  if (problems.length > 0) throw new InputError(`environment "${name}" is invalid`, problems.sort(byPosition(fileNames)));
  const overrides = options.overrides ?? [];
  const fromFiles = mergeAll((parsed as ParsedFile[]).map((f) => f.value));
  for (const o of overrides) {
    const nodes = isMap(fromFiles) && isMap(fromFiles['nodes']) ? Object.keys(fromFiles['nodes']) : [];
    if (o.node !== undefined && !nodes.includes(o.node)) {
      const guess = didYouMean(o.node, nodes);
      problems.push({ file: o.source, message: `no node "${o.node}" in environment "${name}"${guess ? `; did you mean "${guess}"?` : ''} (nodes: ${nodes.join(', ')})` });
    }
  }
  if (problems.length > 0) throw new InputError(`environment "${name}" is invalid`, problems);
  const files = [...(parsed as ParsedFile[]), ...overrides.map(overrideFile)];
  const merged = mergeAll(files.map((f) => f.value));
  // jitless: zod would otherwise compile each object schema to a function (with `new Function`)
  // on first use; a run parses a handful of environments, so compiling costs more than it saves.
  // zod skips a `__proto__` key without a word (it guards against prototype pollution): say it here.
  problems.push(...protoKeys(merged).map((path) => ({ ...origin(files, path), path: dotted(path), message: protoMessage(path) })));
  const schema = environmentSchemaFor(chains);
  const result = schema.safeParse(merged, { jitless: true });
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...issueToProblems(issue, files, merged, schema, knownClients(chains)));
  } else {
    problems.push(...referenceProblems(result.data, files));
  }
  if (problems.length > 0) throw new InputError(`environment "${name}" is invalid`, problems.sort(byPosition(files)));
  return { name, spec: result.data!, chains, files: [...fileNames, ...overrides.map((o) => o.source)], locate: (path) => ({ ...origin(files, path), path: dotted(path) }), fileOf: (path) => originFile(files, path) };
}
