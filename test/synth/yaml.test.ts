/**
 * The fast YAML emitter must write exactly what yaml.stringify writes, or step aside: every
 * document it returns is compared with the reference, on seeded random documents full of the
 * strings YAML treats specially and on every object of the committed dist/.
 */
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { stringifyFast } from '../../src/synth/yaml.js';
import { toYaml } from '../../src/synth/render.js';
import { readFolder } from '../../src/synth/write.js';
import { REPO } from '../helpers/project.js';
import { random } from '../helpers/random.js';

const OPTIONS = { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false } as const;
const reference = (v: unknown): string => stringify(v, OPTIONS);


/** Pieces strings are made of: what makes YAML quote, escape, fold or block a string. */
const PIECES = [
  'a', 'key', 'value', ' ', '  ', ':', ': ', ' :', '#', ' #', '# ', '-', '- ', '?', '? ', '"', "'", '\\', '\n', '\n\n', '\n  ', '  \n',
  '\t', '\r', 'true', 'false', 'True', 'yes', 'no', 'on', 'null', 'Null', 'NULL', '~', '1', '2', '-3', '+4', '2.5', '.5', '1.', '0x1f', '0x1F',
  '0o17', '017', '1e3', '1E-3', '.inf', '-.Inf', '.nan', '@', '%', '---', '...', '&a', '*a', '!tag', '|', '>', '`', '[', ']', '{', '}', ',',
  'é', 'ü', '日本', '🚀', '\u00a0', '\u2028', '\u0085', '\x07', '$(cmd)', '${VAR}', 'http://x/y?z=1&b=2', '10.0.0.0/8', '500m', '8Gi', 'end\n',
  ' lead', 'trail ', 'line\nline', '=', '%TAG', '<<',
];

/** Strings YAML is known to misread unless quoted, as whole values. */
const WHOLE = ['', ' ', '2', '0x1f', '1e3', 'true', 'null', '~', '-', '?', ':', '#', '- a', 'a: b', 'a #b', "'", '"', `'"`, '1.0', '-0', '+1', '.5'];

function generator(seed: number) {
  const rnd = random(seed);
  const str = (): string => {
    if (rnd(6) === 0) return WHOLE[rnd(WHOLE.length)]!;
    let s = '';
    const n = rnd(8);
    for (let i = 0; i < n; i++) s += PIECES[rnd(PIECES.length)];
    return s;
  };
  const num = (): number => {
    switch (rnd(6)) {
      case 0: return rnd(1000) - 500;
      case 1: return (rnd(100000) - 50000) / 100;
      case 2: return rnd(2) === 0 ? 1e21 : 1.5e-7;
      case 3: return Number.MAX_SAFE_INTEGER;
      case 4: return rnd(20) === 0 ? -0 : 0;
      default: return rnd(50) === 0 ? Number.NaN : rnd(10);
    }
  };
  const value = (depth: number): unknown => {
    const r = rnd(depth > 3 ? 5 : 9);
    switch (r) {
      case 0: case 1: return str();
      case 2: return num();
      case 3: return rnd(2) === 0;
      case 4: return rnd(8) === 0 ? undefined : null;
      case 5: case 6: {
        const o: Record<string, unknown> = {};
        const n = rnd(5);
        for (let i = 0; i < n; i++) o[rnd(10) === 0 ? '' : str()] = value(depth + 1);
        return o;
      }
      default: {
        const a: unknown[] = [];
        const n = rnd(5);
        for (let i = 0; i < n; i++) a.push(rnd(30) === 0 ? undefined : value(depth + 1));
        return a;
      }
    }
  };
  return (): unknown => {
    switch (rnd(4)) {
      case 0: return [value(0), value(0), { a: [value(1)], b: value(1) }];
      case 1: return [];
      default: {
        const o: Record<string, unknown> = { root: value(0) };
        o[str() || 'x'] = value(0);
        o['list'] = [{ name: str(), items: [value(2), { k: value(2) }] }, [value(2)]];
        return o;
      }
    }
  };
}

describe('the fast YAML emitter', () => {
  it('writes what yaml.stringify writes for every one of 20,000 seeded random documents it accepts', () => {
    const next = generator(20261121);
    let fast = 0;
    const mismatches: Array<{ doc: string; expected: string; actual: string }> = [];
    for (let i = 0; i < 20_000; i++) {
      const doc = next();
      const actual = stringifyFast(doc);
      if (actual === undefined) continue;
      fast++;
      const expected = reference(doc);
      if (actual !== expected && mismatches.length < 3) mismatches.push({ doc: JSON.stringify(doc), expected, actual });
    }
    expect(mismatches).toEqual([]);
    // The comparison means something only if many documents take the fast path.
    expect(fast).toBeGreaterThan(5_000);
  });

  it.each([
    ['leading and trailing spaces', { a: ' lead', b: 'trail ', c: '  both  ' }],
    ['colon-space and hash', { 'a: b': 'c: d', 'x #y': 'z #w', '#k': '#v', 'url': 'http://h:80/p#f' }],
    ['quotes of both kinds', { s: "it's", d: 'say "hi"', both: `'"`, k: "'key'" }],
    ['unicode', { 日本: 'é ü 🚀', nbsp: 'a\u00a0b', ls: 'a\u2028b' }],
    ['numbers, booleans and nulls as strings', { a: '2', b: '0x1f', c: '1e3', d: 'true', e: 'null', f: '~', g: '', h: '-1.5', i: '.inf', j: 'False' }],
    ['real numbers, booleans and null', { a: 2, b: -1.5, c: 1e21, d: 1.5e-7, e: true, f: false, g: null }],
    ['multi-line strings with trailing newlines and leading spaces', { a: 'x\ny\n', b: 'x\ny', c: '  indented\nnext\n', d: '\nfirst empty\n', e: 'a\n\n\nb\n' }],
    ['empty maps, empty lists and empty strings', { m: {}, l: [], s: '', nested: { m: {}, l: [[]], s: [''] } }],
    ['nested lists of maps', [{ a: [{ b: [{ c: 1 }, [{ d: 'e' }]] }] }, [[{ x: 'y', z: [] }]]]],
    ['empty keys and keys that look like other types', { '': 1, '1': 2, true: 3, null: 4, '-': 5, '? x': 6 }],
    ['a top-level empty map', {}],
  ])('accepts %s and writes them as yaml.stringify does', (_name, doc) => {
    const actual = stringifyFast(doc);
    expect(actual).toBeDefined();
    expect(actual).toBe(reference(doc));
  });

  it.each([
    ['control characters', { a: 'bell\x07' }],
    ['a carriage return', { a: 'a\r\nb' }],
    ['a document marker line', { a: 'x\n---\ny' }],
    ['a multi-line key', { 'a\nb': 1 }],
    ['a block scalar that needs keep chomping', { a: 'x\n\n' }],
    ['a value ending in a whitespace-only line', { a: 'x\n  ' }],
    ['negative zero', { a: -0 }],
    ['a non-finite number', { a: Number.POSITIVE_INFINITY }],
    ['undefined in a list', [1, undefined]],
    ['a Date', { a: new Date(0) }],
    ['a Map', { a: new Map([['k', 'v']]) }],
    ['an object with toJSON', { a: { toJSON: () => 'x' } }],
    ['a key longer than 1,024 characters', { ['k'.repeat(1100)]: 1 }],
    ['a top-level scalar', 'text'],
  ])('leaves %s to yaml.stringify, and toYaml writes it as yaml does', (_name, doc) => {
    expect(stringifyFast(doc)).toBeUndefined();
    expect(toYaml([doc])).toBe(reference(doc));
  });

  it('leaves out map keys whose value is undefined, as yaml does', () => {
    const doc = { a: undefined, b: { c: undefined }, d: 1 };
    expect(stringifyFast(doc)).toBe(reference(doc));
    expect(stringifyFast(doc)).toBe('b: {}\nd: 1\n');
  });

  it('renders a repeated string the same at every indent, the cache notwithstanding', () => {
    const script = 'set -e\n  exec geth\n';
    const doc = { a: script, b: { c: script, d: [script, { e: script }] }, [script.trim().split('\n')[0]!]: script };
    expect(stringifyFast(doc)).toBe(reference(doc));
  });

  it('re-emits every object of the committed dist/ byte for byte, all through the fast path', () => {
    const dist = readFolder(join(REPO, 'dist'));
    expect(dist.size).toBeGreaterThan(20);
    let documents = 0;
    for (const [file, content] of dist) {
      const values = parseAllDocuments(content).map((d) => d.toJS() as unknown);
      for (const v of values) {
        expect(stringifyFast(v), `${file}: a document fell back to yaml.stringify`).toBe(reference(v));
        documents++;
      }
      // The file is its two header comment lines and the documents as toYaml joins them.
      const body = content.split('\n').slice(2).join('\n');
      expect(toYaml(values), file).toBe(body);
    }
    expect(documents).toBeGreaterThan(50);
  });
});
