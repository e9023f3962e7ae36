import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILE_SCHEMA_FILE, SCHEMA_FILE, environmentJsonSchema, profileJsonSchema } from '../../src/cli/commands/schema.js';
import { REPO, cli } from '../helpers/project.js';
import { loadChainProfiles } from '../../src/chains/profiles.js';

describe('nodegen schema', () => {
  it('matches the committed copy editors use (regenerate: npx nodegen schema > environments/environment.schema.json)', () => {
    expect(readFileSync(join(REPO, SCHEMA_FILE), 'utf8')).toBe(environmentJsonSchema(loadChainProfiles(REPO)));
  });

  it('is referenced from the first line of every environment file', () => {
    for (const f of readdirSync(join(REPO, 'environments')).filter((f) => f.endsWith('.yaml'))) {
      expect(readFileSync(join(REPO, 'environments', f), 'utf8').split('\n')[0], f).toBe('# yaml-language-server: $schema=./environment.schema.json');
    }
  });

  it('describes each file as a layer: unknown keys refused, nothing required', () => {
    const schema = JSON.parse(environmentJsonSchema(loadChainProfiles(REPO)));
    expect(schema.additionalProperties).toBe(false);
    expect(JSON.stringify(schema)).not.toContain('"required"');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['namespace', 'tier', 'nodes', 'publicEndpoints']));
    const node = schema.properties.nodes.additionalProperties;
    expect(node.anyOf.map((b: any) => b.properties.client.const)).toEqual(['geth', 'bitcoind', 'monacoind', 'litecoind', 'custom']);
  });

  it('prints the schema from the CLI', async () => {
    const r = await cli(REPO, 'schema');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).title).toBe('nodegen environment file');
  });

  it('has a chain profile twin: the committed copy is current and every profile in chains/ names it (npx nodegen schema --profile > chains/profile.schema.json)', () => {
    expect(readFileSync(join(REPO, PROFILE_SCHEMA_FILE), 'utf8')).toBe(profileJsonSchema());
    const schema = JSON.parse(profileJsonSchema());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.networks.propertyNames.enum).toEqual(['main', 'test', 'testnet4', 'signet', 'regtest']);
    for (const f of readdirSync(join(REPO, 'chains')).filter((f) => f.endsWith('.yaml'))) {
      expect(readFileSync(join(REPO, 'chains', f), 'utf8').split('\n')[0], f).toBe('# yaml-language-server: $schema=./profile.schema.json');
    }
  });
});
