/**
 * Schema checks of rendered objects against the vendored JSON schemas in ./schemas: the
 * Kubernetes 1.35 built-in kinds and the CRDs nodegen may emit. Every object is closed, so an
 * unknown field is an error as it is for `kubectl apply` (server-side field validation is Strict
 * by default). The built-in kinds' enums, which the OpenAPI v2 document lacks, were copied from
 * kubernetes-models when the schemas were generated (./schemas/generate.mjs); nodegen does not
 * load kubernetes-models (requiring it cost about 66 ms and its checks 25 ms of every `synth`).
 *
 * The schemas come compiled ahead of time (./schemas/validators.*.js, Ajv standalone code, used
 * while they match the schema files), in files a run loads only when it meets their kinds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { default as Ajv, ErrorObject, FormatDefinition, ValidateFunction } from 'ajv';
import { didYouMean } from '../errors.js';
import { isQuantity } from './quantity.js';

/** One thing a schema found wrong. */
export interface SchemaIssue {
  /** `unknown-field`: a field the schema does not have; `schema`: anything else. */
  readonly kind: 'unknown-field' | 'schema';
  /** Dotted path in the object (`spec.template.spec.containers[0].ports[0].containerPort`). */
  readonly path: string;
  readonly message: string;
}

/** The outcome of checking one object. */
export type SchemaResult = { readonly known: false } | { readonly known: true; readonly issues: readonly SchemaIssue[] };

interface SchemaBundle {
  readonly kinds: Record<string, object>;
  readonly definitions?: Record<string, object>;
}

/**
 * The vendored schemas ship in src/validate/schemas (the package includes src/). Under the test
 * runner this module runs from src/validate; compiled, from lib/src/validate; bundled into the
 * CLI (bin/bundle.mjs), from lib/cli.
 */
function schemaDir(): string {
  const candidates = [
    join(__dirname, 'schemas'), // the test runner: src/validate
    join(__dirname, '..', '..', '..', 'src', 'validate', 'schemas'), // compiled: lib/src/validate
    join(__dirname, '..', '..', 'src', 'validate', 'schemas'), // the bundled CLI: lib/cli
  ];
  const found = candidates.find((d) => existsSync(join(d, 'kubernetes.json')));
  if (!found) throw new Error(`vendored schemas not found (looked in ${candidates.join(', ')})`);
  return found;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The formats the Kubernetes schemas use. Precompiled validators call these same definitions. */
const FORMATS: Record<string, FormatDefinition<string> | FormatDefinition<number>> = {
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
  int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
  double: { type: 'number', validate: () => true },
  float: { type: 'number', validate: () => true },
  byte: { type: 'string', validate: (s: string) => BASE64.test(s) },
  'date-time': { type: 'string', validate: (s: string) => RFC3339.test(s) },
  quantity: { type: 'string', validate: (s: string) => isQuantity(s) },
};

/**
 * The Ajv instance every validator is compiled with, at run time or ahead of time (`source`).
 * Go regular expressions (CRD patterns) are not all valid in Unicode mode. inlineRefs off and no
 * code optimisation: the PodSpec graph compiles in a third of the time.
 */
const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true, unicodeRegExp: false, logger: false, inlineRefs: false } as const;

function newAjv(kubernetes: SchemaBundle, source: boolean): Ajv {
  // Required here, not imported: with current precompiled validators synth never loads Ajv.
  const { default: AjvClass, _ } = require('ajv') as typeof import('ajv');
  const ajv = new AjvClass({
    ...AJV_OPTIONS,
    // Ahead of time, the formats are the `formats` argument of the generated module's create().
    code: source ? { optimize: false, source: true, formats: _`formats` } : { optimize: false },
  });
  for (const [name, format] of Object.entries(FORMATS)) ajv.addFormat(name, format);
  ajv.addSchema({ definitions: kubernetes.definitions }, 'kubernetes.json');
  return ajv;
}

interface Schemas {
  readonly dir: string;
  /** What the validators are compiled from: both files, the Ajv version, its options and the format types. */
  readonly hash: string;
  readonly kubernetesText: string;
  readonly crdsText: string;
  /** The parsed files, on first use: with current precompiled validators a run never parses them. */
  parsed?: { readonly kubernetes: SchemaBundle; readonly crds: SchemaBundle };
}

/** What a run keeps: the schema files, the validators loaded or compiled so far. */
type State = Schemas & {
  ajv?: Ajv;
  /** The precompiled index; null when it is missing or not current. */
  index?: PrecompiledIndex | null;
  /** Precompiled files loaded so far, by name; null when one is not current. */
  modules: Map<string, Map<string, ValidateFunction> | null>;
  compiled: Map<string, ValidateFunction>;
};

function readSchemas(): Schemas {
  const dir = schemaDir();
  const kubernetesText = readFileSync(join(dir, 'kubernetes.json'), 'utf8');
  const crdsText = readFileSync(join(dir, 'crds.json'), 'utf8');
  const ajvVersion = (require('ajv/package.json') as { version: string }).version;
  const compiledWith = JSON.stringify({ ajvVersion, AJV_OPTIONS, formats: Object.entries(FORMATS).map(([name, f]) => [name, f.type]) });
  const hash = createHash('sha256').update(`${compiledWith}\0${kubernetesText}\0${crdsText}`).digest('hex');
  return { dir, hash, kubernetesText, crdsText };
}

function parsed(s: Schemas): { readonly kubernetes: SchemaBundle; readonly crds: SchemaBundle } {
  s.parsed ??= { kubernetes: JSON.parse(s.kubernetesText) as SchemaBundle, crds: JSON.parse(s.crdsText) as SchemaBundle };
  return s.parsed;
}

/** A kind's schema as it is compiled: built-in kinds refer into the shared kubernetes.json. */
function schemaOf(s: Schemas, key: string): object | undefined {
  const { kubernetes, crds } = parsed(s);
  const builtIn = kubernetes.kinds[key];
  // No $id: references to `kubernetes.json#/definitions/...` then resolve to the shared document.
  if (builtIn) return rebase(builtIn);
  return crds.kinds[key];
}

/** The generated index ./schemas/validators.js: which generated file holds each kind's validator. */
interface PrecompiledIndex {
  readonly hash: string;
  /** `apiVersion/kind` → the file in ./schemas with its validator. */
  readonly files: Readonly<Record<string, string>>;
}

/** One generated file of validators (./schemas/validators.<group>.js). */
interface PrecompiledModule {
  readonly hash: string;
  readonly kinds: readonly string[];
  create(formats: typeof FORMATS): Record<string, ValidateFunction>;
}

/**
 * The generated file that holds a kind's validator: one for all built-in kinds (they share the
 * PodSpec graph), one per custom resource (a run loads only the CRDs it renders: the Argo CD
 * Application's validator alone is 390 KB).
 */
function precompiledFileOf(key: string, builtIn: boolean): string {
  if (builtIn) return 'validators.kubernetes.js';
  const parts = key.split('/');
  return `validators.${parts[0]}.${parts[parts.length - 1]}.js`;
}

const GENERATED_HEADER = [
  '// Generated by src/validate/schemas/compile.mjs from kubernetes.json and crds.json (Ajv standalone code). Do not edit.',
  '// src/validate/schema-validator.ts uses it only while `hash` matches those files and the installed Ajv.',
  "'use strict';",
];

/**
 * The validators compiled ahead of time into ./schemas/validators.*.js, file by file as kinds are
 * met, when the files were generated from the schemas and Ajv version in use (else undefined, and
 * validators are compiled at run time).
 *
 * Compiling the vendored schemas is Ajv's slow part: the StatefulSet's PodSpec graph alone took
 * 110 ms, and the kinds of the default fleet about 190 ms of a 650 ms `synth --all` (issue 7).
 */
function precompiled(s: State, key: string): ValidateFunction | undefined {
  if (s.index === undefined) {
    const file = join(s.dir, 'validators.js');
    const index = existsSync(file) ? (require(file) as PrecompiledIndex) : undefined;
    s.index = index && index.hash === s.hash ? index : null;
  }
  const name = s.index?.files[key];
  if (!name) return undefined;
  let fns = s.modules.get(name);
  if (fns === undefined) {
    const module = require(join(s.dir, name)) as PrecompiledModule;
    const created = module.hash === s.hash ? module.create(FORMATS) : undefined;
    fns = created ? new Map(module.kinds.map((k, i) => [k, created[`k${i}`]!])) : null;
    s.modules.set(name, fns);
  }
  return fns?.get(key);
}

/**
 * The sources of ./schemas/validators.js (the index) and ./schemas/validators.*.js: every vendored
 * kind compiled with the run-time options. `node src/validate/schemas/compile.mjs` writes them; a
 * test keeps them current.
 */
export function precompiledSources(): Record<string, string> {
  const s = readSchemas();
  const { kubernetes, crds } = parsed(s);
  const groups = new Map<string, string[]>();
  for (const [kinds, builtIn] of [[kubernetes.kinds, true], [crds.kinds, false]] as const) {
    for (const key of Object.keys(kinds)) {
      const name = precompiledFileOf(key, builtIn);
      groups.set(name, [...(groups.get(name) ?? []), key]);
    }
  }
  const { default: standaloneCode } = require('ajv/dist/standalone') as typeof import('ajv/dist/standalone');
  const out: Record<string, string> = {};
  const files: Record<string, string> = {};
  for (const [name, kinds] of groups) {
    const ajv = newAjv(kubernetes, true);
    kinds.forEach((key, i) => ajv.addSchema(schemaOf(s, key)!, `k${i}`));
    const code = standaloneCode(ajv, Object.fromEntries(kinds.map((_key, i) => [`k${i}`, `k${i}`])));
    out[name] = [
      ...GENERATED_HEADER,
      `module.exports.hash = ${JSON.stringify(s.hash)};`,
      `module.exports.kinds = ${JSON.stringify(kinds)};`,
      'module.exports.create = function (formats) {',
      '  const exports = {};',
      code,
      '  return exports;',
      '};',
      '',
    ].join('\n');
    for (const key of kinds) files[key] = name;
  }
  out['validators.js'] = [
    ...GENERATED_HEADER,
    `module.exports.hash = ${JSON.stringify(s.hash)};`,
    '// apiVersion/kind -> the file with its validator',
    `module.exports.files = ${JSON.stringify(files, null, 2)};`,
    '',
  ].join('\n');
  return out;
}

let state: State | undefined;

function load() {
  state ??= { ...readSchemas(), modules: new Map(), compiled: new Map() };
  return state;
}

function validatorFor(key: string): ValidateFunction | undefined {
  return precompiled(load(), key) ?? compiledAtRunTime(key);
}

function compiledAtRunTime(key: string): ValidateFunction | undefined {
  const s = load();
  const ready = s.compiled.get(key);
  if (ready) return ready;
  const schema = schemaOf(s, key);
  if (!schema) return undefined;
  s.ajv ??= newAjv(parsed(s).kubernetes, false);
  const fn = s.ajv.compile(schema);
  s.compiled.set(key, fn);
  return fn;
}

/** Points a kind's local `#/definitions/` references at the shared kubernetes.json document. */
function rebase(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/definitions/', '"kubernetes.json#/definitions/')) as object;
}

/** The `apiVersion/kind` keys of every vendored schema. */
export function knownKinds(): string[] {
  const { kubernetes, crds } = parsed(load());
  return [...Object.keys(kubernetes.kinds), ...Object.keys(crds.kinds)].sort();
}

function dotted(instancePath: string, extra?: string): string {
  const segs = instancePath.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (extra !== undefined) segs.push(extra);
  let out = '';
  for (const s of segs) out += /^\d+$/.test(s) ? `[${s}]` : out ? `.${s}` : s;
  return out;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const FORMAT_NAMES: Record<string, string> = {
  quantity: 'a Kubernetes quantity (such as "500m", "2", "8Gi")',
  int32: 'a 32-bit integer',
  int64: 'an integer',
  byte: 'base64 data',
  'date-time': 'an RFC 3339 date-time',
};

/** Turns ajv errors into issues: one per path, the most specific message first, union noise dropped. */
function toIssues(errors: readonly ErrorObject[]): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  // The messages quote the offending value: AJV_OPTIONS.verbose puts it on every error (`e.data`).
  const specific = errors.filter((e) => !['anyOf', 'oneOf', 'allOf', 'if'].includes(e.keyword));
  const used = specific.length > 0 ? specific : errors;
  // A value of the wrong type fails its enum too; the type error says enough.
  const mistyped = new Set(used.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  for (const e of used) {
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperties': {
        const field = String(params['additionalProperty']);
        const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const guess = didYouMean(field, known);
        out.push({
          kind: 'unknown-field',
          path: dotted(e.instancePath, field),
          message: `unknown field "${field}"${guess ? `; did you mean "${guess}"?` : ''}${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`,
        });
        break;
      }
      case 'required':
        out.push({ kind: 'schema', path: dotted(e.instancePath, String(params['missingProperty'])), message: 'required field is missing' });
        break;
      case 'enum':
        if (mistyped.has(e.instancePath)) break;
        out.push({ kind: 'schema', path: dotted(e.instancePath), message: `${show(e.data)} is not allowed; expected one of: ${(params['allowedValues'] as unknown[]).map(String).join(', ')}` });
        break;
      case 'format': {
        const f = String(params['format']);
        out.push({ kind: 'schema', path: dotted(e.instancePath), message: `${show(e.data)} is not ${FORMAT_NAMES[f] ?? `of format ${f}`}` });
        break;
      }
      case 'type': {
        const t = params['type'];
        const types = Array.isArray(t) ? t.join(' or ') : String(t);
        out.push({ kind: 'schema', path: dotted(e.instancePath), message: `must be ${types}, got ${show(e.data)}` });
        break;
      }
      default:
        out.push({ kind: 'schema', path: dotted(e.instancePath), message: `${e.message ?? 'is invalid'}${typeof e.data !== 'object' ? ` (got ${show(e.data)})` : ''}` });
    }
  }
  const seen = new Set<string>();
  return out.filter((i) => {
    const k = `${i.kind}\0${i.path}\0${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Checks one object against its vendored schema. Returns `known: false` when no schema is vendored
 * for its apiVersion and kind.
 */
export function checkSchema(object: { readonly apiVersion?: unknown; readonly kind?: unknown }): SchemaResult {
  return check(object, validatorFor);
}

/**
 * checkSchema with validators compiled at run time, never the precompiled ones: the reference
 * test/validate/precompiled.test.ts holds the generated module to.
 */
export function checkSchemaCompiledAtRunTime(object: { readonly apiVersion?: unknown; readonly kind?: unknown }): SchemaResult {
  return check(object, compiledAtRunTime);
}

function check(object: { readonly apiVersion?: unknown; readonly kind?: unknown }, validatorOf: (key: string) => ValidateFunction | undefined): SchemaResult {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const validate = validatorOf(key);
  if (!validate) return { known: false };
  return { known: true, issues: validate(object) ? [] : toIssues(validate.errors ?? []) };
}
