/**
 * A fast reader for the plain YAML environment files are written in: block maps and lists,
 * one-line flow maps and lists (`{ size: 300Gi }`, `[a, b]`), plain and simply quoted scalars,
 * comments. It returns exactly what `parseDocument(text).toJS()` returns, or undefined for
 * anything else, and the caller then parses with yaml.
 *
 * Why it exists (issue 7): yaml builds a concrete syntax tree, then a node tree, then the value;
 * at 1,000 nodes that took 0.4 s of a 2.3 s synth (most of it before the JIT warms up), at 5,000
 * nodes 0.7 s. nodegen needs the tree only to point at a line when something is wrong, so the
 * loader reads the value here and builds yaml's tree only when it has to locate a key.
 *
 * Correctness comes from refusing: whatever it does not recognize with certainty (anchors, tags,
 * block scalars, multi-line scalars, escapes, keys other than plain names, duplicate keys, tabs,
 * carriage returns, document markers, odd indentation) is left to yaml, which then also reports
 * every error with its position. Scalars are resolved with yaml's own core-schema tags, so `2`,
 * `true`, `~` and `0x1f` read as yaml reads them. test/environment/simple-yaml.test.ts compares
 * both on every environment file and fixture and on thousands of seeded random documents.
 */
import { Document, isScalar } from 'yaml';
import type { Plain } from './merge.js';

/**
 * Nesting this reader follows; deeper text is left to ./read-file.ts, which holds every file to
 * its limits without recursion (the shipped files nest 7 levels).
 */
const MAX_DEPTH = 32;

/** Thrown for anything outside the subset; the caller falls back to yaml. */
const NOT_SIMPLE = Symbol('not simple');

interface ScalarTag {
  readonly test: RegExp;
  resolve(source: string, onError: (message: string) => void, options: unknown): unknown;
}

const DOCUMENT = new Document();
/**
 * The core schema's implicit scalar tags (null, bool, int, float) in yaml's order: a plain scalar
 * takes the first whose test matches, else it is a string (yaml's findScalarTagByTest).
 */
const TAGS: readonly ScalarTag[] = DOCUMENT.schema.tags.filter(
  (t): t is typeof t & ScalarTag => t.default === true && !t.collection && 'test' in t && t.test instanceof RegExp,
);
const OPTIONS = DOCUMENT.options;

/** Keys read here: plain names (that also must resolve to themselves as strings). Sticky: set lastIndex. */
const KEY = /[A-Za-z0-9_][A-Za-z0-9_./-]*/y;
/** Characters yaml does not allow (or escapes) in a document, tabs, and carriage returns. */
const REFUSED_CHARS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\u{D800}-\u{DFFF}]/u;
/** First characters of a plain scalar that mean something else (indicators), or need care. */
const INDICATOR_START = /^(?:[?:,[\]{}#&*!|>'"%@`]|-(?: |$))/;

function fail(): never {
  throw NOT_SIMPLE;
}

/** The plain name at `text[at]`, or undefined. */
function keyAt(text: string, at: number): string | undefined {
  KEY.lastIndex = at;
  return KEY.exec(text)?.[0];
}

/** `s` without trailing spaces (only spaces: other white space is content to YAML, or refused). */
function trimSpaces(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** A plain scalar's value, as yaml's core schema resolves it. */
function plainValue(source: string): Plain {
  for (const tag of TAGS) {
    if (tag.test.test(source)) {
      const resolved = tag.resolve(source, fail, OPTIONS);
      const value = isScalar(resolved) ? resolved.value : resolved;
      if (value !== null && typeof value !== 'boolean' && typeof value !== 'number') fail();
      return value as Plain;
    }
  }
  return source;
}

/** Keys known to read as themselves: fleets repeat the same few thousand times. */
const plainKeys = new Set<string>();

/** A key that is a plain name and reads as that string, new in its map. */
function checkedKey(key: string, map: Record<string, Plain>): string {
  // A repeated key is yaml's error to report. (`__proto__` would need yaml's defineProperty.)
  if (Object.prototype.hasOwnProperty.call(map, key)) fail();
  if (plainKeys.has(key)) return key;
  if (key.length > 1000 || key === '__proto__') fail();
  for (const tag of TAGS) if (tag.test.test(key)) fail();
  if (plainKeys.size < 10_000) plainKeys.add(key);
  return key;
}

/** One structural line: its indentation and its text after it (blank and comment lines are dropped). */
interface Line {
  readonly indent: number;
  readonly text: string;
}

/** Whether `text` continues after a value only with spaces and an optional comment. */
function isTrailing(text: string, from: number): boolean {
  let i = from;
  while (text.charCodeAt(i) === 32) i++;
  return i === text.length || (text[i] === '#' && i > from);
}

/** A quoted scalar starting at `text[start]` (the quote); returns its value and the index after it. */
function quoted(text: string, start: number): { readonly value: string; readonly end: number } {
  if (text[start] === '"') {
    const close = text.indexOf('"', start + 1);
    if (close < 0) fail(); // a string that goes on to the next line
    const value = text.slice(start + 1, close);
    if (value.includes('\\')) fail(); // escapes
    return { value, end: close + 1 };
  }
  let value = '';
  let from = start + 1;
  for (;;) {
    const q = text.indexOf("'", from);
    if (q < 0) fail();
    value += text.slice(from, q);
    if (text[q + 1] !== "'") return { value, end: q + 1 };
    value += "'";
    from = q + 2;
  }
}

/** A flow collection (`[...]`, `{...}`) that ends on its own line; `pos` indexes `text`. */
class Flow {
  pos: number;
  /** Collections open around the current position: deep nesting is left to the guarded reader. */
  private depth = 0;
  constructor(private readonly text: string, start: number) {
    this.pos = start;
  }

  private skip(): void {
    while (this.text.charCodeAt(this.pos) === 32) this.pos++;
  }

  node(): Plain {
    const { text } = this;
    const open = text[this.pos];
    const close = open === '[' ? ']' : '}';
    if (++this.depth > MAX_DEPTH) fail();
    this.pos++;
    this.skip();
    const list: Plain[] = [];
    const map: Record<string, Plain> = {};
    if (text[this.pos] === close) {
      this.pos++;
      this.depth--;
      return open === '[' ? list : map;
    }
    for (;;) {
      if (open === '[') list.push(this.item());
      else {
        const key = keyAt(text, this.pos);
        if (key === undefined) fail();
        this.pos += key.length;
        if (text[this.pos] !== ':' || text[this.pos + 1] !== ' ') fail();
        this.pos += 2;
        this.skip();
        map[checkedKey(key, map)] = this.item();
      }
      this.skip();
      const c = text[this.pos++];
      if (c === close) {
        this.depth--;
        return open === '[' ? list : map;
      }
      if (c !== ',') fail();
      this.skip();
      if (text[this.pos] === close || text[this.pos] === ',') fail(); // yaml allows a trailing comma; rare: leave it to yaml
    }
  }

  /** A value inside a flow collection. */
  private item(): Plain {
    const { text } = this;
    const c = text[this.pos];
    if (c === '[' || c === '{') return this.node();
    if (c === '"' || c === "'") {
      const q = quoted(text, this.pos);
      this.pos = q.end;
      return q.value;
    }
    let end = this.pos;
    while (end < text.length && !',[]{}'.includes(text[end]!)) end++;
    const source = trimSpaces(text.slice(this.pos, end));
    // Colons (pairs, `a:b`), comments and indicators read differently in flow: left to yaml.
    if (source === '' || INDICATOR_START.test(source) || source.includes(':') || source.includes('#')) fail();
    this.pos = end;
    return plainValue(source);
  }
}

/** Reads a document of structural lines. */
class Reader {
  private i = 0;
  /** Block collections open around the current line. */
  private depth = 0;
  constructor(private readonly lines: Line[]) {}

  document(): Plain {
    const first = this.lines[0];
    if (first === undefined || first.indent !== 0 || isSeqLine(first.text)) fail();
    const value = this.map(0);
    if (this.i < this.lines.length) fail();
    return value;
  }

  /** Whether the next line is indented deeper than `indent`: a value may not continue there. */
  private deeper(indent: number): boolean {
    const next = this.lines[this.i];
    return next !== undefined && next.indent > indent;
  }

  /** The block node whose lines start at the current line's indentation. */
  private block(): Plain {
    const line = this.lines[this.i]!;
    if (++this.depth > MAX_DEPTH) fail();
    const value = isSeqLine(line.text) ? this.seq(line.indent) : this.map(line.indent);
    this.depth--;
    return value;
  }

  private map(indent: number): Record<string, Plain> {
    const out: Record<string, Plain> = {};
    for (let line = this.lines[this.i]; line !== undefined && line.indent === indent; line = this.lines[this.i]) {
      const { text } = line;
      const key = keyAt(text, 0);
      if (key === undefined || text[key.length] !== ':') fail();
      const after = key.length + 1;
      if (after < text.length && text[after] !== ' ') fail();
      checkedKey(key, out);
      this.i++;
      let value: Plain;
      let start = after;
      while (text.charCodeAt(start) === 32) start++;
      if (start === text.length || text[start] === '#') {
        const next = this.lines[this.i];
        if (next !== undefined && next.indent > indent) value = this.block();
        // A list may sit at its key's indentation.
        else if (next !== undefined && next.indent === indent && isSeqLine(next.text)) value = this.seq(indent);
        else value = null;
      } else {
        value = inline(text, start);
        if (this.deeper(indent)) fail();
      }
      out[key] = value;
    }
    if (this.deeper(indent)) fail();
    return out;
  }

  private seq(indent: number): Plain[] {
    const out: Plain[] = [];
    for (let line = this.lines[this.i]; line !== undefined && line.indent === indent && isSeqLine(line.text); line = this.lines[this.i]) {
      const { text } = line;
      let start = 1;
      while (text.charCodeAt(start) === 32) start++;
      if (start === text.length || text[start] === '#') {
        this.i++;
        out.push(this.deeper(indent) ? this.block() : null);
      } else if (isSeqLine(text.slice(start))) {
        fail(); // `- - a`
      } else if (isKeyLine(text, start)) {
        // `- key: value`: a map whose keys line up after the dash.
        this.lines[this.i] = { indent: indent + start, text: text.slice(start) };
        out.push(this.map(indent + start));
      } else {
        this.i++;
        out.push(inline(text, start));
        if (this.deeper(indent)) fail();
      }
    }
    if (this.deeper(indent)) fail();
    return out;
  }
}

function isSeqLine(text: string): boolean {
  return text[0] === '-' && (text.length === 1 || text[1] === ' ');
}

function isKeyLine(text: string, start: number): boolean {
  const key = keyAt(text, start);
  if (key === undefined) return false;
  const colon = start + key.length;
  return text[colon] === ':' && (colon + 1 === text.length || text[colon + 1] === ' ');
}

/** A value on its key's (or dash's) line, from `start`: a quoted or plain scalar or a flow collection. */
function inline(text: string, start: number): Plain {
  const c = text[start];
  if (c === '"' || c === "'") {
    const q = quoted(text, start);
    if (!isTrailing(text, q.end)) fail();
    return q.value;
  }
  if (c === '[' || c === '{') {
    const flow = new Flow(text, start);
    const value = flow.node();
    if (!isTrailing(text, flow.pos)) fail();
    return value;
  }
  const comment = text.indexOf(' #', start);
  const source = trimSpaces(comment < 0 ? text.slice(start) : text.slice(start, comment));
  // `a: b` on one line is a nested map; a trailing colon is a key.
  if (INDICATOR_START.test(source) || source.includes(': ') || source.endsWith(':')) fail();
  return plainValue(source);
}

/**
 * The value of a YAML environment file exactly as yaml's `parseDocument(text).toJS()` gives it,
 * when the text is a block map within the subset this reader knows; otherwise undefined (also
 * for every text yaml reports an error in).
 */
export function readSimpleYaml(text: string): Plain | undefined {
  if (REFUSED_CHARS.test(text)) return undefined;
  const lines: Line[] = [];
  let from = 0;
  while (from <= text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    let indent = from;
    while (text.charCodeAt(indent) === 32) indent++;
    if (indent < to && text[indent] !== '#') {
      const content = text.slice(indent, to);
      // Document markers and directives.
      if (indent === from && (content.startsWith('---') || content.startsWith('...') || content[0] === '%')) return undefined;
      lines.push({ indent: indent - from, text: trimSpaces(content) });
    }
    from = to + 1;
  }
  try {
    return new Reader(lines).document();
  } catch (e) {
    if (e === NOT_SIMPLE) return undefined;
    throw e;
  }
}
