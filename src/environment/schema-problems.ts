/**
 * From zod's issues to problems a person can act on: each names the file that wrote the key, the
 * key path and the line, with did-you-mean for unknown keys and values. Shared by environment
 * files (several layers merged) and chain profiles (one file).
 */
import { z } from 'zod';
import { clip, didYouMean, type Problem } from '../errors.js';
import { isMap, type Plain } from './merge.js';
import { positionOf, type ReadFile } from './read-file.js';
import { CHAINS_DIR } from './paths.js';

/** A file or an override, as one layer of the merge. */
export interface ParsedFile {
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
export function origin(files: readonly ParsedFile[], path: readonly PropertyKey[]): Omit<Problem, 'message'> {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    for (let i = files.length - 1; i >= 0; i--) {
      const pos = locate(files[i]!, prefix);
      if (pos && (depth > 0 || i === files.length - 1)) return { file: files[i]!.file, ...pos };
    }
  }
  return { file: files[files.length - 1]!.file };
}

/** Whether a plain value has `path` (a key set to null counts: it was written). */
function hasPath(value: Plain, path: readonly PropertyKey[]): boolean {
  let v: unknown = value;
  for (const seg of path) {
    if (!(isMap(v) || Array.isArray(v)) || !Object.hasOwn(v, String(seg))) return false;
    v = (v as Record<string, unknown>)[String(seg)];
  }
  return true;
}

/**
 * The file {@link origin} names, from the layers' values alone: no syntax tree is built, so naming
 * the file in a finding's fix costs nothing (the tree is for lines, when a problem points at one).
 */
export function originFile(files: readonly ParsedFile[], path: readonly PropertyKey[]): string {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    for (let i = files.length - 1; i >= 0; i--) {
      if ((depth > 0 || i === files.length - 1) && hasPath(files[i]!.value, prefix)) return files[i]!.file;
    }
  }
  return files[files.length - 1]!.file;
}

export function dotted(path: readonly PropertyKey[]): string {
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
  if (s instanceof z.ZodRecord && s.keyType instanceof z.ZodEnum) return s.keyType.options.map(String);
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
export function protoKeys(value: Plain): string[][] {
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

export function protoMessage(path: readonly string[]): string {
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

export function issueToProblems(issue: z.core.$ZodIssue, files: readonly ParsedFile[], merged: Plain, schema: z.ZodType, clients: readonly string[]): Problem[] {
  const path = issue.path;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(schema, path, merged);
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
      if (issue.discriminator !== 'client') break;
      // A node whose `client` is missing or unknown (zod points at the node or at its client key).
      const at = path[path.length - 1] === 'client' ? path : [...path, 'client'];
      const got = valueAt(merged, at);
      const guess = typeof got === 'string' ? didYouMean(got, clients) : undefined;
      return [{
        ...origin(files, at),
        path: dotted(at),
        message: `${got === undefined ? 'missing' : `unknown client ${describe(got)}${guess ? ` (did you mean "${guess}"?)` : ''}`}; each node needs one of ${clients.map((c) => `"client: ${c}"`).join(', ')} (a chain profile in ${CHAINS_DIR}/<client>.yaml adds a client)`,
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
  }
  const got = valueAt(merged, path);
  const shown = typeof got === 'string' || typeof got === 'number' ? ` (got ${clip(JSON.stringify(got))})` : '';
  return [{ ...origin(files, path), path: dotted(path), message: `${issue.message}${shown}` }];
}

/**
 * Validates one YAML file's value against a schema (a chain profile's): every problem with its
 * key path and line, as for environment files.
 */
export function fileSchemaProblems<T>(schema: z.ZodType<T>, file: ReadFile): { readonly value: T } | { readonly problems: Problem[] } {
  const files: ParsedFile[] = [{ file: file.file, tree: file.tree, value: file.value }];
  const problems: Problem[] = protoKeys(file.value).map((path) => ({ ...origin(files, path), path: dotted(path), message: protoMessage(path) }));
  const result = schema.safeParse(file.value, { jitless: true });
  if (!result.success) for (const issue of result.error.issues) problems.push(...issueToProblems(issue, files, file.value, schema, []));
  return problems.length > 0 || !result.success ? { problems: problems.sort(byPosition(files)) } : { value: result.data };
}

/** Where a key path is written in one file (a profile's), with its line. */
export function locateInFile(file: ReadFile, path: readonly PropertyKey[]): Omit<Problem, 'message'> {
  return { ...origin([{ file: file.file, tree: file.tree, value: file.value }], path), path: dotted(path) };
}

/** Sorts problems by file order, then line, so output reads top to bottom. */
export function byPosition(files: readonly ParsedFile[] | readonly string[]) {
  const order = files.map((f) => (typeof f === 'string' ? f : f.file));
  return (a: Problem, b: Problem) =>
    order.indexOf(a.file) - order.indexOf(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
}
