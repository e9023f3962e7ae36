/**
 * Finding the project: nodegen runs from the project root or any folder below it, and always
 * reads and writes relative to the root, never to the working directory.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError, UsageError } from './errors.js';
import { ENVIRONMENTS_DIR } from './environment/paths.js';

/** The nearest folder at or above `start` holding a package.json and an environments/ folder. */
export function findProjectRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    const envDir = join(dir, ENVIRONMENTS_DIR);
    if (existsSync(join(dir, 'package.json')) && existsSync(envDir) && statSync(envDir).isDirectory()) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new InputError(
        `no nodegen project at or above ${resolve(start)}: expected a folder with package.json and ${ENVIRONMENTS_DIR}/`,
      );
    }
    dir = parent;
  }
}

/** The default output folder, relative to the project root. */
export const DEFAULT_OUTDIR = 'dist';

/**
 * Resolves an output folder: relative paths are taken from the project root. An empty one is
 * refused: it would resolve to the root itself, which is never what was meant.
 */
export function resolveOutdir(root: string, outdir: string | undefined): string {
  if (outdir !== undefined && outdir.trim() === '') throw new UsageError('--outdir is empty: name a folder, such as --outdir dist');
  return resolve(root, outdir ?? DEFAULT_OUTDIR);
}

/** nodegen's package name on the registry (`nodegen` itself belongs to an unrelated package). */
export const PACKAGE_NAME = 'nodegen-k8s';

/**
 * The folder of nodegen's own package: its repository, or node_modules/nodegen-k8s where it is
 * installed. Found from this module, which runs from src/ (tests), lib/src/ (the library) or
 * lib/cli/ (the bundled CLI).
 */
export function packageRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`nodegen's own package.json (${PACKAGE_NAME}) not found above ${__dirname}`);
  }
}
