/**
 * Writing dist/<env>/ atomically: the new folder is written beside the old one and swapped in by
 * rename, so stale files vanish with the old folder and a failure leaves the old folder as it was.
 */
import { closeSync, existsSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RenderedFile } from './render.js';

/** What happened to one file. */
export type FileChange = 'added' | 'changed' | 'removed' | 'unchanged';

export interface FileReport {
  readonly file: string;
  readonly change: FileChange;
}

/** The files of a folder and its subfolders with their stats, keyed by relative path with `/`, in name order. */
function listFolder(dir: string, prefix = '', out = new Map<string, { readonly path: string; readonly stat: Stats }>()) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isFile()) out.set(prefix + name, { path, stat });
    else if (stat.isDirectory()) listFolder(path, `${prefix}${name}/`, out);
  }
  return out;
}

/**
 * The files of a folder and its subfolders with their contents, keyed by relative path with `/`
 * (empty when the folder does not exist).
 */
export function readFolder(dir: string): Map<string, string> {
  return new Map([...listFolder(dir)].map(([name, { path }]) => [name, readFileSync(path, 'utf8')]));
}

/**
 * Files compareFolder found byte for byte on disk, with the stat it saw: writeFolderAtomically
 * links those into the new folder instead of writing them again (issue 7: at 5,000 nodes, writing
 * 95 MB that is already there and then deleting the old copy took 0.5 s).
 */
const onDisk = new WeakMap<RenderedFile, { readonly path: string; readonly stat: Stats }>();

/** Characters compared at a time, and buffers for them (UTF-8 needs at most 3 bytes per UTF-16 unit). */
const CHUNK = 1 << 20;
let encoded: Buffer | undefined;
let read: Buffer | undefined;

/**
 * Whether the file holds exactly the UTF-8 bytes of `content`. A file of another size is not read
 * at all, and the rest is compared a chunk at a time through two small buffers: decoding 95 MB of
 * YAML took longer than comparing it, and encoding it whole made V8 collect garbage for the
 * external memory.
 */
function sameBytes(path: string, stat: Stats, content: string): boolean {
  const size = Buffer.byteLength(content);
  if (stat.size !== size) return false;
  encoded ??= Buffer.allocUnsafe(3 * CHUNK);
  read ??= Buffer.allocUnsafe(3 * CHUNK);
  const fd = openSync(path, 'r');
  try {
    let at = 0;
    let position = 0;
    while (at < content.length) {
      let end = Math.min(at + CHUNK, content.length);
      // Never split a surrogate pair: half of one would encode as U+FFFD.
      const last = content.charCodeAt(end - 1);
      if (end < content.length && last >= 0xd800 && last <= 0xdbff) end--;
      const n = encoded.write(content.slice(at, end), 0, 'utf8');
      let got = 0;
      while (got < n) {
        const r = readSync(fd, read, got, n - got, position + got);
        if (r === 0) return false;
        got += r;
      }
      if (!encoded.subarray(0, n).equals(read.subarray(0, n))) return false;
      at = end;
      position += n;
    }
    return position === size;
  } finally {
    closeSync(fd);
  }
}

/** Compares what is on disk with what would be written, file by file, in name order. */
export function compareFolder(dir: string, files: readonly RenderedFile[]): FileReport[] {
  const existing = listFolder(dir);
  const reports: FileReport[] = [];
  const names = new Set<string>([...existing.keys(), ...files.map((f) => f.name)]);
  const rendered = new Map(files.map((f) => [f.name, f]));
  for (const file of [...names].sort()) {
    const before = existing.get(file);
    const after = rendered.get(file);
    let change: FileChange;
    if (before === undefined) change = 'added';
    else if (after === undefined) change = 'removed';
    else if (sameBytes(before.path, before.stat, after.content)) {
      change = 'unchanged';
      onDisk.set(after, before);
    } else change = 'changed';
    reports.push({ file, change });
  }
  return reports;
}

/**
 * Puts an unchanged file into the new folder as a second name of the one on disk. Only when
 * compareFolder saw its very bytes, it has not changed since, it is a plain file with no other
 * names and it has the permissions a new file would get: then the result is the same as writing.
 */
function linkUnchanged(f: RenderedFile, source: string, target: string, newFileMode: number): boolean {
  const seen = onDisk.get(f);
  if (seen === undefined || seen.path !== source) return false;
  try {
    const now = lstatSync(source);
    const same = now.isFile() && now.nlink === 1 && (now.mode & 0o777) === newFileMode &&
      now.dev === seen.stat.dev && now.ino === seen.stat.ino && now.size === seen.stat.size && now.mtimeMs === seen.stat.mtimeMs;
    if (!same) return false;
    linkSync(source, target);
    return true;
  } catch {
    return false; // a file system without hard links, say: write it
  }
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
    // New files get the folder's permissions without execute bits (both are 0o777/0o666 less the umask).
    const newFileMode = statSync(tmp).mode & 0o666;
    for (const f of files) {
      const target = join(tmp, f.name);
      mkdirSync(dirname(target), { recursive: true });
      if (!linkUnchanged(f, join(dir, f.name), target, newFileMode)) writeFileSync(target, f.content);
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
