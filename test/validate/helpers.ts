/**
 * Helpers for the validation tests: the fixture project, and validating a manifest fixture as if
 * it were a rendered file of the fixture project's `valid` environment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadEnvironment } from '../../src/environment/load.js';
import type { RenderedEnvironment, RenderedObject } from '../../src/synth/render.js';
import type { Finding } from '../../src/validate/finding.js';
import { validateRendered } from '../../src/validate/validate-environment.js';
import { validate } from '../../src/cli/commands/validate.js';
import { InputError } from '../../src/errors.js';

/** A project whose environments each pass or break one rule. */
export const PROJECT = join(__dirname, '..', 'fixtures', 'validate', 'project');
/** Manifests, `<rule id with - for />/{pass,fail}.yaml`. */
export const MANIFESTS = join(__dirname, '..', 'fixtures', 'validate', 'manifests');

/** The objects of a multi-document YAML file. */
export function readObjects(path: string): RenderedObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => d.toJS() as RenderedObject | null)
    .filter((o): o is RenderedObject => o !== null);
}

/** Findings for the objects of a manifest, as a file of the fixture project's `valid` environment. */
export function manifestFindings(file: string): Finding[] {
  const path = join(MANIFESTS, file);
  const loaded = loadEnvironment('valid', { root: PROJECT });
  const rendered: RenderedEnvironment = {
    env: 'valid',
    files: [{ name: 'fixture.yaml', content: readFileSync(path, 'utf8'), objects: readObjects(path) }],
    warnings: [],
    loaded,
  };
  return [...validateRendered(loaded, rendered, { root: PROJECT }).findings];
}

/** Findings of one environment of the fixture project (every finding, even when input errors stop it). */
export async function environmentFindings(env: string): Promise<Finding[]> {
  return [...(await validate({ root: PROJECT, env })).findings];
}

/** The InputError a call throws. */
export async function inputError(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

/** Fixture environments that each break one policy rule (and only that one), with the rule. */
export const POLICY_BREAKS: ReadonlyArray<readonly [string, string]> = [
  ['public-endpoint', 'policy/public-endpoint'],
  ['public-source-ranges', 'policy/public-source-ranges'],
  ['rpc-namespaces', 'policy/rpc-namespaces'],
  ['cors-vhosts', 'policy/cors-vhosts'],
  ['network-tier', 'policy/network-tier'],
  ['network-tier-mainnet', 'policy/network-tier'],
  ['image-pinned', 'policy/image-pinned'],
  ['resources', 'policy/resources'],
  ['storage', 'policy/storage'],
  ['storage-ephemeral', 'policy/storage'],
  ['storage-txindex', 'policy/storage'],
  ['no-secrets', 'policy/no-secrets'],
  ['no-secrets-hex', 'policy/no-secrets'],
  ['rpc-methods', 'policy/rpc-methods'],
  ['image-placeholder', 'policy/image-placeholder'],
  // A custom node (client: custom) is held to the same rules, with the same ids, as a built-in one.
  ['custom-public-endpoint', 'policy/public-endpoint'],
  ['custom-network-tier', 'policy/network-tier'],
  ['custom-storage-ephemeral', 'policy/storage'],
  ['custom-no-secrets', 'policy/no-secrets'],
];
