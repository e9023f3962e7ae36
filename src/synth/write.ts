/**
 * Writing dist/<env>/ atomically: the new folder is written beside the old one and swapped in by
 * rename, so stale files vanish with the old folder and a failure leaves the old folder as it was.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RenderedFile } from './render.js';

/** What happened to one file. */
export type FileChange = 'added' | 'changed' | 'removed' | 'unchanged';

export interface FileReport {
  readonly file: string;
  readonly change: FileChange;
}

/**
 * The files of a folder and its subfolders with their contents, keyed by relative path with `/`
 * (empty when the folder does not exist).
 */
export function readFolder(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isFile()) out.set(prefix + name, readFileSync(path, 'utf8'));
    else if (stat.isDirectory()) for (const [k, v] of readFolder(path, `${prefix}${name}/`)) out.set(k, v);
  }
  return out;
}

/** Compares what is on disk with what would be written, file by file, in name order. */
export function compareFolder(dir: string, files: readonly RenderedFile[]): FileReport[] {
  const existing = readFolder(dir);
  const reports: FileReport[] = [];
  const names = new Set<string>([...existing.keys(), ...files.map((f) => f.name)]);
  const rendered = new Map(files.map((f) => [f.name, f.content]));
  for (const file of [...names].sort()) {
    const before = existing.get(file);
    const after = rendered.get(file);
    const change: FileChange =
      before === undefined ? 'added' : after === undefined ? 'removed' : before === after ? 'unchanged' : 'changed';
    reports.push({ file, change });
  }
  return reports;
}

/**
 * Replaces `dir` with exactly `files`. Writes a sibling temporary folder, then swaps it in; on any
 * failure the previous folder is restored and the temporary one removed.
 */
export function writeFolderAtomically(dir: string, files: readonly RenderedFile[]): void {
  const parent = join(dir, '..');
  mkdirSync(parent, { recursive: true });
  const base = dir.slice(parent.length + 1);
  const tmp = join(parent, `.nodegen-tmp-${base}-${process.pid}`);
  const old = join(parent, `.nodegen-old-${base}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp);
    for (const f of files) {
      mkdirSync(dirname(join(tmp, f.name)), { recursive: true });
      writeFileSync(join(tmp, f.name), f.content);
    }
    const hadOld = existsSync(dir);
    if (hadOld) renameSync(dir, old);
    try {
      renameSync(tmp, dir);
    } catch (e) {
      if (hadOld) renameSync(old, dir);
      throw e;
    }
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
