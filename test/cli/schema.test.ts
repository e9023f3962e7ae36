import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, environmentJsonSchema } from '../../src/cli/commands/schema.js';
import { REPO, cli } from '../helpers/project.js';

describe('nodegen schema', () => {
  it('matches the committed copy editors use (regenerate: npx nodegen schema > environments/environment.schema.json)', () => {
    expect(readFileSync(join(REPO, SCHEMA_FILE), 'utf8')).toBe(environmentJsonSchema());
  });

  it('is referenced from the first line of every environment file', () => {
    for (const f of readdirSync(join(REPO, 'environments')).filter((f) => f.endsWith('.yaml'))) {
      expect(readFileSync(join(REPO, 'environments', f), 'utf8').split('\n')[0], f).toBe('# yaml-language-server: $schema=./environment.schema.json');
    }
  });

  it('describes each file as a layer: unknown keys refused, nothing required', () => {
    const schema = JSON.parse(environmentJsonSchema());
    expect(schema.additionalProperties).toBe(false);
    expect(JSON.stringify(schema)).not.toContain('"required"');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['namespace', 'tier', 'nodes', 'publicEndpoints']));
    const node = schema.properties.nodes.additionalProperties;
    expect(node.anyOf.map((b: any) => b.properties.client.const)).toEqual(['geth', 'bitcoind', 'monacoind', 'custom']);
  });

  it('prints the schema from the CLI', async () => {
    const r = await cli(REPO, 'schema');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).title).toBe('nodegen environment file');
  });
});
