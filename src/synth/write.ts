/**
 * Writing dist/<env>/ so that a failed, interrupted or concurrent run never damages anything: each
 * new folder is written beside the old one and swapped in by rename, so stale files vanish with the
 * old folder and a failure leaves the old folder as it was. See OutputFolder for the whole design.
 */
import { accessSync, closeSync, constants as fsConstants, existsSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { InputError } from '../errors.js';
import { GENERATED_HEADER, type RenderedFile } from './render.js';

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
 * (empty when the folder does not exist); files named in `skip` are not read.
 */
export function readFolder(dir: string, skip: ReadonlySet<string> = new Set()): Map<string, string> {
  return new Map([...listFolder(dir)].filter(([name]) => !skip.has(name)).map(([name, { path }]) => [name, readFileSync(path, 'utf8')]));
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

/** The lock file in an output folder: it exists, holding the writer's pid, while one run writes. */
export const LOCK_FILE = '.nodegen-lock';
/** The journal: written once every new folder is complete, it lists the swaps (the commit point). */
export const JOURNAL_FILE = '.nodegen-journal';
/** Every name nodegen uses beside the environment folders begins so (git-ignored). */
const OWN_PREFIX = '.nodegen-';
/** `.nodegen-tmp-<env>-<pid>`, `.nodegen-old-<env>-<pid>`, `.nodegen-journal-<pid>`, `.nodegen-lock-stale-<pid>`. */
const LEFTOVER = /^\.nodegen-(?:(?:tmp|old)-.+|journal|lock-stale)-(\d+)$/;

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a file is where a folder is needed',
  EISDIR: 'a folder is where a file is needed',
  EEXIST: 'something already exists there',
  ENOENT: 'no such file or folder',
  ENOTEMPTY: 'the folder is not empty',
  EBUSY: 'busy',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symbolic links',
  EXDEV: 'on another file system',
};

/** A failure of a file-system call (it carries an errno code and the call's name). */
export function isFsError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/** The reason of a file-system failure in words, with its code: `permission denied (EACCES)`. */
export function fsReason(e: NodeJS.ErrnoException): string {
  const code = e.code ?? 'unknown';
  return `${REASONS[code] ?? e.message.replace(/^[A-Z]+: /, '').replace(/,.*$/, '')} (${code})`;
}

/** Whether a process with this pid runs (one of another user counts: signalling it is refused, not unknown). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a live pid may be a nodegen run: on Linux, its command line names node (a pid reused by
 * another program, such as pid 1 in a container, does not hold the lock). Elsewhere: assumed so.
 */
function mayBeNodegen(pid: number): boolean {
  try {
    return /node/i.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true;
  }
}

/** Lock files this process holds: a lock naming our own pid that is not among them is a dead namesake's. */
const held = new Set<string>();

/** The pid in a lock or journal file, or undefined when it is gone or not (yet) written. */
function pidIn(path: string): number | undefined {
  try {
    const m = /^(\d+)/.exec(readFileSync(path, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch (e) {
    if (isFsError(e) && e.code === 'ENOENT') return undefined;
    if (isFsError(e)) e.path ??= path; // readFileSync of a folder names no path
    throw e;
  }
}

/**
 * Leftovers of a run that was killed (SIGKILL, a power cut) in an output folder: temporary and
 * old folders of a dead process, and a journal whose swaps were not finished. `synth --check`
 * reports them; the next `synth` finishes the journal and removes the rest.
 */
export function leftovers(outRoot: string): string[] {
  let names: string[];
  try {
    names = readdirSync(outRoot);
  } catch {
    return [];
  }
  return names.sort().filter((name) => {
    if (name === JOURNAL_FILE) {
      const pid = pidIn(join(outRoot, name));
      return pid === undefined || !alive(pid);
    }
    const m = LEFTOVER.exec(name);
    return m !== null && !alive(Number(m[1]));
  }).map((name) => join(outRoot, name));
}

/** Two turns of the event loop: a pending SIGINT or SIGTERM reaches its listener. */
async function yieldToSignals(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The folders to swap in, by name relative to the output folder. */
interface Swap {
  readonly dir: string;
  readonly tmp: string;
  readonly old: string;
}

/** One environment folder to write: `dir` (inside the output folder) ends holding exactly `files`. */
export interface EnvironmentFolder {
  readonly dir: string;
  readonly files: readonly RenderedFile[];
}

export interface OutputFolderProps {
  /** Paths in messages are shown relative to this folder. @default - absolute paths */
  readonly root?: string;
  /** How long to wait for another run that holds the output folder's lock, in milliseconds. @default 120_000 */
  readonly lockTimeoutMs?: number;
  /** Told once when another run holds the lock (the CLI prints it on stderr). @default - nothing is told */
  readonly onWait?: (message: string) => void;
  /**
   * Aborted (the CLI does so on SIGINT and SIGTERM), the run stops before the swap and changes
   * nothing; the swap itself is synchronous, so a signal cannot split it. @default - never aborted
   */
  readonly signal?: AbortSignal;
}

/**
 * An output folder (dist/) opened for writing, locked against other runs. Writing never damages
 * anything in it:
 * - one run at a time: `open` creates `<outdir>/.nodegen-lock` exclusively, holding its pid; a
 *   waiting run says so and gives up after `lockTimeoutMs`; the lock of a dead pid is taken over;
 * - under the lock, a journal left by a killed run is finished and its leftovers removed;
 * - only folders nodegen wrote are replaced (every file begins with the generated header), never
 *   a symbolic link, a file, or a folder its owner made read-only (no write permission bits,
 *   respected even by root, who could write anyway);
 * - every new folder is written completely beside the old one first; then the journal is
 *   written, and each folder is swapped in by two renames. A run stopped before the journal
 *   changed nothing; one killed after it is rolled forward by the next run (the new folders were
 *   complete), so every environment folder ends old or new and a set is never split;
 * - every file-system failure is an InputError naming the path and the reason.
 */
export class OutputFolder {
  /** Opens (creating it when missing) and locks an output folder, then finishes what a killed run left. */
  static async open(outRoot: string, props: OutputFolderProps = {}): Promise<OutputFolder> {
    const out = new OutputFolder(outRoot, props);
    out.create();
    try {
      await out.lock();
      out.recover();
      out.clean();
    } catch (e) {
      out.close();
      throw out.failure(e, 'write');
    }
    return out;
  }

  private readonly lockFile: string;
  /** The first folder this run created (`mkdir -p`), removed again when nothing was written. */
  private created: string | undefined;
  private locked = false;
  private committed = false;

  private constructor(
    readonly outRoot: string,
    private readonly props: OutputFolderProps,
  ) {
    this.lockFile = join(outRoot, LOCK_FILE);
  }

  /** A path as messages show it: relative to the root when inside it. */
  show(path: string): string {
    const { root } = this.props;
    if (root === undefined) return path;
    const rel = relative(root, path);
    return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  }

  private get unchanged(): string {
    return `${this.show(this.outRoot)}${sep} was not changed`;
  }

  /** Turns a file-system failure into an InputError naming the path and the reason. */
  private failure(e: unknown, verb: 'write' | 'read', tail = this.unchanged): unknown {
    if (!isFsError(e)) return e;
    const path = e.path;
    return new InputError(`could not ${verb} ${path ? this.show(path) : this.show(this.outRoot)}: ${fsReason(e)}; ${tail}`);
  }

  private refuseReadOnly(dir: string, mode: number): void {
    let writable = (mode & 0o222) !== 0;
    if (writable) {
      try {
        accessSync(dir, fsConstants.W_OK);
      } catch {
        writable = false;
      }
    }
    if (writable) return;
    throw new InputError(
      `${this.show(dir)} is read-only (mode ${(mode & 0o777).toString(8)}): nodegen does not replace what its owner protected, ` +
        `so ${this.unchanged}. Make it writable (chmod u+w ${this.show(dir)}) or choose another --outdir`,
    );
  }

  private create(): void {
    let st: Stats | undefined;
    try {
      st = statSync(this.outRoot);
    } catch (e) {
      if (!isFsError(e) || (e.code !== 'ENOENT' && e.code !== 'ENOTDIR')) throw this.failure(e, 'read');
    }
    if (st !== undefined) {
      if (!st.isDirectory()) {
        throw new InputError(`the output folder ${this.show(this.outRoot)} is a file, not a folder: move it away or choose another --outdir; nothing was written`);
      }
      this.refuseReadOnly(this.outRoot, st.mode);
      return;
    }
    try {
      this.created = makeFolders(this.outRoot);
    } catch (e) {
      if (!isFsError(e)) throw e;
      throw new InputError(`could not create the output folder ${this.show(this.outRoot)}: ${fsReason(e)}${e.path && e.path !== this.outRoot ? ` at ${this.show(e.path)}` : ''}; nothing was written`);
    }
  }

  private async lock(): Promise<void> {
    const timeout = this.props.lockTimeoutMs ?? 120_000;
    const deadline = Date.now() + timeout;
    let told: number | undefined;
    for (;;) {
      this.throwIfAborted();
      try {
        writeFileSync(this.lockFile, `${process.pid}\n`, { flag: 'wx' });
        held.add(this.lockFile);
        this.locked = true;
        return;
      } catch (e) {
        if (!isFsError(e) || (e.code !== 'EEXIST' && e.code !== 'ENOENT')) throw e;
        // The output folder was removed meanwhile (a run that had created it failed): create it again.
        if (e.code === 'ENOENT') {
          makeFolders(this.outRoot);
          continue;
        }
      }
      const holder = pidIn(this.lockFile);
      const stale =
        holder === undefined
          ? // No pid: a writer creates the file and writes its pid at once, so an old one is garbage.
            Date.now() - modifiedAt(this.lockFile) > 2000
          : holder === process.pid
            ? !held.has(this.lockFile)
            : !alive(holder) || !mayBeNodegen(holder);
      if (stale) {
        this.takeOver(holder);
        continue;
      }
      if (holder !== undefined && told !== holder) {
        told = holder;
        this.props.onWait?.(`waiting for ${holder} (another nodegen synth is writing ${this.show(this.outRoot)}${sep}) ...`);
      }
      if (Date.now() > deadline) {
        throw new InputError(
          `${this.show(this.lockFile)} is still held by process ${holder ?? '(unknown)'} after ${Math.round(timeout / 1000)} s, so ${this.unchanged}. ` +
            `Run again when it has finished; if no nodegen is running, delete ${this.show(this.lockFile)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Removes the lock of a dead process. It is renamed away first, so of two runs taking it over at
   * once only one removes it; a lock that turns out to be another live run's is put back.
   */
  private takeOver(deadPid: number | undefined): void {
    const stale = join(this.outRoot, `${OWN_PREFIX}lock-stale-${process.pid}`);
    try {
      renameSync(this.lockFile, stale);
    } catch (e) {
      if (isFsError(e) && e.code === 'ENOENT') return;
      throw e;
    }
    if (pidIn(stale) !== deadPid) {
      try {
        linkSync(stale, this.lockFile);
      } catch {
        // Another run created a lock meanwhile: it holds the folder; ours is gone either way.
      }
    }
    rmSync(stale, { force: true });
  }

  private throwIfAborted(): void {
    const { signal } = this.props;
    if (signal?.aborted) {
      throw new InputError(`interrupted by ${String(signal.reason ?? 'a signal')} before anything was written; ${this.unchanged}`);
    }
  }

  /** Rolls forward the swaps of a journal a killed run left: its new folders were complete. */
  private recover(): void {
    const journal = join(this.outRoot, JOURNAL_FILE);
    if (!existsSync(journal)) return;
    let swaps: Swap[];
    try {
      // The first line is the writer's pid (see leftovers), the second the swaps.
      swaps = (JSON.parse(readFileSync(journal, 'utf8').replace(/^\d+\n/, '')) as { swaps: Swap[] }).swaps;
      if (!Array.isArray(swaps)) throw new Error('no swaps');
    } catch (e) {
      if (isFsError(e)) throw e;
      throw new InputError(`${this.show(journal)} is not a journal nodegen wrote (${(e as Error).message}); move it away and run again`);
    }
    for (const s of swaps) {
      const [dir, tmp, old] = [s.dir, s.tmp, s.old].map((name) => join(this.outRoot, basename(name)));
      if (existsSync(tmp!)) {
        if (existsSync(dir!)) {
          if (existsSync(old!)) rmSync(dir!, { recursive: true, force: true });
          else renameSync(dir!, old!);
        }
        renameSync(tmp!, dir!);
      }
      rmSync(old!, { recursive: true, force: true });
    }
    unlinkSync(journal);
  }

  /** Removes what killed runs left: only under the lock, and only names of dead processes (or our own pid's namesake). */
  private clean(): void {
    for (const name of readdirSync(this.outRoot)) {
      const m = LEFTOVER.exec(name);
      if (m === null) continue;
      const pid = Number(m[1]);
      if (pid === process.pid || !alive(pid)) rmSync(join(this.outRoot, name), { recursive: true, force: true });
    }
  }

  /**
   * Refuses (InputError) a path nodegen may not replace: a symbolic link, a file, a folder holding
   * a file nodegen did not write, or a read-only folder. A missing path may be written.
   */
  checkReplaceable(dir: string): void {
    let st: Stats;
    try {
      st = lstatSync(dir);
    } catch (e) {
      if (isFsError(e) && e.code === 'ENOENT') return;
      throw this.failure(e, 'read');
    }
    if (st.isSymbolicLink()) throw new InputError(`${this.show(dir)} is a symbolic link, not a folder nodegen wrote: nodegen replaces only its own folders, so ${this.unchanged}`);
    if (!st.isDirectory()) throw new InputError(`${this.show(dir)} is a file, not a folder nodegen wrote: move it away or choose another --outdir; ${this.unchanged}`);
    const foreign: string[] = [];
    const walk = (folder: string, mode: number) => {
      this.refuseReadOnly(folder, mode);
      for (const name of readdirSync(folder).sort()) {
        const path = join(folder, name);
        const s = lstatSync(path);
        if (s.isDirectory()) walk(path, s.mode);
        else if (!s.isFile() || !startsWithHeader(path)) foreign.push(path);
      }
    };
    try {
      walk(dir, st.mode);
    } catch (e) {
      throw this.failure(e, 'read');
    }
    if (foreign.length === 0) return;
    const shown = foreign.slice(0, 10).map((f) => ({ file: this.show(f), message: 'not written by nodegen (it does not begin with the "# Generated by nodegen" header)' }));
    if (foreign.length > shown.length) shown.push({ file: this.show(dir), message: `and ${foreign.length - shown.length} more` });
    throw new InputError(
      `${this.show(dir)} holds files nodegen did not write, and nodegen replaces only folders it wrote, so ${this.unchanged}: ` +
        'move those files elsewhere, or choose another --outdir',
      shown,
    );
  }

  /**
   * Replaces each folder with exactly its files, all or nothing: every new folder is written
   * beside its old one first (checking for an abort between folders), then all are swapped in at
   * once, synchronously. On any failure nothing has changed.
   */
  async replace(folders: readonly EnvironmentFolder[]): Promise<void> {
    const swaps: Swap[] = [];
    try {
      for (const f of folders) this.checkReplaceable(f.dir);
      for (const f of folders) {
        await yieldToSignals();
        this.throwIfAborted();
        const name = basename(f.dir);
        const swap = { dir: f.dir, tmp: join(this.outRoot, `${OWN_PREFIX}tmp-${name}-${process.pid}`), old: join(this.outRoot, `${OWN_PREFIX}old-${name}-${process.pid}`) };
        swaps.push(swap);
        rmSync(swap.tmp, { recursive: true, force: true });
        rmSync(swap.old, { recursive: true, force: true });
        writeTemporary(swap.tmp, f);
      }
      await yieldToSignals();
      this.throwIfAborted();
    } catch (e) {
      for (const s of swaps) rmSync(s.tmp, { recursive: true, force: true });
      throw this.failure(e, 'write');
    }
    this.commit(swaps);
  }

  /** The swap: journal, renames, cleanup. Synchronous, so no signal listener runs in the middle of it. */
  private commit(swaps: readonly Swap[]): void {
    const journal = join(this.outRoot, JOURNAL_FILE);
    const partial = join(this.outRoot, `${OWN_PREFIX}journal-${process.pid}`);
    const relativeSwaps = swaps.map((s) => ({ dir: basename(s.dir), tmp: basename(s.tmp), old: basename(s.old) }));
    const done: { swap: Swap; hadOld: boolean }[] = [];
    try {
      writeFileSync(partial, `${process.pid}\n${JSON.stringify({ swaps: relativeSwaps })}\n`);
      renameSync(partial, journal);
      for (const swap of swaps) {
        const hadOld = existsSync(swap.dir);
        if (hadOld) renameSync(swap.dir, swap.old);
        try {
          renameSync(swap.tmp, swap.dir);
        } catch (e) {
          if (hadOld) renameSync(swap.old, swap.dir);
          throw e;
        }
        done.push({ swap, hadOld });
      }
    } catch (e) {
      try {
        for (const { swap, hadOld } of done.reverse()) {
          renameSync(swap.dir, swap.tmp);
          if (hadOld) renameSync(swap.old, swap.dir);
        }
        for (const s of swaps) rmSync(s.tmp, { recursive: true, force: true });
        rmSync(partial, { force: true });
        rmSync(journal, { force: true });
      } catch (undo) {
        throw this.failure(e, 'write', `undoing the swaps failed too (${isFsError(undo) ? fsReason(undo) : String(undo)}): the next nodegen synth finishes them from ${this.show(journal)}`);
      }
      throw this.failure(e, 'write');
    }
    this.committed = true;
    // Done: what is left is tidying up. A failure here changes no environment folder, and the next run removes what is left.
    for (const s of swaps) rmSync(s.old, { recursive: true, force: true });
    rmSync(journal, { force: true });
  }

  /** Releases the lock; removes the output folder this run created when nothing was written into it. */
  close(): void {
    // A folder this run created goes first, its lock with it: once the lock is free another run may
    // write there. Only while holding the lock: without it, the folder may be another run's by now.
    if (this.locked && !this.committed && this.created !== undefined) rmSync(this.created, { recursive: true, force: true });
    else if (this.locked && pidIn(this.lockFile) === process.pid) rmSync(this.lockFile, { force: true });
    held.delete(this.lockFile);
    this.locked = false;
  }
}

/**
 * `mkdir -p`, one level at a time, returning the first folder created. Node 20's
 * `mkdirSync(path, { recursive: true })` never returns where mkdir answers ENOENT under an existing
 * folder (`/proc/x`): it retries the parent forever.
 */
function makeFolders(path: string): string | undefined {
  const missing: string[] = [];
  for (let p = path; !existsSync(p); p = dirname(p)) {
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing) {
    try {
      mkdirSync(p);
    } catch (e) {
      // Another run created it meanwhile: then it is that run's, not ours.
      if (!isFsError(e) || e.code !== 'EEXIST' || !statSync(p).isDirectory()) throw e;
      return undefined;
    }
  }
  return missing[0];
}

/** When a file was last modified (now when it is gone: then it is not stale either). */
function modifiedAt(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

/** Whether a file begins with the header nodegen writes at the top of every file. */
function startsWithHeader(path: string): boolean {
  const want = Buffer.from(GENERATED_HEADER);
  const got = Buffer.alloc(want.length);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, got, 0, got.length, 0) === got.length && got.equals(want);
  } finally {
    closeSync(fd);
  }
}

/** Writes `folder.files` into the new folder `tmp`, linking files compareFolder found unchanged. */
function writeTemporary(tmp: string, folder: EnvironmentFolder): void {
  mkdirSync(tmp);
  // New files get the folder's permissions without execute bits (both are 0o777/0o666 less the umask).
  const newFileMode = statSync(tmp).mode & 0o666;
  for (const f of folder.files) {
    const target = join(tmp, f.name);
    mkdirSync(dirname(target), { recursive: true });
    if (!linkUnchanged(f, join(folder.dir, f.name), target, newFileMode)) writeFileSync(target, f.content);
  }
}
