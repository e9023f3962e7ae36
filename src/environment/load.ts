/**
 * Loads an environment: `environments/base.yaml` then `environments/<name>.yaml`, merged by the one
 * rule in merge.ts, validated by the one schema in schema.ts. Every problem in every file is
 * reported at once, each with its file, key path and line:column.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Document, LineCounter, parse as parseYaml, parseDocument, isMap as isYamlMap, isSeq, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { z } from 'zod';
import { InputError, UsageError, didYouMean, type Problem } from '../errors.js';
import { environmentSchema, type EnvironmentSpec } from './schema.js';
import { mergeAll, isMap, type Plain } from './merge.js';
import { DUPLICATE_KEY_MESSAGE, duplicateKeyOffsets } from './duplicate-keys.js';
import { readSimpleYaml } from './simple-yaml.js';

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
  let value: Plain;
  try {
    value = (parseYaml(arg.slice(eq + 1)) ?? null) as Plain;
  } catch {
    value = arg.slice(eq + 1);
  }
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

/** `make()`, called on first use only. */
function once<T>(make: () => T): () => T {
  let made: { readonly value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** The environments a project defines: every `environments/*.yaml` except `base.yaml`, sorted. */
export function listEnvironmentNames(root: string): string[] {
  const dir = join(root, ENVIRONMENTS_DIR);
  if (!existsSync(dir)) throw new InputError(`no ${ENVIRONMENTS_DIR}/ folder in ${root}`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== BASE_FILE)
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
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

interface ParsedFile {
  readonly file: string;
  /**
   * yaml's tree of the file, to point at lines: built on first use. Most files are read by
   * ./simple-yaml.ts, and the tree is needed only when something is to be located.
   */
  readonly tree: () => { readonly doc: Document; readonly lines: LineCounter };
  readonly value: Plain;
  /** A command-line override: it has no lines to point at. */
  readonly virtual?: boolean;
}

interface Parse {
  readonly text: string;
  readonly doc: Document;
  readonly lines: LineCounter;
  /** Syntax errors and duplicate keys: source offset and message. */
  readonly errors: ReadonlyArray<{ readonly offset: number; readonly message: string }>;
}

/**
 * Recent parses by absolute path. Every environment starts from base.yaml: `synth --all` and
 * `validate` read it once per environment but parse it once. A parse is reused only for the very
 * same text.
 */
const parses = new Map<string, Parse>();
const PARSES_KEPT = 8;

function parse(path: string, text: string): Parse {
  const cached = parses.get(path);
  if (cached?.text === text) return cached;
  const lines = new LineCounter();
  // Duplicate keys are found by duplicateKeyOffsets in linear time; yaml's own check is quadratic.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const errors = [
    ...doc.errors.map((e) => ({ offset: e.pos[0], message: firstLine(e.message) })),
    ...duplicateKeyOffsets(doc).map((offset) => ({ offset, message: DUPLICATE_KEY_MESSAGE })),
  ];
  const result = { text, doc, lines, errors };
  parses.delete(path);
  parses.set(path, result);
  if (parses.size > PARSES_KEPT) parses.delete(parses.keys().next().value!);
  return result;
}

function parseFile(root: string, path: string, problems: Problem[]): ParsedFile | undefined {
  const file = relative(root, path);
  const text = readFileSync(path, 'utf8');
  // The fast reader gives yaml's value for the files it knows (always a map, never an erroneous
  // text); yaml parses those only if a problem is to be located.
  const simple = readSimpleYaml(text);
  if (simple !== undefined) return { file, tree: once(() => parse(path, text)), value: simple };
  const parsed = parse(path, text);
  const { doc, lines, errors } = parsed;
  if (errors.length > 0) {
    for (const e of errors) {
      const pos = lines.linePos(e.offset);
      problems.push({ file, line: pos.line, col: pos.col, message: `YAML syntax error: ${e.message}` });
    }
    return undefined;
  }
  const value = (doc.toJS({ maxAliasCount: 100 }) ?? {}) as Plain;
  if (!isMap(value)) {
    problems.push({ file, line: 1, col: 1, message: 'an environment file must be a map of keys (such as "namespace:", "nodes:")' });
    return undefined;
  }
  return { file, tree: () => parsed, value };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

/**
 * A map's entries by key, built on first use: every finding of a fleet's rules is located in
 * `nodes:`, and scanning a map of thousands of nodes per finding made many findings quadratic.
 * The first entry wins, as a scan would find it.
 */
function pairsByKey(map: YAMLMap): Map<string, Pair> {
  let index = pairIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      const key = String(isScalar(p.key) ? p.key.value : p.key);
      if (!index.has(key)) index.set(key, p);
    }
    pairIndexes.set(map, index);
  }
  return index;
}

/**
 * Finds where `path` is written in a parsed file: the key's position for a map entry, the item's
 * for a list entry. Returns undefined when the file does not mention the path.
 */
function locate(f: ParsedFile, path: readonly PropertyKey[]): { line?: number; col?: number } | undefined {
  const { doc, lines } = f.tree();
  let node: Node | null | undefined = doc.contents as Node | null;
  let at: number | undefined = node?.range?.[0];
  for (const seg of path) {
    if (isYamlMap(node)) {
      const pair = pairsByKey(node).get(String(seg));
      if (!pair) return undefined;
      at = (pair.key as Node).range?.[0];
      node = pair.value as Node | null;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)] as Node | undefined;
      if (!item) return undefined;
      at = item.range?.[0];
      node = item;
    } else {
      return undefined;
    }
  }
  if (f.virtual) return {};
  return at === undefined ? undefined : lines.linePos(at);
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
  return path.map(String).join('.');
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
  for (const seg of path) v = isMap(v) || Array.isArray(v) ? (v as Record<string, unknown>)[String(seg)] : undefined;
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (isMap(v)) return 'a map';
  return JSON.stringify(v);
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
          message: `unknown key "${key}"${guess ? `; did you mean "${guess}"?` : ''} (known keys: ${known.join(', ')})`,
        };
      });
    }
    case 'invalid_value': {
      const got = valueAt(merged, path);
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
      const message = got === undefined ? `required: expected ${issue.expected}` : `expected ${issue.expected}, got ${describe(got)}`;
      return [{ ...origin(files, path), path: dotted(path), message }];
    }
    default: {
      const got = valueAt(merged, path);
      const shown = typeof got === 'string' || typeof got === 'number' ? ` (got ${JSON.stringify(got)})` : '';
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
  const paths = [join(root, ENVIRONMENTS_DIR, BASE_FILE), join(root, ENVIRONMENTS_DIR, `${name}.yaml`)].filter(
    (p, i) => i > 0 || existsSync(p),
  );
  const problems: Problem[] = [];
  const parsed = paths.map((p) => parseFile(root, p, problems));
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
  const result = environmentSchema.safeParse(merged, { jitless: true });
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...issueToProblems(issue, files, merged));
  } else {
    problems.push(...referenceProblems(result.data, files));
  }
  if (problems.length > 0) throw new InputError(`environment "${name}" is invalid`, problems.sort(byPosition(files)));
  return { name, spec: result.data!, files: [...fileNames, ...overrides.map((o) => o.source)], locate: (path) => ({ ...origin(files, path), path: dotted(path) }) };
}
