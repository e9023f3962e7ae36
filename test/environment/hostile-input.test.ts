/**
 * Hostile and broken environment files (issue 13): every one ends as an input error (exit 1)
 * that names the file and says what is wrong in a short message, never as an internal error or
 * a stack overflow, and dist/ is left as it was. The cases are classes, each the smallest input
 * that reproduced it before the fix.
 */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { FILE_LIMITS } from '../../src/environment/read-file.js';
import { REPO, cli, snapshotTree } from '../helpers/project.js';

let roots: string[] = [];
afterEach(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  roots = [];
});

/** A project with the shipped environments and dist/qa, changed by `edit`. */
function project(edit: (env: string) => void = () => {}): string {
  const root = mkdtempSync(join(tmpdir(), 'nodegen-hostile-'));
  roots.push(root);
  cpSync(join(REPO, 'environments'), join(root, 'environments'), { recursive: true });
  cpSync(join(REPO, 'chains'), join(root, 'chains'), { recursive: true });
  cpSync(join(REPO, 'dist', 'qa'), join(root, 'dist', 'qa'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"name":"infra","private":true}\n');
  edit(join(root, 'environments'));
  return root;
}

const append = (file: string, text: string) => (env: string) => appendFileSync(join(env, file), text);
const replace = (file: string, from: RegExp, to: string) => (env: string) => {
  const p = join(env, file);
  const before = readFileSync(p, 'utf8');
  const after = before.replace(from, to);
  if (after === before) throw new Error(`test setup: ${from} not found in ${file}`);
  writeFileSync(p, after);
};

/** Runs validate and synth; both must fail as input errors naming `file` and matching `message`, dist/ unchanged. */
async function expectInputError(root: string, file: string, message: RegExp, env = 'qa') {
  const before = snapshotTree(join(root, 'dist'));
  for (const argv of [['validate', '--env', env], ['synth', '--env', env]]) {
    const r = await cli(root, ...argv);
    expect(r.err, argv.join(' ')).not.toMatch(/internal error|Maximum call stack|\n\s+at /);
    expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(1);
    expect(r.err).toContain(file);
    expect(r.err).toMatch(message);
    // Short: no echoed megabytes.
    expect(r.err.length).toBeLessThan(5000);
  }
  expect(snapshotTree(join(root, 'dist'))).toEqual(before);
}

describe('input that overwhelms a parser is an input error with its file', () => {
  it('refuses an alias bomb before expanding it', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);
    await expectInputError(project(append('qa.yaml', `${levels.join('\n')}\n`)), 'environments/qa.yaml', /aliases expand to too much data/);
  });

  it('refuses 100,000 nested [ with the line, before yaml composes them (which overflowed the stack)', async () => {
    const root = project(append('qa.yaml', `deep: ${'['.repeat(100_000)}\n`));
    await expectInputError(root, 'environments/qa.yaml:6:', /nests flow collections .* more than 64 levels deep/);
  });

  it('refuses deep nesting in every form: flow maps, compact block lists, an alias that contains itself', async () => {
    await expectInputError(project(append('qa.yaml', `deep: ${'{a: '.repeat(50_000)}\n`)), 'environments/qa.yaml:6:', /more than 64 levels deep/);
    await expectInputError(project(append('qa.yaml', `deep:\n${'- '.repeat(100_000)}x\n`)), 'environments/qa.yaml:7:', /more than 64 levels deep/);
    await expectInputError(project(append('qa.yaml', 'loop: &a [*a]\n')), 'environments/qa.yaml', /more than 64 levels deep/);
  });

  it(`refuses more than ${FILE_LIMITS.entries.toLocaleString('en-US')} entries, as block keys and as flow items`, async () => {
    const keys = Array.from({ length: FILE_LIMITS.entries + 1 }, (_, i) => `  k${i}: 1`).join('\n');
    await expectInputError(project(append('qa.yaml', `many:\n${keys}\n`)), 'environments/qa.yaml', /more than 100,000 entries/);
    await expectInputError(project(append('qa.yaml', `many: [${'[],'.repeat(FILE_LIMITS.entries)}]\n`)), 'environments/qa.yaml:6:', /more than 100,000 entries/);
  });

  it('refuses a file over the size limit without reading it into yaml', async () => {
    const root = project(append('qa.yaml', `# ${'x'.repeat(FILE_LIMITS.bytes)}\n`));
    await expectInputError(root, 'environments/qa.yaml', /is 2\.0 MiB; an environment file may be at most 2\.0 MiB/);
  });

  it('cuts a huge value echoed in a message to a readable length, saying how long it was', async () => {
    const root = project(replace('qa.yaml', /^namespace: .*$/m, `namespace: ${'a'.repeat(1 << 20)}`));
    const r = await cli(root, 'validate', '--env', 'qa');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/namespace: must be at most 63 characters \(got "a{20,}… \(1,048,578 characters\)\)/);
    expect(r.err.length).toBeLessThan(2000);
  });

  it('refuses binary, non-UTF-8 and NUL-holding files, and a folder named like an environment', async () => {
    await expectInputError(project((env) => writeFileSync(join(env, 'qa.yaml'), Buffer.from([0x6e, 0x3a, 0x20, 0xff, 0xfe, 0x0a]))), 'environments/qa.yaml', /is not UTF-8 text/);
    await expectInputError(project((env) => writeFileSync(join(env, 'qa.yaml'), 'namespace: a\0b\n')), 'environments/qa.yaml', /NUL characters/);
    const root = project((env) => mkdirSync(join(env, 'extra.yaml')));
    const r = await cli(root, 'validate', '--all');
    expect(r.code).toBe(1);
    expect(r.err).toContain('environments/extra.yaml: is not a file');
  });
});

describe("names that are JavaScript's own", () => {
  it('synthesizes a node named constructor, with its objects named after it', async () => {
    const root = project(replace('base.yaml', /^ {2}monacoind:$/m, '  constructor:'));
    const r = await cli(root, 'synth', '--env', 'qa', '--stdout');
    expect(r.code, r.err).toBe(0);
    const sets = parseAllDocuments(r.out).map((d) => d.toJS()).filter((o) => o?.kind === 'StatefulSet');
    expect(sets.map((o) => o.metadata.name)).toContain('constructor');
  });

  it('refuses __proto__ as a node name, in a file or an override, with the naming rule (it was dropped without a word)', async () => {
    await expectInputError(project(replace('base.yaml', /^ {2}monacoind:$/m, '  __proto__:')), 'environments/base.yaml:', /nodes\.__proto__: node name .*"__proto__" must be a DNS-1123 label/);
    const r = await cli(project(), 'synth', '--env', 'qa', '--stdout', '--set', 'nodes.__proto__.replicas=2');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--set nodes.__proto__.replicas=2 nodes.__proto__: node name .* must be a DNS-1123 label/);
  });

  it('says the naming rule for an invalid node or node pool name (not "Invalid key in record")', async () => {
    const root = project(replace('base.yaml', /^ {2}monacoind:$/m, '  Mona_1:'));
    await expectInputError(root, 'environments/base.yaml:', /nodes\.Mona_1: node name .*"Mona_1" must be a DNS-1123 label: lowercase letters, digits and "-"/);
    const long = project(replace('base.yaml', /^ {2}monacoind:$/m, `  ${'m'.repeat(41)}:`));
    await expectInputError(long, 'environments/base.yaml:', /must be at most 40 characters/);
  });
});

describe('errors name the file that is wrong', () => {
  it('names both merged files when neither sets a required key, and puts it on base.yaml', async () => {
    const root = project(replace('base.yaml', /^clusterCidrs: .*$/m, ''));
    await expectInputError(root, 'environments/base.yaml clusterCidrs', /required \(expected array\), but neither environments\/base\.yaml nor environments\/qa\.yaml sets it/);
  });

  it('gives one message about an environment file name that cannot be a name', async () => {
    const root = project((env) => {
      const text = readFileSync(join(env, 'qa.yaml'), 'utf8').replace(/^namespace: .*$/m, 'namespace: chains-other');
      writeFileSync(join(env, 'QA_Copy.yaml'), text);
    });
    const r = await cli(root, 'validate', '--env', 'QA_Copy');
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(2);
    expect(r.err).toMatch(/environments\/QA_Copy\.yaml: the file name is the environment's name.*DNS-1123 label/);
    // The other environments are not affected by it.
    expect((await cli(root, 'validate', '--env', 'qa')).code).toBe(0);
  });

  it('refuses environments/<name>.yml with a message to use .yaml, instead of ignoring it', async () => {
    const root = project((env) => renameSync(join(env, 'qa.yaml'), join(env, 'qa.yml')));
    for (const argv of [['validate', '--all'], ['synth', '--env', 'qa'], ['list']]) {
      const r = await cli(root, ...argv);
      expect(r.code).toBe(1);
      expect(r.err).toContain('environments/qa.yml: rename it to qa.yaml');
    }
  });

  it('says that merge keys, custom tags and several documents are not supported', async () => {
    await expectInputError(project(append('qa.yaml', 'shared: &s { engine: argocd }\ngitops:\n  <<: *s\n')), 'environments/qa.yaml:8:3 gitops.<<', /merge keys \(<<\) are not supported/);
    await expectInputError(project(append('qa.yaml', 'sandbox: !vault secret/path\n')), 'environments/qa.yaml:6:10', /custom tags are not supported \(Unresolved tag: !vault\)/);
    await expectInputError(project(append('qa.yaml', '---\nsandbox: true\n')), 'environments/qa.yaml:6:1', /more than one YAML document/);
  });
});

describe('--json prints a JSON document on stdout also on failure', () => {
  const commands = [['validate', '--env', 'qa'], ['synth', '--env', 'qa'], ['diff', '--env', 'qa'], ['plan', '--env', 'qa'], ['list']];

  it.each(commands.map((c) => [c.join(' '), c]))('%s: an invalid environment file gives the error document with every problem', async (_, argv) => {
    const root = project(append('qa.yaml', 'bogus: 1\nsandbox: maybe\n'));
    const r = await cli(root, ...(argv as string[]), '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc.error).toMatchObject({ kind: 'input', exitCode: 1 });
    expect(doc.error.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ file: 'environments/qa.yaml', line: 6, path: 'bogus', message: expect.stringMatching(/unknown key "bogus"/) }),
      expect.objectContaining({ file: 'environments/qa.yaml', line: 7, path: 'sandbox' }),
    ]));
    // The same problems go to stderr for people.
    expect(r.err).toContain('environments/qa.yaml:6:1 bogus');
  });

  it('gives the usage document for a command line error, and one document only when the report was printed', async () => {
    const root = project();
    const usage = await cli(root, 'validate', '--env', 'nope', '--json');
    expect(usage.code).toBe(1);
    expect(JSON.parse(usage.out).error).toMatchObject({ kind: 'input', message: expect.stringMatching(/unknown environment "nope"/) });
    const flag = await cli(root, 'synth', '--bogus-flag', '--json');
    expect(flag.code).toBe(2);
    expect(JSON.parse(flag.out).error).toMatchObject({ kind: 'usage', exitCode: 2, message: expect.stringMatching(/unknown option '--bogus-flag'/) });
    // synth --check --json prints its report and fails: stdout is that one document.
    const check = await cli(root, 'synth', '--env', 'qa', '--check', '--json', '--set', 'nodes.geth.replicas=3');
    expect(check.code).toBe(1);
    expect(JSON.parse(check.out)).toHaveProperty('environments');
  });
});

describe('the committed dist/ is input too', () => {
  it('diff and plan name a committed file they cannot read back (an alias bomb, a reference to itself, deep nesting), and synth rewrites it', async () => {
    const tails = [
      `---\na: &a [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 6 }, (_, i) => `l${i}: &l${i} [${Array(9).fill(i === 0 ? '*a' : `*l${i - 1}`).join(', ')}]`).join('\n')}\n`,
      '---\nkind: StatefulSet\nmetadata: &m { name: [*m] }\n',
      `---\nx: ${'['.repeat(100_000)}\n`,
    ];
    for (const tail of tails) {
      const root = project();
      appendFileSync(join(root, 'dist', 'qa', '10-geth.yaml'), tail);
      for (const command of ['diff', 'plan']) {
        const r = await cli(root, command, '--env', 'qa');
        expect(r.err).not.toMatch(/internal error/);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/dist\/qa\/10-geth\.yaml: cannot be read as YAML: .*(aliases|levels deep)/);
      }
      const synth = await cli(root, 'synth', '--env', 'qa');
      expect(synth.code, synth.err).toBe(0);
      expect(readFileSync(join(root, 'dist', 'qa', '10-geth.yaml'), 'utf8')).toBe(readFileSync(join(REPO, 'dist', 'qa', '10-geth.yaml'), 'utf8'));
    }
  });

  it('refuses an --against folder that does not exist or is a file, instead of reporting every object as new', async () => {
    const root = project();
    for (const against of ['no-such-dir', 'package.json']) {
      for (const command of ['diff', 'plan']) {
        const r = await cli(root, command, '--env', 'qa', '--against', against);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(new RegExp(`--against ${against.replace('.', '\\.')}: (no such folder|is not a folder)`));
      }
    }
  });
});
