#!/usr/bin/env node
/**
 * Writes validators.js: the vendored schemas (kubernetes.json, crds.json) compiled ahead of time
 * into Ajv standalone code, with the options and formats src/validate/schema-validator.ts uses at
 * run time (it generates the source; this script only builds lib/ and writes the file).
 *
 *   node src/validate/schemas/compile.mjs      after generate.mjs, or after upgrading Ajv
 *
 * Compiling at run time took about 190 ms of a 650 ms `synth --all` (the StatefulSet's PodSpec
 * graph alone 110 ms); requiring the generated module takes about 45 ms. schema-validator.ts uses
 * it only while its hash matches the schema files and the installed Ajv, and compiles at run time
 * otherwise; test/validate/precompiled.test.ts fails when the committed file is not current.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const require = createRequire(import.meta.url);

const message = require(join(ROOT, 'bin', 'build.js')).ensureFresh();
if (message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
const { precompiledSource } = require(join(ROOT, 'lib', 'src', 'validate', 'schema-validator.js'));
const source = precompiledSource();
writeFileSync(join(HERE, 'validators.js'), source);
process.stdout.write(`wrote validators.js (${Math.round(source.length / 1024)} KiB)\n`);
