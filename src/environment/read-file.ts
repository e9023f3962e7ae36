/**
 * Reading one environment file, safely: whatever the text, the result is its value or a list of
 * problems naming the file, in time and memory bounded by the limits below. Never a crash, never
 * a stack overflow, never gigabytes: an environment file is input from anyone who can open a pull
 * request, and `synth` runs in pipelines.
 *
 * The order matters. The cheap checks come first (size; flow nesting, found with yaml's own lexer
 * before its parser or composer see the text: 100,000 `[` overflow yaml's composer and a few
 * hundred thousand balanced ones exhaust memory), then the syntax tree is walked without recursion
 * for nesting and size, and only then is it composed into a document and a value, with alias
 * expansion bounded.
 */
import { readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { Composer, Document, Lexer, LineCounter, Parser, isMap as isYamlMap, isScalar, isSeq, visit, type CST, type Node, type Pair, type YAMLMap } from 'yaml';
import { clip, firstLine, type Problem } from '../errors.js';
import { DUPLICATE_KEY_MESSAGE, duplicateKeyOffsets } from './duplicate-keys.js';
import { isMap, type Plain } from './merge.js';

/**
 * The limits an environment file is held to. Each is far above a real file: a 5,000-node fleet
 * is 0.7 MiB, about 40,000 entries and 4 levels deep (the shipped files: 5 KB, 7 levels).
 */
export const FILE_LIMITS = {
  /** Bytes in one file. */
  bytes: 2 * 1024 * 1024,
  /** Maps and lists inside each other. */
  depth: 64,
  /** Map entries plus list items in one file, counted after aliases are expanded. */
  entries: 100_000,
  /** Aliases (`*name`) in one file; yaml counts each alias's expansion against it (yaml's `maxAliasCount`). */
  aliases: 100,
} as const;

/** One environment file, read. */
export interface ReadFile {
  /** The path relative to the project root, as messages name it. */
  readonly file: string;
  /** The value, always a map. */
  readonly value: { [key: string]: Plain };
  /** yaml's document of the file and its line index (to point at lines). */
  readonly tree: () => { readonly doc: Document; readonly lines: LineCounter };
}

/** Parses of recent texts by path: base.yaml is read once per environment of a run, parsed once. */
const parses = new Map<string, Parsed>();
const PARSES_KEPT = 8;

type Parsed =
  | { readonly text: string; readonly doc: Document; readonly lines: LineCounter }
  | { readonly text: string; readonly problems: ReadonlyArray<Problem & { readonly syntax?: boolean }> };

/**
 * Reads `path` (absolute) as an environment file. Returns undefined and adds to `problems` when
 * it cannot be used: unreadable, too large, not YAML, not a map, beyond a limit, or using YAML
 * features nodegen does not support (custom tags, merge keys).
 */
export function readEnvironmentFile(root: string, path: string, problems: Problem[]): ReadFile | undefined {
  const file = relative(root, path);
  const text = readText(file, path, problems);
  if (text === undefined) return undefined;
  const read = readYaml(file, text, path);
  if ('problems' in read) {
    problems.push(...read.problems);
    return undefined;
  }
  // An empty file (or one of comments only) is an empty map.
  const value = read.value ?? {};
  if (!isMap(value)) {
    problems.push({ file, line: 1, col: 1, message: 'an environment file must be a map of keys (such as "namespace:", "nodes:")' });
    return undefined;
  }
  const { tree } = read;
  return { file, value, tree: () => tree };
}

/**
 * A YAML text's value under the same limits as a file: the value of a `--set`, say. `file` names
 * it in problems; `cacheKey` (a path) keeps the parse for the next read of the same text. A
 * problem with `syntax: true` means the text is not YAML at all (a caller may take it as a string).
 */
export function readYaml(file: string, text: string, cacheKey?: string):
  | { readonly value: Plain; readonly tree: { readonly doc: Document; readonly lines: LineCounter } }
  | { readonly problems: ReadonlyArray<Problem & { readonly syntax?: boolean }> } {
  const parsed = cacheKey === undefined ? parseUncached(file, text) : parse(file, cacheKey, text);
  if ('problems' in parsed) return parsed;
  let value: Plain;
  try {
    value = (parsed.doc.toJS({ maxAliasCount: FILE_LIMITS.aliases }) ?? null) as Plain;
  } catch (e) {
    // yaml: "Excessive alias count indicates a resource exhaustion attack".
    return { problems: [{ file, message: `aliases expand to too much data (${clip(firstLine(e))}); write the values out instead of repeating them with *aliases` }] };
  }
  const shape = shapeProblems(file, value, (p) => positionOf(parsed, p));
  if (shape.length > 0) return { problems: shape };
  return { value, tree: parsed };
}

/** The file's text, or a problem saying why it cannot be read (a folder, too large, not UTF-8, no permission). */
function readText(file: string, path: string, problems: Problem[]): string | undefined {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) {
      problems.push({ file, message: 'is not a file (environment files are plain .yaml files)' });
      return undefined;
    }
    if (stat.size > FILE_LIMITS.bytes) {
      problems.push({ file, message: `is ${mib(stat.size)}; an environment file may be at most ${mib(FILE_LIMITS.bytes)} (a 5,000-node fleet is 0.7 MiB)` });
      return undefined;
    }
    const bytes = readFileSync(path);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (text.includes('\0')) {
      problems.push({ file, message: 'holds NUL characters: it is not a text file' });
      return undefined;
    }
    return text;
  } catch (e) {
    if (e instanceof TypeError) {
      problems.push({ file, message: 'is not UTF-8 text (environment files are YAML, which is UTF-8)' });
      return undefined;
    }
    problems.push({ file, message: `cannot be read: ${clip((e as Error).message, 200)}` });
    return undefined;
  }
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * Problems of a value's shape: nesting deeper than the limit, more entries than the limit (both
 * after alias expansion), and merge keys. Iterative, so no input can overflow the stack.
 * `where` points at a key path's line, when the file has a tree to point into.
 */
function shapeProblems(file: string, value: Plain, where: ((path: readonly string[]) => { line?: number; col?: number } | undefined) | undefined, maxEntries: number = FILE_LIMITS.entries): Problem[] {
  const problems: Problem[] = [];
  let entries = 0;
  const stack: Array<{ readonly value: Plain; readonly path: readonly string[] }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= FILE_LIMITS.depth) {
      problems.push({ file, ...where?.(path.slice(0, FILE_LIMITS.depth)), message: `nests maps and lists more than ${FILE_LIMITS.depth} levels deep` });
      break;
    }
    const keys = Array.isArray(v) ? v.map((_, i) => String(i)) : Object.keys(v);
    entries += keys.length;
    if (entries > maxEntries) {
      problems.push({ file, message: tooManyEntries });
      break;
    }
    for (const key of keys) {
      if (key === '<<' && !Array.isArray(v)) {
        problems.push({
          file,
          ...where?.([...path, key]),
          path: [...path, key].map((k) => clip(k, 40)).join('.'),
          message: 'merge keys (<<) are not supported: nodegen merges base.yaml and <env>.yaml by its own rule; write the keys out, or move shared values to base.yaml',
        });
      }
      stack.push({ value: (v as Record<string, Plain>)[key]!, path: [...path, key] });
    }
  }
  return problems;
}

function parse(file: string, path: string, text: string): Parsed {
  const cached = parses.get(path);
  if (cached?.text === text) return cached;
  const result = parseUncached(file, text);
  parses.delete(path);
  parses.set(path, result);
  if (parses.size > PARSES_KEPT) parses.delete(parses.keys().next().value!);
  return result;
}

function parseUncached(file: string, text: string): Parsed {
  const lines = new LineCounter();
  const at = (offset: number, message: string): Problem => {
    const pos = lines.linePos(offset);
    return { file, line: pos.line, col: pos.col, message };
  };
  const flow = flowProblem(text);
  if (flow !== undefined) {
    countLines(text, lines);
    return { text, problems: [at(flow.offset, flow.message)] };
  }
  const cst = [...new Parser(lines.addNewLine).parse(text)];
  const shape = cstShape(cst);
  if (shape !== undefined) return { text, problems: [at(shape.offset, shape.message)] };
  // Duplicate keys are found by duplicateKeyOffsets in linear time; yaml's own check is quadratic.
  // logLevel 'error': yaml would print its warnings on stderr; they are reported as problems below.
  const docs = [...new Composer({ prettyErrors: false, uniqueKeys: false, logLevel: 'error' }).compose(cst)];
  const doc = docs[0] ?? new Document();
  const errors: Array<{ offset: number; message: string; syntax?: boolean }> = [
    ...docs.flatMap((d) => d.errors.map((e) => ({ offset: e.pos[0], message: `YAML syntax error: ${clip(firstLine(e.message), 200)}`, syntax: true }))),
    ...duplicateKeyOffsets(doc).map((offset) => ({ offset, message: `YAML syntax error: ${DUPLICATE_KEY_MESSAGE}` })),
    ...complexKeyOffsets(doc).map((offset) => ({ offset, message: 'a key must be a plain name, not a list or a map' })),
    ...(docs.length > 1 ? [{ offset: docs[1]!.range[0], message: 'holds more than one YAML document (---): an environment file is one map' }] : []),
    ...doc.warnings.map((w) => ({ offset: w.pos[0], message: w.code === 'TAG_RESOLVE_FAILED' ? `custom tags are not supported (${clip(firstLine(w.message), 80)}): write the plain value` : `YAML: ${clip(firstLine(w.message), 200)}` })),
  ];
  if (errors.length > 0) return { text, problems: errors.map((e) => ({ ...at(e.offset, e.message), ...(e.syntax ? { syntax: true } : {}) })) };
  return { text, doc, lines };
}

/** Where a map's key is a list or a map (`? [a, b]: x`), which has no name an environment file could mean. */
function complexKeyOffsets(doc: Document): number[] {
  const out: number[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key)) out.push((pair.key as Node).range?.[0] ?? 0);
    },
  });
  return out;
}

/**
 * The objects of a YAML file nodegen wrote (the committed dist/), read without trusting it: the
 * file may have been edited by hand or by anyone with push access. Nesting deeper than the limit,
 * aliases beyond the limit (a reference to itself included) and syntax errors give a reason
 * instead of a crash; size is not limited, since a fleet's files are large by right.
 */
export function readManifestDocuments(text: string): { readonly values: unknown[] } | { readonly reason: string } {
  const lines = new LineCounter();
  const cst = [...new Parser(lines.addNewLine).parse(text)];
  const where = (offset: number) => {
    const pos = lines.linePos(offset);
    return `line ${pos.line}`;
  };
  const shape = cstShape(cst, Infinity);
  if (shape !== undefined) return { reason: `${where(shape.offset)}: ${shape.message}` };
  const values: unknown[] = [];
  for (const doc of new Composer({ logLevel: 'error' }).compose(cst)) {
    if (doc.errors.length > 0) return { reason: `${where(doc.errors[0]!.pos[0])}: YAML syntax error: ${clip(firstLine(doc.errors[0]!.message), 200)}` };
    let value: Plain;
    try {
      value = doc.toJS({ maxAliasCount: FILE_LIMITS.aliases }) as Plain;
    } catch (e) {
      return { reason: `aliases expand to too much data (${clip(firstLine(e))})` };
    }
    const shapeOf = shapeProblems('', value, undefined, Infinity);
    if (shapeOf.length > 0) return { reason: shapeOf[0]!.message };
    values.push(value);
  }
  return { values };
}

/** Fills `lines` with the text's line starts (the parser does it when it runs). */
function countLines(text: string, lines: LineCounter): void {
  lines.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
}

/**
 * Flow collections nested deeper than the limit, or holding more items than the limit, by yaml's
 * own lexer (so a `[` or `,` inside a string or a plain scalar does not count), before yaml's
 * parser spends seconds on them. Text with few brackets is not lexed.
 */
function flowProblem(text: string): { readonly offset: number; readonly message: string } | undefined {
  let brackets = 0;
  for (let i = 0; i < text.length && brackets <= FILE_LIMITS.depth; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) brackets++;
  }
  if (brackets <= FILE_LIMITS.depth) return undefined;
  let depth = 0;
  let items = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      if (++depth > FILE_LIMITS.depth) return { offset, message: `nests flow collections ([...], {...}) more than ${FILE_LIMITS.depth} levels deep` };
      items++;
    } else if (token === ']' || token === '}') depth--;
    else if (token === ',' && ++items > FILE_LIMITS.entries) return { offset, message: tooManyEntries };
    // The lexer's control tokens (document, flow end, scalar) stand for no source text.
    if (token.length !== 1 || token.charCodeAt(0) > 0x1f) offset += token.length;
  }
  return undefined;
}

// 100,000 written out: toLocaleString would load ICU's number formatting, 10-15 ms of every run (issue 18).
const tooManyEntries = `has more than ${String(FILE_LIMITS.entries).replace(/\B(?=(\d{3})+$)/g, ',')} entries (map keys and list items, aliases expanded): it is not an environment file this tool can check`;

/** Nesting deeper than the limit, or more entries than the limit, in the syntax tree; walked without recursion. */
function cstShape(tokens: readonly CST.Token[], maxEntries: number = FILE_LIMITS.entries): { readonly offset: number; readonly message: string } | undefined {
  let entries = 0;
  const stack: Array<{ readonly token: CST.Token; readonly depth: number }> = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (token.type === 'document') {
      if (token.value) stack.push({ token: token.value, depth });
      continue;
    }
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    if (depth >= FILE_LIMITS.depth) return { offset: token.offset, message: `nests maps and lists more than ${FILE_LIMITS.depth} levels deep` };
    entries += token.items.length;
    if (entries > maxEntries) {
      return { offset: token.offset, message: tooManyEntries };
    }
    for (const item of token.items) {
      if ('key' in item && item.key) stack.push({ token: item.key, depth: depth + 1 });
      if (item.value) stack.push({ token: item.value, depth: depth + 1 });
    }
  }
  return undefined;
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
 * Where `path` is written in a parsed file: the key's position for a map entry, the item's for a
 * list entry. Undefined when the file does not mention the path.
 */
export function positionOf(tree: { readonly doc: Document; readonly lines: LineCounter }, path: readonly PropertyKey[]): { line?: number; col?: number } | undefined {
  let node: Node | null | undefined = tree.doc.contents as Node | null;
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
  // A document built from a value (an override) has no positions: found, but nowhere to point.
  return at === undefined ? {} : tree.lines.linePos(at);
}

/** `make()`, called on first use only. */
export function once<T>(make: () => T): () => T {
  let made: { readonly value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
