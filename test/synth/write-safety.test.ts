/**
 * Writing never damages anything: a failed, refused, interrupted or concurrent write leaves every
 * folder as it was, removes what it created, and fails as an input error (exit 1) naming the path
 * and the reason, never as an internal error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { GENERATED_HEADER, type RenderedFile } from '../../src/synth/render.js';
import { JOURNAL_FILE, LOCK_FILE, OutputFolder, fsReason, leftovers, type OutputFolderProps } from '../../src/synth/write.js';
import { cli, copyProject, snapshotTree } from '../helpers/project.js';

const H = `${GENERATED_HEADER}environments/qa.yaml\n`;
const file = (name: string, content: string): RenderedFile => ({ name, content: H + content, objects: [] });

let root: string;
let out: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nodegen-safety-'));
  out = join(root, 'dist');
});
afterEach(() => {
  chmodRecursive(root);
  rmSync(root, { recursive: true, force: true });
});

/** Makes everything writable again, so the temp folder can be removed. */
function chmodRecursive(dir: string): void {
  if (!existsSync(dir)) return;
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) chmodRecursive(join(dir, entry.name));
}

/** Writes folders as synth does: open (lock), replace, close. */
async function write(folders: Record<string, readonly RenderedFile[]>, props: OutputFolderProps = {}, outRoot = out): Promise<void> {
  const o = await OutputFolder.open(outRoot, { root, ...props });
  try {
    await o.replace(Object.entries(folders).map(([env, files]) => ({ dir: join(outRoot, env), files })));
  } finally {
    o.close();
  }
}

/** The error a write fails with (it must be an InputError, exit 1). */
async function failure(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

const OLD = { qa: [file('a.yaml', 'a: 1\n')], staging: [file('a.yaml', 's: 1\n')] };
const NEW = { qa: [file('a.yaml', 'a: 2\n')], staging: [file('a.yaml', 's: 2\n')] };

/** Whether the file system itself refuses to create a file in `dir` (it does not for root). */
function fsRefusesWrite(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

describe('a folder nodegen may not replace', () => {
  beforeEach(async () => write(OLD));

  it('refuses a read-only environment folder (also for root, whom the file system would let write) and changes nothing', async () => {
    const before = snapshotTree(out);
    chmodSync(join(out, 'qa'), 0o555);
    // As root the file system would let the folder be replaced; its mode bits are what is respected.
    const fsWouldRefuse = fsRefusesWrite(join(out, 'qa'));
    expect(fsWouldRefuse).toBe(process.getuid?.() !== 0);
    const e = await failure(write(NEW));
    expect(e.message).toContain('dist/qa is read-only (mode 555)');
    expect(snapshotTree(out)).toEqual(before);
    expect(readdirSync(out).sort()).toEqual(['qa', 'staging']);
  });

  it('refuses a read-only output folder before creating anything in it', async () => {
    const before = snapshotTree(out);
    chmodSync(out, 0o555);
    const e = await failure(write(NEW));
    expect(e.message).toContain('dist is read-only (mode 555)');
    chmodSync(out, 0o755);
    expect(snapshotTree(out)).toEqual(before);
    expect(readdirSync(out).sort()).toEqual(['qa', 'staging']);
  });

  it('refuses a read-only subfolder of an environment folder', async () => {
    await write({ qa: [file('gitops/b.yaml', 'b\n')] });
    chmodSync(join(out, 'qa', 'gitops'), 0o555);
    const e = await failure(write(NEW));
    expect(e.message).toContain('dist/qa/gitops is read-only');
    expect(existsSync(join(out, 'qa', 'gitops', 'b.yaml'))).toBe(true);
  });

  it('refuses a folder holding a file nodegen did not write, naming it, and keeps every file', async () => {
    writeFileSync(join(out, 'qa', 'README.md'), 'mine\n');
    const before = snapshotTree(out);
    const e = await failure(write(NEW));
    expect(e.message).toContain('dist/qa holds files nodegen did not write');
    expect(e.problems.map((p) => p.file)).toEqual(['dist/qa/README.md']);
    expect(snapshotTree(out)).toEqual(before);
  });

  it('refuses a file or a symbolic link where an environment folder would go', async () => {
    rmSync(join(out, 'qa'), { recursive: true });
    writeFileSync(join(out, 'qa'), 'x\n');
    expect((await failure(write(NEW))).message).toContain('dist/qa is a file');
    rmSync(join(out, 'qa'));
    mkdirSync(join(root, 'elsewhere'));
    symlinkSync(join(root, 'elsewhere'), join(out, 'qa'));
    expect((await failure(write(NEW))).message).toContain('dist/qa is a symbolic link');
    expect(readdirSync(join(root, 'elsewhere'))).toEqual([]);
  });

  it('replaces a folder of files an earlier nodegen wrote, stale ones included', async () => {
    writeFileSync(join(out, 'qa', 'old.yaml'), `${H}stale\n`);
    await write(NEW);
    expect(readdirSync(join(out, 'qa'))).toEqual(['a.yaml']);
  });
});

describe('an output folder that cannot be written', () => {
  it('refuses an output folder that is a file, and one that cannot be created, creating nothing', async () => {
    writeFileSync(out, 'x\n');
    expect((await failure(write(NEW))).message).toContain('the output folder dist is a file');
    const under = join(out, 'sub');
    const e = await failure(write(NEW, {}, under));
    expect(e.message).toContain('could not create the output folder dist/sub');
    expect(e.message).toContain('(ENOTDIR)');
    expect(readdirSync(root)).toEqual(['dist']);
  });

  it('removes the output folder it created when a write fails, and leaves no temporary folder', async () => {
    // A file and a folder of the same name: the write fails half way, for root too.
    const e = await failure(write({ qa: [file('a.yaml', 'a\n'), file('a.yaml/b.yaml', 'b\n')] }, {}, join(root, 'new', 'out')));
    expect(e.message).toMatch(/could not write .*\.nodegen-tmp-qa-\d+\/a\.yaml.*\((ENOTDIR|EEXIST)\)/);
    expect(e.message).toContain('was not changed');
    expect(readdirSync(root)).toEqual([]);
  });

  it('keeps every folder as it was when one environment of several fails', async () => {
    await write(OLD);
    const before = snapshotTree(out);
    await failure(write({ qa: NEW.qa, staging: [file('b.yaml', 'b\n'), file('b.yaml/c.yaml', 'c\n')] }));
    expect(snapshotTree(out)).toEqual(before);
    expect(readdirSync(out).sort()).toEqual(['qa', 'staging']);
  });

  it('fails as an input error naming the lock file when a folder is in its place', async () => {
    await write(OLD);
    mkdirSync(join(out, LOCK_FILE));
    const e = await failure(write(NEW));
    expect(e.message).toBe('could not write dist/.nodegen-lock: a folder is where a file is needed (EISDIR); dist/ was not changed');
    expect(snapshotTree(out)).toEqual({ 'qa/a.yaml': `${H}a: 1\n`, 'staging/a.yaml': `${H}s: 1\n` });
  });

  it('names each file-system failure in words with its code', () => {
    const err = (code: string) => Object.assign(new Error(`${code}: x, open '/a'`), { code, syscall: 'open' });
    expect(fsReason(err('EACCES'))).toBe('permission denied (EACCES)');
    expect(fsReason(err('ENOSPC'))).toBe('no space left on device (ENOSPC)');
    expect(fsReason(err('EROFS'))).toBe('read-only file system (EROFS)');
    expect(fsReason(err('EWHATEVER'))).toBe('x (EWHATEVER)');
  });
});

describe('an interrupted run', () => {
  it('changes nothing and leaves nothing behind when aborted before the swap', async () => {
    await write(OLD);
    const before = snapshotTree(out);
    const controller = new AbortController();
    const o = await OutputFolder.open(out, { root, signal: controller.signal });
    controller.abort('SIGTERM');
    const e = await failure(o.replace(Object.entries(NEW).map(([env, files]) => ({ dir: join(out, env), files }))).finally(() => o.close()));
    expect(e.message).toContain('interrupted by SIGTERM before anything was written; dist/ was not changed');
    expect(snapshotTree(out)).toEqual(before);
    expect(readdirSync(out).sort()).toEqual(['qa', 'staging']);
  });

  it('is finished by the next run when it was killed in the middle of the swap (the journal rolls it forward)', async () => {
    await write(OLD);
    // The state a SIGKILL leaves between the two renames of qa, staging not yet swapped.
    const dead = 2 ** 22 + 1; // above Linux's default pid_max, so no process has it
    for (const [env, files] of Object.entries(NEW)) {
      mkdirSync(join(out, `.nodegen-tmp-${env}-${dead}`));
      for (const f of files) writeFileSync(join(out, `.nodegen-tmp-${env}-${dead}`, f.name), f.content);
    }
    renameSync(join(out, 'qa'), join(out, `.nodegen-old-qa-${dead}`));
    const swaps = ['qa', 'staging'].map((env) => ({ dir: env, tmp: `.nodegen-tmp-${env}-${dead}`, old: `.nodegen-old-${env}-${dead}` }));
    writeFileSync(join(out, JOURNAL_FILE), `${dead}\n${JSON.stringify({ swaps })}\n`);
    writeFileSync(join(out, LOCK_FILE), `${dead}\n`);
    expect(leftovers(out).map((p) => p.slice(out.length + 1))).toEqual([JOURNAL_FILE, `.nodegen-old-qa-${dead}`, `.nodegen-tmp-qa-${dead}`, `.nodegen-tmp-staging-${dead}`]);
    const o = await OutputFolder.open(out, { root });
    o.close();
    expect(snapshotTree(out)).toEqual({ 'qa/a.yaml': `${H}a: 2\n`, 'staging/a.yaml': `${H}s: 2\n` });
    expect(readdirSync(out).sort()).toEqual(['qa', 'staging']);
  });
});

describe('two runs on one output folder', () => {
  let holder: ChildProcess | undefined;
  afterEach(() => {
    holder?.kill('SIGKILL');
    holder = undefined;
  });

  it('waits for a live lock holder, says so, and gives up with exit-1 error naming the lock', async () => {
    await write(OLD);
    holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    writeFileSync(join(out, LOCK_FILE), `${holder.pid}\n`);
    const told: string[] = [];
    const e = await failure(write(NEW, { lockTimeoutMs: 300, onWait: (m) => told.push(m) }));
    expect(told).toEqual([`waiting for ${holder.pid} (another nodegen synth is writing dist/) ...`]);
    expect(e.message).toContain(`dist/.nodegen-lock is still held by process ${holder.pid}`);
    expect(e.message).toContain('if no nodegen is running, delete dist/.nodegen-lock');
    // The holder's lock stays: it is not this run's to remove.
    expect(snapshotTree(out)).toEqual({ [LOCK_FILE]: `${holder.pid}\n`, 'qa/a.yaml': `${H}a: 1\n`, 'staging/a.yaml': `${H}s: 1\n` });
  });

  it('goes on once the holder releases the lock, and takes over the lock of a dead process', async () => {
    await write(OLD);
    holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    writeFileSync(join(out, LOCK_FILE), `${holder.pid}\n`);
    const told: string[] = [];
    const writing = write(NEW, { onWait: (m) => told.push(m) });
    while (told.length === 0) await new Promise((r) => setTimeout(r, 10));
    rmSync(join(out, LOCK_FILE));
    await writing;
    expect(snapshotTree(out)).toEqual({ 'qa/a.yaml': `${H}a: 2\n`, 'staging/a.yaml': `${H}s: 2\n` });
    writeFileSync(join(out, LOCK_FILE), `${2 ** 22 + 1}\n`);
    await write(OLD);
    expect(readdirSync(out).sort()).toEqual(['qa', 'staging']);
  });

  it('takes over a lock without a pid that is seconds old, and one whose pid runs another program', async () => {
    await write(OLD);
    writeFileSync(join(out, LOCK_FILE), 'garbage\n');
    utimesSync(join(out, LOCK_FILE), new Date(2020, 0, 1), new Date(2020, 0, 1));
    await write(NEW);
    expect(snapshotTree(out)).toEqual({ 'qa/a.yaml': `${H}a: 2\n`, 'staging/a.yaml': `${H}s: 2\n` });
    holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    writeFileSync(join(out, LOCK_FILE), `${holder.pid}\n`);
    if (existsSync('/proc/self/cmdline')) {
      // Linux: the command line of the pid shows it is not node.
      await write(OLD);
      expect(snapshotTree(out)).toEqual({ 'qa/a.yaml': `${H}a: 1\n`, 'staging/a.yaml': `${H}s: 1\n` });
    } else {
      // Without /proc a live pid is assumed to hold the lock.
      expect((await failure(write(OLD, { lockTimeoutMs: 100 }))).message).toContain('is still held by process');
    }
  });

  it('serialises two writers in one process: both succeed, the last one wins whole', async () => {
    await Promise.all([write(OLD), write(NEW)]);
    expect(snapshotTree(out)).toEqual({ 'qa/a.yaml': `${H}a: 2\n`, 'staging/a.yaml': `${H}s: 2\n` });
    expect(readdirSync(out).sort()).toEqual(['qa', 'staging']);
  });

  it('removes only the leftovers of dead processes', async () => {
    await write(OLD);
    holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const dead = 2 ** 22 + 1;
    for (const name of [`.nodegen-tmp-qa-${dead}`, `.nodegen-old-qa-${dead}`, `.nodegen-tmp-qa-${holder.pid}`]) mkdirSync(join(out, name));
    expect(leftovers(out).map((p) => p.slice(out.length + 1))).toEqual([`.nodegen-old-qa-${dead}`, `.nodegen-tmp-qa-${dead}`]);
    await write(NEW);
    expect(readdirSync(out).sort()).toEqual([`.nodegen-tmp-qa-${holder.pid}`, 'qa', 'staging']);
  });
});

describe('nodegen synth, end to end in process', () => {
  let project: string;
  let cleanup: () => void;
  beforeEach(() => ({ root: project, cleanup } = copyProject()));
  afterEach(() => {
    chmodRecursive(join(project, 'dist'));
    cleanup();
  });

  it('never replaces a folder it did not write: --outdir . with an environment named like a project folder', async () => {
    const qa = (await import('node:fs')).readFileSync(join(project, 'environments', 'qa.yaml'), 'utf8');
    writeFileSync(join(project, 'environments', 'src.yaml'), qa.replaceAll('chains-qa', 'chains-src'));
    const before = snapshotTree(join(project, 'src'));
    const r = await cli(project, 'synth', '--env', 'src', '--outdir', '.');
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: src holds files nodegen did not write');
    expect(snapshotTree(join(project, 'src'))).toEqual(before);
    expect(readdirSync(project).filter((n) => n.startsWith('.nodegen'))).toEqual([]);
  });

  it('refuses an empty --outdir as a usage error', async () => {
    const r = await cli(project, 'synth', '--env', 'qa', '--outdir', '');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--outdir is empty');
  });

  it('exits 1 naming a read-only dist/qa, and leaves dist/ byte for byte as it was', async () => {
    (await import('node:fs')).appendFileSync(join(project, 'environments', 'qa.yaml'), 'nodes:\n  geth:\n    replicas: 2\n');
    const before = snapshotTree(join(project, 'dist'));
    chmodSync(join(project, 'dist', 'qa'), 0o555);
    const r = await cli(project, 'synth', '--all');
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: dist/qa is read-only (mode 555)');
    expect(snapshotTree(join(project, 'dist'))).toEqual(before);
    expect(readdirSync(join(project, 'dist')).sort()).toEqual(['develop', 'nodetest', 'production', 'qa', 'staging']);
  });

  it('reports a killed run\'s leftovers with --check (never up to date), and the next synth removes them', async () => {
    mkdirSync(join(project, 'dist', `.nodegen-tmp-qa-${2 ** 22 + 1}`));
    const check = await cli(project, 'synth', '--all', '--check');
    expect(check.code).toBe(1);
    expect(check.out).toContain(`out of date: dist/.nodegen-tmp-qa-${2 ** 22 + 1} (left by an interrupted run`);
    expect((await cli(project, 'synth', '--all')).code).toBe(0);
    expect(readdirSync(join(project, 'dist')).sort()).toEqual(['develop', 'nodetest', 'production', 'qa', 'staging']);
    expect((await cli(project, 'synth', '--all', '--check')).code).toBe(0);
  });
});
