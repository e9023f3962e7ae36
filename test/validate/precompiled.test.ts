/**
 * The precompiled schema validators (src/validate/schemas/validators.js, Ajv standalone code) must
 * be current and must judge exactly as validators compiled at run time do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSelected } from '../../src/cli/commands/synth.js';
import { listEnvironmentNames } from '../../src/environment/load.js';
import { checkSchema, checkSchemaCompiledAtRunTime, knownKinds, precompiledSource } from '../../src/validate/schema-validator.js';
import { REPO } from '../helpers/project.js';
import { random } from '../helpers/random.js';
import { PROJECT } from './helpers.js';

const GENERATED = join(REPO, 'src', 'validate', 'schemas', 'validators.js');

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
  it('are current: validators.js is what the vendored schemas and the installed Ajv compile to (else run `node src/validate/schemas/compile.mjs`)', () => {
    expect(readFileSync(GENERATED, 'utf8') === precompiledSource()).toBe(true);
  });

  it('hold a validator for every vendored kind', () => {
    const generated = require(GENERATED) as { kinds: string[] };
    expect([...generated.kinds].sort()).toEqual(knownKinds());
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
