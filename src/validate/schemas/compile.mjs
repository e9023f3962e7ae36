#!/usr/bin/env node
/**
 * Writes validators.js (an index: which file holds each kind) and validators.<group>.js: the
 * vendored schemas (kubernetes.json, crds.json) compiled ahead of time into Ajv standalone code,
 * with the options and formats src/validate/schema-validator.ts uses at run time (it generates the
 * sources; this script only builds lib/, writes the files and removes ones no longer generated).
 *
 *   node src/validate/schemas/compile.mjs      after generate.mjs, or after upgrading Ajv
 *
 * Compiling at run time took about 190 ms of a 650 ms `synth --all` (the StatefulSet's PodSpec
 * graph alone 110 ms). The built-in kinds share one file; each custom resource has its own, so a
 * run loads only the validators of the kinds it renders. schema-validator.ts uses them only while
 * their hash matches the schema files and the installed Ajv, and compiles at run time otherwise;
 * test/validate/precompiled.test.ts fails when the committed files are not current.
 */
import { readdirSync, unlinkSync, writeFileSync } from 'node:fs';
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
const { precompiledSources } = require(join(ROOT, 'lib', 'src', 'validate', 'schema-validator.js'));
const sources = precompiledSources();
for (const old of readdirSync(HERE)) {
  if (/^validators(\..+)?\.js$/.test(old) && !(old in sources)) {
    unlinkSync(join(HERE, old));
    process.stdout.write(`removed ${old}\n`);
  }
}
for (const [name, source] of Object.entries(sources)) {
  writeFileSync(join(HERE, name), source);
  process.stdout.write(`wrote ${name} (${Math.round(source.length / 1024)} KiB)\n`);
}
