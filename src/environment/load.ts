/**
 * Loads an environment: `environments/base.yaml` then `environments/<name>.yaml`, merged by the one
 * rule in merge.ts, validated by the one schema in schema.ts. Every problem in every file is
 * reported at once, each with its file, key path and line:column.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Document, LineCounter } from 'yaml';
import { z } from 'zod';
import { InputError, UsageError, clip, didYouMean, type Problem } from '../errors.js';
import { environmentSchema, type EnvironmentSpec } from './schema.js';
import { mergeAll, isMap, type Plain } from './merge.js';
import { once, positionOf, readEnvironmentFile, readYaml, type ReadFile } from './read-file.js';

import { BASE_FILE, ENVIRONMENTS_DIR } from './paths.js';

export { BASE_FILE, ENVIRONMENTS_DIR };

/** An environment after merging and validation. */
export interface LoadedEnvironment {
  /** The environment's name: its file name without `.yaml`. */
  readonly name: string;
  /** The merged, validated, defaulted specification. */
  readonly spec: EnvironmentSpec;
  /** The files merged, in order, relative to the project root. */
  readonly files: readonly string[];
  /** Where a key path was set (the last file that wrote it, with line and column). */
  locate(path: readonly string[]): Omit<Problem, 'message'>;
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

/** A file or an override, as one layer of the merge. */
interface ParsedFile {
  readonly file: string;
  readonly tree: ReadFile['tree'];
  readonly value: Plain;
  /** A command-line override: it has no lines to point at. */
  readonly virtual?: boolean;
}

/** Where `path` is written in a layer (an override's position is its flag); undefined when it does not write it. */
function locate(f: ParsedFile, path: readonly PropertyKey[]): { line?: number; col?: number } | undefined {
  const pos = positionOf(f.tree(), path);
  if (pos === undefined) return undefined;
  return f.virtual ? {} : pos;
}

/** The file that set `path` last (or, for a missing key, the deepest parent it wrote), with position. */
function origin(files: readonly ParsedFile[], path: readonly PropertyKey[]): Omit<Problem, 'message'> {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    for (let i = files.length - 1; i >= 0; i--) {
      const pos = locate(files[i]!, prefix);
      if (pos && (depth > 0 || i === files.length - 1)) return { file: files[i]!.file, ...pos };
    }
  }
  return { file: files[files.length - 1]!.file };
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map((s) => clip(String(s), 60)).join('.');
}

/** Walks the schema to the object at `path`, to name the keys it knows (for did-you-mean). */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[], value: unknown): string[] {
  let s: z.ZodType | undefined = schema;
  let v: unknown = value;
  for (const seg of [...path, undefined]) {
    // Peel wrappers until an object, record, array or union is reached.
    for (let guard = 0; s && guard < 10; guard++) {
      const def: { type: string; innerType?: z.ZodType } = (s as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
      if (def.innerType && (def.type === 'optional' || def.type === 'default' || def.type === 'nullable')) s = def.innerType;
      else break;
    }
    if (s instanceof z.ZodDiscriminatedUnion) {
      const client = isMap(v) ? v['client'] : undefined;
      s = (s.options as z.ZodType[]).find(
        (o) => o instanceof z.ZodObject && (o.shape as Record<string, z.ZodType>)['client'] instanceof z.ZodLiteral &&
          ((o.shape as Record<string, z.ZodLiteral>)['client']!.value === client),
      );
    }
    if (seg === undefined) break;
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(seg)];
    else if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else return [];
    v = isMap(v) || Array.isArray(v) ? (v as Record<string, unknown>)[String(seg)] : undefined;
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const seg of path) v = (isMap(v) || Array.isArray(v)) && Object.hasOwn(v, String(seg)) ? (v as Record<string, unknown>)[String(seg)] : undefined;
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (isMap(v)) return 'a map';
  return clip(JSON.stringify(v));
}

/** What the keys of a map of names are, for messages about a name that breaks the rule. */
const KEY_NAMES: Readonly<Record<string, string>> = {
  nodes: 'node name (it becomes part of Kubernetes object names)',
  nodePools: 'node pool name',
  labels: 'label key',
};

/** The paths of every `__proto__` key in a merged value (JSON and YAML allow it; objects in JavaScript treat it apart). */
function protoKeys(value: Plain): string[][] {
  const found: string[][] = [];
  const stack: Array<{ readonly v: Plain; readonly path: string[] }> = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    for (const key of Object.keys(v)) {
      if (key === '__proto__') found.push([...path, key]);
      stack.push({ v: (v as Record<string, Plain>)[key]!, path: [...path, key] });
    }
  }
  return found;
}

function protoMessage(path: readonly string[]): string {
  const what = KEY_NAMES[String(path[path.length - 2])];
  return what ? `${what} "__proto__" must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit` : 'unknown key "__proto__"';
}

/**
 * A required key no file sets: the files merged are named, and the problem is put where the key
 * belongs (base.yaml for a top-level key, else the file that writes its parent), not on whichever
 * file happened to be read last.
 */
function missing(path: readonly PropertyKey[], expected: string, files: readonly ParsedFile[]): Problem {
  const real = files.filter((f) => !f.virtual).map((f) => f.file);
  const none = real.length === 1 ? `${real[0]} does not set it` : `none of ${real.join(', ')} sets it`.replace(/^none of (\S+), (\S+) sets it$/, 'neither $1 nor $2 sets it');
  const where = path.length === 1 ? { file: real[0]! } : origin(files, path);
  return { ...where, path: dotted(path), message: `required (expected ${expected}), but ${none}` };
}

function issueToProblems(issue: z.core.$ZodIssue, files: readonly ParsedFile[], merged: Plain): Problem[] {
  const path = issue.path;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(environmentSchema, path, merged);
      return issue.keys.map((key) => {
        const guess = didYouMean(key, known);
        const full = [...path, key];
        return {
          ...origin(files, full),
          path: dotted(full),
          message: `unknown key "${clip(key)}"${guess ? `; did you mean "${guess}"?` : ''} (known keys: ${known.join(', ')})`,
        };
      });
    }
    case 'invalid_value': {
      const got = valueAt(merged, path);
      if (got === undefined) return [missing(path, `one of: ${issue.values.map(String).join(', ')}`, files)];
      const allowed = issue.values.map(String);
      const guess = typeof got === 'string' ? didYouMean(got, allowed) : undefined;
      return [{
        ...origin(files, path),
        path: dotted(path),
        message: `${describe(got)} is not allowed here; expected one of: ${allowed.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`,
      }];
    }
    case 'invalid_union': {
      // A node whose `client` is missing or unknown (zod points at the node or at its client key).
      const at = path[path.length - 1] === 'client' ? path : [...path, 'client'];
      const got = valueAt(merged, at);
      return [{
        ...origin(files, at),
        path: dotted(at),
        message: `${got === undefined ? 'missing' : `unknown client ${describe(got)}`}; each node needs "client: geth", "client: bitcoind" or "client: monacoind"`,
      }];
    }
    case 'invalid_type': {
      const got = valueAt(merged, path);
      if (got === undefined) return [missing(path, `${issue.expected}`, files)];
      return [{ ...origin(files, path), path: dotted(path), message: `expected ${issue.expected}, got ${describe(got)}` }];
    }
    case 'invalid_key': {
      // A record's key (a node's or a node pool's name, a label key) that breaks its naming rule.
      const key = String(path[path.length - 1]);
      const what = KEY_NAMES[dotted(path.slice(0, -1))] ?? KEY_NAMES[String(path[path.length - 2])] ?? 'key';
      const rules = issue.issues.map((i) => i.message);
      return [{ ...origin(files, path), path: dotted(path), message: `${what} "${clip(key)}" ${rules.join('; ')}` }];
    }
    default: {
      const got = valueAt(merged, path);
      const shown = typeof got === 'string' || typeof got === 'number' ? ` (got ${clip(JSON.stringify(got))})` : '';
      return [{ ...origin(files, path), path: dotted(path), message: `${issue.message}${shown}` }];
    }
  }
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

/** Sorts problems by file order, then line, so output reads top to bottom. */
function byPosition(files: readonly ParsedFile[] | readonly string[]) {
  const order = files.map((f) => (typeof f === 'string' ? f : f.file));
  return (a: Problem, b: Problem) =>
    order.indexOf(a.file) - order.indexOf(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
}

/**
 * Loads, merges and validates one environment.
 * @throws InputError with every problem of every file, each with file, key path and line:column.
 */
export function loadEnvironment(name: string, options: LoadOptions): LoadedEnvironment {
  const { root } = options;
  assertEnvironmentExists(root, name);
  assertEnvironmentName(name);
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
  const result = environmentSchema.safeParse(merged, { jitless: true });
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...issueToProblems(issue, files, merged));
  } else {
    problems.push(...referenceProblems(result.data, files));
  }
  if (problems.length > 0) throw new InputError(`environment "${name}" is invalid`, problems.sort(byPosition(files)));
  return { name, spec: result.data!, files: [...fileNames, ...overrides.map((o) => o.source)], locate: (path) => ({ ...origin(files, path), path: dotted(path) }) };
}
