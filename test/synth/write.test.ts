/**
 * Writing dist/<env>/: an unchanged file is kept as it is on disk (linked into the new folder, not
 * written again), and everything else ends exactly as a fresh write would leave it.
 */
import { chmodSync, linkSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENERATED_HEADER, type RenderedFile } from '../../src/synth/render.js';
import { OutputFolder, compareFolder } from '../../src/synth/write.js';

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nodegen-write-'));
  dir = join(root, 'qa');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The header every file nodegen writes begins with: the writer replaces only folders of such files. */
const H = `${GENERATED_HEADER}environments/qa.yaml\n`;
const file = (name: string, content: string): RenderedFile => ({ name, content: H + content, objects: [] });

/** Writes one folder as synth does, under the output folder's lock. */
async function writeFolder(files: readonly RenderedFile[]) {
  const out = await OutputFolder.open(root);
  try {
    await out.replace([{ dir, files }]);
  } finally {
    out.close();
  }
}

/** What synth does: compare, then write. */
async function synth(files: readonly RenderedFile[]) {
  const reports = compareFolder(dir, files);
  await writeFolder(files);
  return reports;
}

describe('writing an environment folder', () => {
  it('keeps unchanged files as they are on disk and writes changed, new and nested ones', async () => {
    await synth([file('a.yaml', 'a: 1\n'), file('b.yaml', 'b: 1\n'), file('gitops/c.yaml', 'c: é\n'), file('old.yaml', 'x\n')]);
    const before = { a: statSync(join(dir, 'a.yaml')), b: statSync(join(dir, 'b.yaml')), c: statSync(join(dir, 'gitops', 'c.yaml')) };
    const reports = await synth([file('a.yaml', 'a: 1\n'), file('b.yaml', 'b: 2\n'), file('gitops/c.yaml', 'c: é\n'), file('new.yaml', 'n\n')]);
    expect(reports).toEqual([
      { file: 'a.yaml', change: 'unchanged' },
      { file: 'b.yaml', change: 'changed' },
      { file: 'gitops/c.yaml', change: 'unchanged' },
      { file: 'new.yaml', change: 'added' },
      { file: 'old.yaml', change: 'removed' },
    ]);
    expect(statSync(join(dir, 'a.yaml')).ino).toBe(before.a.ino);
    expect(statSync(join(dir, 'gitops', 'c.yaml')).ino).toBe(before.c.ino);
    expect(statSync(join(dir, 'a.yaml')).nlink).toBe(1);
    expect(readFileSync(join(dir, 'b.yaml'), 'utf8')).toBe(H + 'b: 2\n');
    expect(readFileSync(join(dir, 'gitops', 'c.yaml'), 'utf8')).toBe(H + 'c: é\n');
  });

  it('tells a file of the same length but other bytes from an unchanged one', async () => {
    await synth([file('a.yaml', 'a: 1\n')]);
    expect(await synth([file('a.yaml', 'a: 2\n')])).toEqual([{ file: 'a.yaml', change: 'changed' }]);
    expect(readFileSync(join(dir, 'a.yaml'), 'utf8')).toBe(H + 'a: 2\n');
  });

  it('compares a large file in chunks, a character of two UTF-16 units on a chunk boundary included', async () => {
    // The comparison reads 2^20 characters at a time.
    const big = `${'a'.repeat((1 << 20) - 1 - H.length)}😀é${'b'.repeat(1000)}\n`;
    await synth([file('big.yaml', big)]);
    expect(await synth([file('big.yaml', big)])).toEqual([{ file: 'big.yaml', change: 'unchanged' }]);
    const other = `${big.slice(0, -2)}c\n`;
    expect(await synth([file('big.yaml', other)])).toEqual([{ file: 'big.yaml', change: 'changed' }]);
    expect(readFileSync(join(dir, 'big.yaml'), 'utf8')).toBe(H + other);
  });

  it('writes an unchanged file anew when its permissions differ, it has another name, or it changed after the comparison', async () => {
    await synth([file('mode.yaml', 'm\n'), file('linked.yaml', 'l\n'), file('late.yaml', 'x\n')]);
    const fresh = statSync(join(dir, 'mode.yaml')).mode & 0o777;
    chmodSync(join(dir, 'mode.yaml'), 0o600);
    linkSync(join(dir, 'linked.yaml'), join(root, 'elsewhere.yaml'));
    const files = [file('late.yaml', 'x\n'), file('linked.yaml', 'l\n'), file('mode.yaml', 'm\n')];
    const before = { linked: statSync(join(dir, 'linked.yaml')).ino, late: statSync(join(dir, 'late.yaml')).ino };
    expect(compareFolder(dir, files).map((r) => r.change)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    writeFileSync(join(dir, 'late.yaml'), `${H}changed meanwhile\n`);
    await writeFolder(files);
    expect(statSync(join(dir, 'mode.yaml')).mode & 0o777).toBe(fresh);
    expect(statSync(join(dir, 'linked.yaml')).ino).not.toBe(before.linked);
    expect(readFileSync(join(root, 'elsewhere.yaml'), 'utf8')).toBe(H + 'l\n');
    expect(statSync(join(dir, 'late.yaml')).ino).not.toBe(before.late);
    expect(readFileSync(join(dir, 'late.yaml'), 'utf8')).toBe(H + 'x\n');
  });
});
