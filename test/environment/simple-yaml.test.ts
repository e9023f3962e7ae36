/**
 * The fast environment reader must give exactly yaml's value, or step aside: every text it reads
 * is compared with `parseDocument(text).toJS()` (and must be one yaml reads without an error), on
 * every YAML file of the repository, a generated fleet and seeded random documents near and
 * outside the subset it knows.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readSimpleYaml } from '../../src/environment/simple-yaml.js';
import { REPO } from '../helpers/project.js';
import { random } from '../helpers/random.js';
// @ts-expect-error: a plain JavaScript module without types
import { fleetYaml } from '../bench/fleet.mjs';

/** What yaml reads, or the string 'error' when it reports an error (duplicate keys included). */
function reference(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) return 'error';
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return 'error'; // an alias before its anchor
  }
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'lib') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yamlFiles(path, out);
    else if (name.endsWith('.yaml') || name.endsWith('.yml')) out.push(path);
  }
  return out;
}

/** Checks one text; returns whether the fast reader read it. */
function agrees(text: string): boolean {
  const fast = readSimpleYaml(text);
  if (fast === undefined) return false;
  expect(fast, text).toEqual(reference(text));
  return true;
}

const KEYS = ['a', 'b', 'geth', 'node-1', 'app.kubernetes.io/name', 'x_y', '1', 'true', 'null', '~', '0x1f', '1e3', '__proto__', '<<', 'a b', '"q"', "'s'", '-a', '.a', 'a:b', 'k'.repeat(1030), 'constructor', 'toString'];
const SCALARS = [
  'plain', 'two words', '300Gi', '2', '-3', '+4', '2.5', '.5', '1.', '1.50', '0x1f', '0o17', '017', '1e3', '.inf', '-.Inf', '.nan', 'true', 'False', 'yes',
  'null', 'Null', '~', '', 'a#b', 'a #b', 'a: b', 'a:b', 'a:', ':a', '?a', '? a', '-a', '- a', '-', '&x', '*x', '!t x', '|', '>', '%x', '@x', '`x', '"dq"',
  "'sq'", "'it''s'", '"a\\"b"', '"a\\nb"', '"unterminated', "'unterminated", '"a" b', '"a"#c', '"a" #c', 'é ü', '日本', 'a\u00a0', '10.0.0.0/8', 'repo/x:1.2',
  'http://h:80/p', '[a, b]', '[a,b]', '[]', '{}', '{ }', '[ ]', '{ a: 1 }', '{ a: 1, b: "2" }', '{a: 1}', '{ a: 1, a: 2 }', '[a, [b, c], { d: e }]', '[a, ]',
  '[a, , b]', '{ a: }', '{ a }', '[a: b]', '[a #c]', '[ "x", \'y\' ]', '{ cpu: "2", memory: 4Gi }', '[a] x', '[a] #c', '{ a: [1, 2] }', '[-1, - 1]', 'a,b',
  '{ "k": v }', '[a', 'x # comment', 'x #', 'x\t', '\tx', 'a\rb',
];

/**
 * Random documents: block structure with keys and scalars at every indentation, lists, `- key:`
 * maps and comments, some lines out of place. Each document has its own level of oddity (odd
 * keys, odd scalars and misplaced lines), so that many are read and many are refused.
 */
function generator(seed: number): () => string {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
  let odd = 0; // out of 100
  const chance = (percent: number): boolean => rnd(100) < percent;
  const key = (): string => (chance(odd / 2) ? pick(KEYS) : pick(KEYS.slice(0, 6)) + String(rnd(20)));
  const scalar = (): string => (chance(odd) ? pick(SCALARS) : pick(SCALARS.slice(0, 20)));
  const block = (indent: number, depth: number, lines: string[]): void => {
    const pad = ' '.repeat(indent);
    const asList = depth > 0 && rnd(2) === 0;
    const n = 1 + rnd(4);
    for (let i = 0; i < n; i++) {
      if (rnd(8) === 0) lines.push(rnd(2) === 0 ? '' : `${' '.repeat(rnd(6))}# comment`);
      const nested = depth < 3 && rnd(3) === 0;
      const inner = indent + (chance(odd) ? pick([1, 3, 4]) : 2);
      if (asList) {
        if (rnd(3) === 0) {
          // `- key: value`, the map's later keys aligned after the dash (or, now and then, not).
          const gap = pick([1, 1, 2, 3]);
          lines.push(`${pad}-${' '.repeat(gap)}${key()}:${rnd(3) === 0 ? '' : ` ${scalar()}`}`);
          if (rnd(2) === 0) lines.push(`${pad}${' '.repeat(rnd(4) === 0 ? pick([1, 2, 3, 4]) : 1 + gap)}${key()}: ${scalar()}`);
        } else if (nested) {
          lines.push(`${pad}-${rnd(4) === 0 ? ' # c' : ''}`);
          block(inner, depth + 1, lines);
        } else lines.push(`${pad}- ${scalar()}`);
      } else if (nested) {
        lines.push(`${pad}${key()}:${rnd(5) === 0 ? ' # c' : rnd(6) === 0 ? '   ' : ''}`);
        if (rnd(6) === 0) lines.push(`${pad}- ${scalar()}`);
        else block(inner, depth + 1, lines);
      } else {
        lines.push(`${pad}${key()}:${rnd(8) === 0 ? '' : ` ${scalar()}`}${rnd(6) === 0 ? ' # c' : ''}`);
      }
      // A line out of place: deeper, shallower or at an odd column.
      if (chance(odd / 5)) lines.push(`${' '.repeat(Math.max(0, indent + rnd(5) - 2))}${rnd(2) === 0 ? `${key()}: ${scalar()}` : scalar()}`);
    }
  };
  return () => {
    odd = pick([0, 2, 5, 10, 30]);
    const lines: string[] = [];
    if (chance(odd)) lines.push(pick(['---', '# head', '%YAML 1.2', '  ', '']));
    block(chance(odd / 3) ? 1 : 0, 0, lines);
    return lines.join('\n') + (rnd(4) === 0 ? '' : '\n');
  };
}

describe('the simple YAML reader of environment files', () => {
  it('reads every YAML file of the repository as yaml does, or leaves it to yaml', () => {
    const files = [...yamlFiles(join(REPO, 'environments')), ...yamlFiles(join(REPO, 'test', 'fixtures')), ...yamlFiles(join(REPO, 'examples'))];
    expect(files.length).toBeGreaterThan(40);
    for (const f of files) agrees(readFileSync(f, 'utf8'));
  });

  it('reads every shipped environment file and a generated fleet itself', () => {
    const files = readdirSync(join(REPO, 'environments')).filter((f) => f.endsWith('.yaml'));
    expect(files).toContain('base.yaml');
    for (const f of files) expect(agrees(readFileSync(join(REPO, 'environments', f), 'utf8')), f).toBe(true);
    const fleet = fleetYaml(300, ['geth', 'bitcoind', 'monacoind']) as string;
    expect(agrees(fleet)).toBe(true);
  });

  it('gives yaml\'s value for every one of 20,000 seeded random documents it reads, and reads many', () => {
    const next = generator(20261121);
    let read = 0;
    let refusedValid = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = next();
      if (agrees(text)) read++;
      else if (reference(text) !== 'error') refusedValid++;
    }
    // The comparison means something only if both kinds are common.
    expect(read).toBeGreaterThan(3_000);
    expect(refusedValid).toBeGreaterThan(1_000);
  });

  it('gives yaml\'s value for what yaml.stringify writes of random data', () => {
    const rnd = random(7);
    const value = (depth: number): unknown => {
      switch (rnd(depth > 2 ? 3 : 5)) {
        case 0: return SCALARS[rnd(SCALARS.length)];
        case 1: return [1, -2.5, true, null, 0, 1e21][rnd(6)];
        case 2: return rnd(2) === 0 ? 'plain text' : '';
        case 3: return Object.fromEntries(Array.from({ length: rnd(4) }, () => [KEYS[rnd(KEYS.length)]!, value(depth + 1)]));
        default: return Array.from({ length: rnd(4) }, () => value(depth + 1));
      }
    };
    let read = 0;
    for (let i = 0; i < 3_000; i++) {
      const doc = { root: value(0), [KEYS[rnd(6)]!]: value(1) };
      if (agrees(stringify(doc, { lineWidth: 0 }))) read++;
      if (agrees(stringify(doc, { lineWidth: 0, collectionStyle: 'flow' }))) read++;
    }
    expect(read).toBeGreaterThan(500);
  });

  it.each([
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a duplicate key in a flow map', 'a: { b: 1, b: 2 }\n'],
    ['a tab', 'a:\n\tb: 1\n'],
    ['an anchor and an alias', 'a: &x 1\nb: *x\n'],
    ['a block scalar', 'a: |\n  text\n'],
    ['a plain scalar over two lines', 'a: one\n  two\n'],
    ['a quoted string with escapes', 'a: "x\\ty"\n'],
    ['a misaligned key', 'a:\n    b: 1\n  c: 2\n'],
    ['a top-level list', '- a\n'],
    ['an empty file', ''],
  ])('leaves %s to yaml', (_name, text) => {
    expect(readSimpleYaml(text)).toBeUndefined();
  });
});
