/**
 * The precompiled schema validators (src/validate/schemas/validators*.js, Ajv standalone code) must
 * be current and must judge exactly as validators compiled at run time do.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSelected } from '../../src/cli/commands/synth.js';
import { listEnvironmentNames } from '../../src/environment/load.js';
import { checkSchema, checkSchemaCompiledAtRunTime, knownKinds, precompiledSources } from '../../src/validate/schema-validator.js';
import { REPO } from '../helpers/project.js';
import { random } from '../helpers/random.js';
import { PROJECT } from './helpers.js';

const SCHEMAS = join(REPO, 'src', 'validate', 'schemas');

/** Every object the fixture project's feature environments and the shipped environments render. */
const objects = [
  ...renderSelected(PROJECT, ['features', 'features-gke', 'features-podmonitor']),
  ...renderSelected(REPO, listEnvironmentNames(REPO)),
].flatMap((r) => r.files.flatMap((f) => f.objects as unknown as Record<string, unknown>[]));


type Container = Record<string, unknown> | unknown[];

/** Every place in an object a value sits: its container and key. */
function slots(v: unknown, out: Array<[Container, string | number]> = []): Array<[Container, string | number]> {
  if (Array.isArray(v)) v.forEach((x, i) => (out.push([v, i]), slots(x, out)));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (out.push([v as Record<string, unknown>, k]), slots(x, out));
  return out;
}

/** Values that break schemas in every way: types, formats, quantities, enums, unknown fields. */
const BAD = [42, -1, 1.5, 2 ** 40, 'x', '', '12GB', 'not-a-date', 'TCP', 'tcp', true, null, {}, [], { unknownField: 1 }, ['a', 1]];

describe('the precompiled schema validators', () => {
  const sources = precompiledSources();

  it('are current: validators*.js are what the vendored schemas and the installed Ajv compile to (else run `node src/validate/schemas/compile.mjs`)', () => {
    const onDisk = readdirSync(SCHEMAS).filter((f) => /^validators(\..+)?\.js$/.test(f));
    expect(onDisk.sort()).toEqual(Object.keys(sources).sort());
    const stale = onDisk.filter((f) => readFileSync(join(SCHEMAS, f), 'utf8') !== sources[f]);
    expect(stale).toEqual([]);
  });

  it('hold a validator for every vendored kind, in the file the index names', () => {
    const index = require(join(SCHEMAS, 'validators.js')) as { files: Record<string, string> };
    expect(Object.keys(index.files).sort()).toEqual(knownKinds());
    for (const [kind, file] of Object.entries(index.files)) {
      expect((require(join(SCHEMAS, file)) as { kinds: string[] }).kinds).toContain(kind);
    }
    // Built-in kinds share one file (they share the PodSpec graph); each custom resource has its own.
    expect(index.files['apps/v1/StatefulSet']).toBe(index.files['batch/v1/CronJob']);
    expect(index.files['monitoring.coreos.com/v1/ServiceMonitor']).not.toBe(index.files['monitoring.coreos.com/v1/PodMonitor']);
  });

  it('find exactly what run-time compiled validators find, on rendered objects and 3,000 seeded mutations of them', () => {
    expect(objects.length).toBeGreaterThan(50);
    const rnd = random(7);
    const differences: string[] = [];
    let failing = 0;
    const compare = (o: Record<string, unknown>, what: string) => {
      const a = checkSchema(o);
      const b = checkSchemaCompiledAtRunTime(o);
      if (a.known && a.issues.length > 0) failing++;
      if (JSON.stringify(a) !== JSON.stringify(b) && differences.length < 3) differences.push(`${what}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
    };
    for (const o of objects) compare(o, `${String(o['kind'])}`);
    for (let i = 0; i < 3_000; i++) {
      const o = structuredClone(objects[rnd(objects.length)]!);
      for (let m = 1 + rnd(3); m > 0; m--) {
        const all = slots(o);
        const [container, key] = all[rnd(all.length)]!;
        if (rnd(4) === 0 && !Array.isArray(container)) delete container[key as string];
        else (container as Record<string | number, unknown>)[key] = structuredClone(BAD[rnd(BAD.length)]);
      }
      compare(o, `mutation ${i} of ${String(o['kind'])}`);
    }
    expect(differences).toEqual([]);
    // The comparison means something only if most mutations break the schema.
    expect(failing).toBeGreaterThan(2_000);
  });
});
