/**
 * A seeded mutation fuzzer over the shipped environment files: each case changes base.yaml or
 * an environment file a little (a line deleted, repeated, re-indented or swapped; a value or key replaced
 * by an awkward one; a character inserted) and runs validate and synth. Whatever the text, the
 * run must end with exit 0 or 1 and never as an internal error, and a failed synth must leave
 * dist/ as it was. Seeded, so every run checks the same cases and a failure names its seed.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, cli, snapshotTree } from '../helpers/project.js';
import { random } from '../helpers/random.js';

const VALUES = [
  '', '0', '-1', '1.5', '1e309', '.nan', '-.inf', 'null', '~', 'true', 'no', '[]', '{}', '[a, b]', '{ a: 1 }', '"x"', "'y'",
  '99999999999999999999999', '0x1f', '0o17', '2Ti', '1Ei', '-5Gi', '0.0001m', '500m', '8Gi', 'Gi', 'geth', 'bitcoind',
  'monacoind', 'mainnet', 'testnet', 'main', 'public', 'private', '0.0.0.0/0', '10.0.0.0/8', '::/0', 'latest',
  'ethereum/client-go', 'a'.repeat(300), 'é漢字🙂', '*', '&a x', '*a', '!!binary aGVsbG8=', '!!str 3', '| \n  text',
  '"\\u0000"', '"\\x41"', '2001-12-14', '[[[[', '}', 'constructor', '__proto__', 'toString', '- x', ': x',
];

const KEYS = ['constructor', '__proto__', 'toString', 'prototype', 'hasOwnProperty', 'valueOf', 'replicas', 'client', 'image', 'storage', 'expose', 'rpc', 'x-y', 'Z', '0', '<<', '"a b"', '? k'];

/** One random change to a YAML text. */
function mutate(text: string, rnd: (n: number) => number): string {
  const lines = text.split('\n');
  const i = rnd(lines.length);
  const line = lines[i]!;
  const pick = <T>(xs: readonly T[]) => xs[rnd(xs.length)]!;
  switch (rnd(8)) {
    case 0:
      lines.splice(i, 1);
      break;
    case 1:
      lines.splice(i, 0, line);
      break;
    case 2:
      lines[i] = rnd(2) === 0 ? `  ${line}` : line.replace(/^ {1,2}/, '');
      break;
    case 3: {
      const j = rnd(lines.length);
      [lines[i], lines[j]] = [lines[j]!, line];
      break;
    }
    case 4:
      // A value replaced: after `key:` or `- `.
      lines[i] = /:\s/.test(line) ? line.replace(/:\s.*$/, `: ${pick(VALUES)}`) : line.replace(/^(\s*)- .*$/, `$1- ${pick(VALUES)}`);
      break;
    case 5:
      lines[i] = line.replace(/^(\s*)[^\s:#-][^:]*:/, `$1${pick(KEYS)}:`);
      break;
    case 6: {
      const at = rnd(line.length + 1);
      lines[i] = line.slice(0, at) + pick(['[', ']', '{', '}', ':', '-', '#', '"', "'", '&', '*', '!', '|', '>', '\t', '%', '@', ',', '?']) + line.slice(at);
      break;
    }
    default:
      // A whole node or key block added with awkward values.
      lines.splice(i, 0, `${' '.repeat(2 * rnd(3))}${pick(KEYS)}: ${pick(VALUES)}`);
  }
  return lines.join('\n');
}

/** Cases per run; FUZZ_CASES=5000 for a longer search. */
const CASES = Number(process.env['FUZZ_CASES'] ?? 400);

describe('mutation fuzzer over the environment files', () => {
  const root = mkdtempSync(join(tmpdir(), 'nodegen-fuzz-'));
  cpSync(join(REPO, 'environments'), join(root, 'environments'), { recursive: true });
  cpSync(join(REPO, 'chains'), join(root, 'chains'), { recursive: true });
  cpSync(join(REPO, 'dist'), join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"name":"infra","private":true}\n');
  const FILES = ['base.yaml', 'qa.yaml', 'nodetest.yaml', 'production.yaml'];
  const originals = Object.fromEntries(FILES.map((f) => [f, readFileSync(join(root, 'environments', f), 'utf8')]));
  const dist = snapshotTree(join(root, 'dist'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it(`ends every one of ${CASES} mutated environments with exit 0 or 1, never an internal error, dist/ unchanged on failure`, async () => {
    const failures: string[] = [];
    const outcomes = { accepted: 0, refused: 0 };
    for (let seed = 1; seed <= CASES; seed++) {
      const rnd = random(seed);
      const file = FILES[rnd(FILES.length)]!;
      const env = file === 'base.yaml' ? ['qa', 'nodetest', 'production'][rnd(3)]! : file.replace('.yaml', '');
      let text = originals[file]!;
      for (let n = 1 + rnd(3); n > 0; n--) text = mutate(text, rnd);
      for (const f of FILES) writeFileSync(join(root, 'environments', f), f === file ? text : originals[f]!);
      for (const argv of [['validate', '--env', env], ['synth', '--env', env, '--json']]) {
        const r = await cli(root, ...argv);
        if (![0, 1].includes(r.code) || /internal error|\n\s+at \S+ \(/.test(r.err)) {
          failures.push(`seed ${seed} (${file}) ${argv.join(' ')}: exit ${r.code}: ${r.err.slice(0, 300)}`);
        }
        if (argv[0] === 'synth') {
          if (r.code === 0) outcomes.accepted++;
          else outcomes.refused++;
          // --json: a document on stdout either way.
          expect(() => JSON.parse(r.out), `seed ${seed}: ${r.out.slice(0, 200)}`).not.toThrow();
          if (r.code !== 0) expect(snapshotTree(join(root, 'dist')), `seed ${seed}`).toEqual(dist);
        }
      }
      // A run that was accepted wrote dist/<env>: put the committed one back for the next case.
      rmSync(join(root, 'dist', env), { recursive: true, force: true });
      cpSync(join(REPO, 'dist', env), join(root, 'dist', env), { recursive: true });
    }
    expect(failures).toEqual([]);
    // The fuzzer reaches both outcomes: it is not refusing everything at the first parse.
    expect(outcomes.accepted).toBeGreaterThan(10);
    expect(outcomes.refused).toBeGreaterThan(100);
  }, 600_000);
});
