/**
 * A small YAML emitter for the plain JSON data nodegen writes, byte-identical to
 * `yaml.stringify(value, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false })`.
 *
 * Why it exists: `yaml.stringify` builds a node tree for every document before printing it, and
 * at fleet sizes that dominated synth (issue 7, measured on 2 cores, Node 20, yaml 2.9.1): at
 * 1,000 nodes it took 3.2 s of a 6.5 s run, plus much of the 1.0 s of garbage collection; this
 * emitter writes the same 6,203 documents in about 0.2 s (and 5,002 documents of an earlier fleet
 * in 257 ms against yaml's 2,485 ms, in process). The `yaml` package stays the
 * reference: this file ports only the rules of yaml 2.9.1's `stringifyString` (plain, quoted and
 * literal block scalars), `stringifyPair` and `stringifyBlockCollection` that plain data reaches,
 * and uses yaml's own core-schema tag tests to decide when a string must be quoted.
 *
 * Anything outside the subset it reproduces exactly throws {@link Unsupported}, and
 * {@link stringifyFast} returns undefined so the caller falls back to `yaml.stringify` for that
 * document: control characters and unpaired surrogates, `---`/`...`/`%` document markers,
 * multi-line keys, keys longer than 1,024 characters, block scalars that need keep chomping (`+`)
 * or end in a whitespace-only line, non-finite numbers and -0, `undefined` in a list, bigints,
 * and anything that is not a plain object, array, string, finite number, boolean or null (Dates,
 * Maps, class instances, objects with `toJSON`). test/synth/yaml.test.ts compares both on
 * thousands of seeded random documents and on the committed dist/.
 */
import { Document } from 'yaml';

/** Thrown for a value this emitter does not reproduce exactly; the document falls back to yaml. */
class Unsupported extends Error {}

/**
 * The core schema's implicit tags other than str (null, bool, int, float): a plain string one of
 * them would read back as another type (`"2"`, `"true"`, `"~"`, `"0x1f"`, `"1e3"`) must be quoted.
 */
const TAG_TESTS: readonly RegExp[] = new Document().schema.tags
  .filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && 'test' in t && t.test instanceof RegExp)
  .map((t) => (t as { test: RegExp }).test);

/** What yaml prints in double quotes with escapes (`\x07`, `\e`, ...): left to yaml. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** yaml's plainString test: strings that cannot be written plain. */
const UNSAFE_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** Lines that would start a new document; yaml indents or quotes them specially: left to yaml. */
const DOC_MARKER = /^(%|---|\.\.\.)/m;
/** yaml's blockEndNewlines. */
const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;
/** Beyond this many cached strings the caches start over (bounds memory in long-lived processes). */
const CACHE_LIMIT = 50_000;

const UNSUPPORTED = Symbol('unsupported');
type Rendered = string | typeof UNSUPPORTED;

/**
 * Fleets repeat the same strings (label keys and values, images, probe scripts) thousands of
 * times: each rendering is remembered. A single-line string renders the same as a key and as a
 * value at any indent; a block scalar depends on its indent, so those are cached per indent.
 */
const lineCache = new Map<string, Rendered>();
const blockCache = new Map<string, Map<string, Rendered>>();

function cached(cache: Map<string, Rendered>, v: string, indent: string, render: (v: string, indent: string) => string): string {
  let s = cache.get(v);
  if (s === undefined) {
    try {
      s = render(v, indent);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      s = UNSUPPORTED;
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(v, s);
  }
  if (s === UNSUPPORTED) throw new Unsupported();
  return s;
}

/** A string as a map key (`implicitKey`) or as a value whose lines are indented by `indent`. */
function string(v: string, indent: string, implicitKey: boolean): string {
  if (!v.includes('\n')) return cached(lineCache, v, indent, line);
  if (implicitKey) throw new Unsupported();
  let byIndent = blockCache.get(indent);
  if (!byIndent) {
    if (blockCache.size >= 64) blockCache.clear();
    byIndent = new Map();
    blockCache.set(indent, byIndent);
  }
  return cached(byIndent, v, indent, block);
}

/** yaml's plainString and quotedString for a single-line string (lineWidth 0 never folds). */
function line(v: string): string {
  if (CONTROL.test(v) || DOC_MARKER.test(v)) throw new Unsupported();
  if (!UNSAFE_PLAIN.test(v) && !TAG_TESTS.some((t) => t.test(v))) return v;
  // quotedString: single quotes when only double quotes occur, else JSON-style double quotes
  // (without control characters and newlines yaml's doubleQuotedString is JSON.stringify).
  if (v.includes('"') && !v.includes("'")) return `'${v}'`;
  return JSON.stringify(v);
}

/** yaml's blockString for the literal style (lineWidth 0 never folds), clip or strip chomping. */
function block(original: string, indent: string): string {
  if (CONTROL.test(original) || DOC_MARKER.test(original)) throw new Unsupported();
  // yaml quotes a value ending in a whitespace-only line.
  if (/\n[\t ]+$/.test(original)) throw new Unsupported();
  let value = original;
  let endStart: number;
  for (endStart = value.length; endStart > 0; --endStart) {
    const ch = value[endStart - 1];
    if (ch !== '\n' && ch !== '\t' && ch !== ' ') break;
  }
  let end = value.substring(endStart);
  const endNlPos = end.indexOf('\n');
  let chomp: string;
  if (endNlPos === -1) chomp = '-';
  else if (value === end || endNlPos !== end.length - 1) throw new Unsupported(); // keep (+)
  else chomp = '';
  if (end) {
    value = value.slice(0, -end.length);
    if (end[end.length - 1] === '\n') end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  let startWithSpace = false;
  let startEnd: number;
  let startNlPos = -1;
  for (startEnd = 0; startEnd < value.length; ++startEnd) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNlPos = startEnd;
    else break;
  }
  let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  // Every block scalar here is inside a collection, so its indent is never the root's.
  const header = (startWithSpace ? '2' : '') + chomp;
  return `|${header}\n${indent}${start}${value.replace(/\n+/g, `$&${indent}`)}${end}`;
}

/** A scalar value whose continuation lines (block scalars) are indented by `indent`. */
function scalar(v: unknown, indent: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return string(v, indent, false);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v) || Object.is(v, -0)) throw new Unsupported();
      return JSON.stringify(v);
    default:
      throw new Unsupported();
  }
}

/** Whether `v` is a map; throws for objects yaml would treat differently (Date, Map, toJSON). */
function isMap(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function' || Symbol.iterator in v) {
    throw new Unsupported();
  }
  return true;
}

/** Two spaces per level: the continuation indent of each depth, and a line break to it. */
const INDENTS: string[] = [''];
const NEWLINES: string[] = ['\n'];
/** A list item after the first: a line break, the indent and the dash. */
const DASHES: string[] = ['\n- '];

function indentOf(depth: number): string {
  while (INDENTS.length <= depth) {
    const indent = `${INDENTS[INDENTS.length - 1]}  `;
    INDENTS.push(indent);
    NEWLINES.push(`\n${indent}`);
    DASHES.push(`\n${indent}- `);
  }
  return INDENTS[depth]!;
}

/** Map keys as written: a key is a single-line string, the same at every depth. */
const keyCache = new Map<string, string>();

function key(k: string): string {
  let s = keyCache.get(k);
  if (s === undefined) {
    s = string(k, '', true);
    if (s.length > 1024) throw new Unsupported(); // yaml writes an explicit `? key`
    if (keyCache.size >= CACHE_LIMIT) keyCache.clear();
    keyCache.set(k, s);
  }
  return s;
}

/**
 * A map entry's text up to its value, in each form it takes: with the line break and indent
 * before it (all but a map's first entry) and the separator after it. Fewer, longer pieces make
 * the document's join cheaper: joining is a cost per piece.
 */
interface EntryHead {
  /** `key: ` before a scalar. */
  readonly scalar: string;
  /** `key:` and the line break to the nested collection. */
  readonly nested: string;
  readonly emptyList: string;
  readonly emptyMap: string;
}

/** Entry heads by depth, first entry (0) or later (1), and key. */
const headCache: Array<[Map<string, EntryHead>, Map<string, EntryHead>]> = [];

function entryHead(k: string, depth: number, later: 0 | 1): EntryHead {
  const byKey = (headCache[depth] ??= [new Map(), new Map()])[later];
  let head = byKey.get(k);
  if (head === undefined) {
    const start = (later ? NEWLINES[depth]! : '') + key(k);
    head = { scalar: `${start}: `, nested: `${start}:${NEWLINES[depth + 1]!}`, emptyList: `${start}: []`, emptyMap: `${start}: {}` };
    if (byKey.size >= CACHE_LIMIT) byKey.clear();
    byKey.set(k, head);
  }
  return head;
}

/**
 * Writes a list that starts at the current column, its later lines at `depth`, as yaml's
 * stringifyBlockCollection and stringifyPair join them. Pieces go to `out` and are joined once
 * per document: concatenating nested strings instead leaves V8 a deep rope to flatten, which at 1,000
 * nodes cost more than the emitting.
 */
function list(v: readonly unknown[], depth: number, out: string[]): void {
  if (v.length === 0) {
    out.push('[]');
    return;
  }
  indentOf(depth + 1);
  const dash = DASHES[depth]!;
  for (let i = 0; i < v.length; i++) {
    const item: unknown = v[i];
    if (item === undefined) throw new Unsupported();
    out.push(i === 0 ? '- ' : dash);
    if (Array.isArray(item)) list(item, depth + 1, out);
    else if (isMap(item)) {
      if (!map(item, depth + 1, out)) out.push('{}');
    } else out.push(scalar(item, INDENTS[depth + 1]!));
  }
}

/**
 * Writes a map's entries like {@link list} (yaml's YAMLMap.from leaves out keys whose value is
 * undefined); returns false, having written nothing, when no key is left.
 */
function map(v: Record<string, unknown>, depth: number, out: string[]): boolean {
  const inner = indentOf(depth + 1);
  let later: 0 | 1 = 0;
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    const val = v[k];
    if (val === undefined) continue;
    const head = entryHead(k, depth, later);
    later = 1;
    if (Array.isArray(val)) {
      if (val.length === 0) out.push(head.emptyList);
      else {
        out.push(head.nested);
        list(val, depth + 1, out);
      }
    } else if (isMap(val)) {
      const mark = out.length;
      out.push(head.nested);
      if (!map(val, depth + 1, out)) {
        out.length = mark;
        out.push(head.emptyMap);
      }
    } else {
      out.push(head.scalar, scalar(val, inner));
    }
  }
  return later === 1;
}

/**
 * Appends the YAML document for `value` to `out`, exactly as
 * `yaml.stringify(value, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false })`
 * writes it, and returns true; or leaves `out` as it was and returns false when the value is
 * outside the subset this emitter reproduces (the caller then uses yaml.stringify). Only maps and
 * lists are accepted at the top.
 */
export function stringifyFastInto(value: unknown, out: string[]): boolean {
  const mark = out.length;
  try {
    if (Array.isArray(value)) list(value, 0, out);
    else if (isMap(value)) {
      if (!map(value, 0, out)) out.push('{}');
    } else return false;
    out.push('\n');
    return true;
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    out.length = mark;
    return false;
  }
}

/** The YAML document for `value` as {@link stringifyFastInto} writes it, or undefined. */
export function stringifyFast(value: unknown): string | undefined {
  const out: string[] = [];
  return stringifyFastInto(value, out) ? out.join('') : undefined;
}
