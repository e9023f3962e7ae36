import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, copyProject, snapshotTree } from '../helpers/project.js';

const FLOOR = join(__dirname, 'floor.cjs');
const project = copyProject();
afterAll(() => project.cleanup());

function floor(...args: string[]) {
  const r = spawnSync(process.execPath, [FLOOR, ...args], { cwd: project.root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the floor helper of the benchmark (test/bench/floor.cjs)', () => {
  it('runs synth --all in one process as often as asked, writing what the CLI writes, and lists the files it loaded', () => {
    const dist = join(project.root, 'dist');
    const before = snapshotTree(dist);
    rmSync(join(dist, 'qa'), { recursive: true });
    const r = floor('work', '3');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const { files, ms } = JSON.parse(r.out) as { files: string[]; ms: number[] };
    expect(ms).toHaveLength(3);
    for (const t of ms) expect(t).toBeGreaterThan(0);
    // The runs rendered the shipped fleet: dist/qa is back, and dist/ is byte for byte the committed one.
    expect(snapshotTree(dist)).toEqual(before);
    // What a synth --all compiles through the launcher's code cache, from the copy, in load order.
    const bundled = existsSync(join(REPO, 'lib', 'cli', 'run.js'));
    expect(files[0]).toBe(join(project.root, 'lib', bundled ? 'cli' : 'src/cli', 'run.js'));
    if (bundled) {
      expect(files.some((f) => /[\\/]lib[\\/]cli[\\/]synth-[^\\/]+\.js$/.test(f))).toBe(true);
      expect(files).toContain(join(project.root, 'src', 'validate', 'schemas', 'validators.kubernetes.js'));
    }
    for (const f of files) expect(f.startsWith(project.root)).toBe(true);

    // The load case loads exactly those and exits cleanly.
    const list = join(project.root, 'floor-files.json');
    writeFileSync(list, JSON.stringify({ files }));
    const load = floor('load', list);
    expect(load.err).toBe('');
    expect(load.code).toBe(0);

    // Given the list, work loads it before its first run: the same files, in the same order.
    const preloaded = floor('work', '1', list);
    expect(preloaded.code).toBe(0);
    expect((JSON.parse(preloaded.out) as { files: string[] }).files).toEqual(files);
  });

  it('fails with a message, not a stack trace, when synth fails or a listed file is missing', () => {
    const list = join(project.root, 'missing-files.json');
    writeFileSync(list, JSON.stringify({ files: [join(project.root, 'lib', 'cli', 'no-such-chunk.js')] }));
    const load = floor('load', list);
    expect(load.code).toBe(1);
    expect(load.err).toMatch(/^floor: .*no-such-chunk\.js/);
    expect(load.err).not.toMatch(/\n\s+at /);

    const qa = join(project.root, 'environments', 'qa.yaml');
    const text = readFileSync(qa, 'utf8');
    appendFileSync(qa, '\nnodes: [\n');
    try {
      const work = floor('work', '2');
      expect(work.code).toBe(1);
      expect(work.err).toMatch(/^floor: synth --all exited with 1:/);
      expect(work.err).toContain('qa.yaml');
    } finally {
      writeFileSync(qa, text);
    }

    expect(floor('work', 'many').err).toMatch(/^floor: work needs a number of runs/);
    expect(floor('sideways').code).toBe(1);
  });
});
