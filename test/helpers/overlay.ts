/**
 * Environment files as tests write them: the `develop` environment of a project copy becomes qa's
 * file (its namespace changed) plus an overlay, and loading it gives its problems.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment } from '../../src/environment/load.js';
import { InputError, type Problem } from '../../src/errors.js';

/** Writes environments/develop.yaml of the project at `root`: qa.yaml's text, then `overlay`. */
export function writeDevelopOverlay(root: string, overlay: string): void {
  writeFileSync(join(root, 'environments', 'develop.yaml'), `${readFileSync(join(root, 'environments', 'qa.yaml'), 'utf8').replace('chains-qa', 'chains-develop')}${overlay}`);
}

/** The problems of loading `develop` written as {@link writeDevelopOverlay} writes it; [] when it loads. */
export function developProblems(root: string, overlay: string): Problem[] {
  writeDevelopOverlay(root, overlay);
  try {
    loadEnvironment('develop', { root });
  } catch (e) {
    if (e instanceof InputError) return [...e.problems];
    throw e;
  }
  return [];
}
