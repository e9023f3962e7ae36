/**
 * Where environment files live. Kept apart from the loader so that finding the project root
 * (every command, `--help` included) loads neither zod nor yaml.
 */

/** The folder, relative to the project root, that holds environment files. */
export const ENVIRONMENTS_DIR = 'environments';
/** The file every environment starts from. */
export const BASE_FILE = 'base.yaml';
/** The folder, relative to the project root, of the project's chain profiles (`chains/<client>.yaml`). */
export const CHAINS_DIR = 'chains';
