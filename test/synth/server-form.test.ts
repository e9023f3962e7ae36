/**
 * nodegen writes objects in the form the API server stores them, so `dist/` equals what a cluster
 * reads back: no empty list and no empty string, which Kubernetes' JSON encoding drops (omitempty)
 * and which would then differ on every read. Found by the cluster suite (test/cluster): an empty
 * `volumeClaimTemplates` of a node without volumes, and a snapshot job's `CLASS` env var with
 * `value: ""`. This is the fast guard for every fixture environment and the committed dist/.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadEnvironment } from '../../src/environment/load.js';
import { renderEnvironment } from '../../src/synth/render.js';
import { REPO } from '../helpers/project.js';
import { PROJECT } from '../validate/helpers.js';

/** Paths under `value` holding an empty list or an empty string. */
function emptyFields(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((v, i) => emptyFields(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => emptyFields(v, `${path}.${k}`));
  return value === '' ? [path] : [];
}

const projects = [
  { root: PROJECT, names: readdirSync(join(PROJECT, 'environments')).filter((f) => f.endsWith('.yaml') && f !== 'base.yaml') },
  { root: REPO, names: readdirSync(join(REPO, 'environments')).filter((f) => f.endsWith('.yaml') && f !== 'base.yaml') },
].flatMap(({ root, names }) => names.map((f) => ({ root, env: f.replace(/\.yaml$/, '') })));

describe('rendered objects carry no field the API server drops', () => {
  it.each(projects)('$env', ({ root, env }) => {
    let rendered;
    try {
      rendered = renderEnvironment(loadEnvironment(env, { root }));
    } catch (e) {
      if (e instanceof InputError) return; // a fixture that is refused before rendering
      throw e;
    }
    const objects = rendered.files.flatMap((f) => f.objects) as { kind: string; metadata: { name: string } }[];
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.flatMap((o) => emptyFields(o, `${o.kind}/${o.metadata.name}`))).toEqual([]);
  });
});
