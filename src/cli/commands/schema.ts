/**
 * `nodegen schema`: the JSON Schema of environment files (or, with `--profile`, of chain profile
 * files), derived from the same zod schema the loader validates with. Committed copies,
 * environments/environment.schema.json and chains/profile.schema.json, are named on the first line
 * of every such file so editors validate and complete keys as you type.
 */
import { z } from 'zod';
import { environmentSchemaFor, schemaParts } from '../../environment/schema.js';
import { profileSchema } from '../../chains/profile.js';
import type { ChainProfiles } from '../../chains/profiles.js';

/** Where the committed copy lives, relative to the project root. */
export const SCHEMA_FILE = 'environments/environment.schema.json';
/** Where the committed copy of the chain profile schema lives. */
export const PROFILE_SCHEMA_FILE = 'chains/profile.schema.json';

/**
 * Each file is one layer of an environment (base.yaml has no namespace, qa.yaml no tier, an
 * overlay's node no client), so a per-file schema cannot require keys: `required` is dropped and a
 * node may match any client's shape (`oneOf` becomes `anyOf`). Unknown keys, types and patterns
 * are still checked as you type; required keys are checked by nodegen on the merged result.
 */
function asLayerSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asLayerSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'required') continue;
    out[key === 'oneOf' ? 'anyOf' : key] = asLayerSchema(value);
  }
  return out;
}

/** The schema as pretty-printed JSON text, ending in a newline, for nodes of these chain profiles (the project's). */
export function environmentJsonSchema(chains: ChainProfiles): string {
  const schema = asLayerSchema(z.toJSONSchema(environmentSchemaFor(chains), { io: 'input', target: 'draft-2020-12' })) as Record<string, unknown>;
  const withTitle = {
    $schema: schema['$schema'],
    $id: 'https://nodegen.dev/schemas/environment.schema.json',
    title: 'nodegen environment file',
    description:
      'environments/base.yaml and environments/<env>.yaml. Files merge in order: later wins, maps merge, lists and scalars replace, null removes a key. ' +
      'A single file may leave out keys another file sets; required keys are checked on the merged result.',
    ...schema,
  };
  return `${JSON.stringify(withTitle, null, 2)}\n`;
}

/** The JSON Schema of a chain profile file (`chains/<client>.yaml`), ending in a newline. */
export function profileJsonSchema(): string {
  const { dnsLabel, quantity, image, resourcesSchema } = schemaParts();
  const schema = z.toJSONSchema(profileSchema({ dnsLabel, quantity, image, resources: resourcesSchema }), { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  const withTitle = {
    $schema: schema['$schema'],
    $id: 'https://nodegen.dev/schemas/profile.schema.json',
    title: 'nodegen chain profile',
    description: 'chains/<client>.yaml: a Bitcoin-family daemon that nodes name with `client: <client>` (README "Chain profiles").',
    ...schema,
  };
  return `${JSON.stringify(withTitle, null, 2)}\n`;
}
