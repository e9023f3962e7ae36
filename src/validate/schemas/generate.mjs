#!/usr/bin/env node
/**
 * Regenerates the vendored schemas in this folder from the Kubernetes OpenAPI document and the
 * CRD JSON schemas of datreeio/CRDs-catalog (see README.md here for sources and licenses).
 *
 *   node src/validate/schemas/generate.mjs [--source <sources.tar.gz | extracted folder>]
 *
 * Default source: ../shared/k8s-openapi/sources.tar.gz beside the project. Only this script reads
 * it; nodegen reads the generated kubernetes.json and crds.json, committed with the repository.
 *
 * What the trimming does, and why:
 * - keeps only the kinds listed below and the definitions they reach, without descriptions;
 * - closes every object that lists its properties (`additionalProperties: false`), so an unknown
 *   field is an error, as with `kubectl apply` (server-side field validation is Strict);
 *   objects marked `x-kubernetes-preserve-unknown-fields` stay open;
 * - int-or-string becomes `type: [integer, string]`; Quantity becomes a string of the quantity
 *   format, or a number (both are what the API server accepts);
 * - drops `status` (and Argo CD's `operation`) from top-level kinds: nodegen never writes them;
 * - drops CEL rules (`x-kubernetes-validations`): they are not evaluated here;
 * - adds the enums of the built-in kinds, which this OpenAPI v2 document does not carry, from
 *   kubernetes-models (see addEnums); IntOrString's integer is an int32, as kubernetes-models has it.
 *
 * To check one more kind: add it to KINDS or CRDS below, run this script, commit the output.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..', '..');
const OPENAPI_FILE = 'kubernetes-v1.35-swagger.json';
const require = createRequire(import.meta.url);

/** Built-in kinds nodegen emits or may emit: [apiVersion, kind]. */
const KINDS = [
  ['v1', 'Namespace'],
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['v1', 'Service'],
  ['v1', 'ServiceAccount'],
  ['v1', 'PersistentVolumeClaim'],
  ['v1', 'LimitRange'],
  ['v1', 'ResourceQuota'],
  ['apps/v1', 'StatefulSet'],
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'DaemonSet'],
  ['batch/v1', 'CronJob'],
  ['batch/v1', 'Job'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['networking.k8s.io/v1', 'Ingress'],
  ['policy/v1', 'PodDisruptionBudget'],
  ['rbac.authorization.k8s.io/v1', 'Role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
];

/** Custom resources: [apiVersion, kind, file under crds/]. */
const CRDS = [
  ['snapshot.storage.k8s.io/v1', 'VolumeSnapshot', 'snapshot.storage.k8s.io/volumesnapshot_v1.json'],
  ['snapshot.storage.k8s.io/v1', 'VolumeSnapshotContent', 'snapshot.storage.k8s.io/volumesnapshotcontent_v1.json'],
  ['snapshot.storage.k8s.io/v1', 'VolumeSnapshotClass', 'snapshot.storage.k8s.io/volumesnapshotclass_v1.json'],
  ['monitoring.coreos.com/v1', 'ServiceMonitor', 'monitoring.coreos.com/servicemonitor_v1.json'],
  ['monitoring.coreos.com/v1', 'PodMonitor', 'monitoring.coreos.com/podmonitor_v1.json'],
  ['monitoring.coreos.com/v1', 'PrometheusRule', 'monitoring.coreos.com/prometheusrule_v1.json'],
  ['monitoring.googleapis.com/v1', 'PodMonitoring', 'monitoring.googleapis.com/podmonitoring_v1.json'],
  ['monitoring.googleapis.com/v1', 'Rules', 'monitoring.googleapis.com/rules_v1.json'],
  ['argoproj.io/v1alpha1', 'Application', 'argoproj.io/application_v1alpha1.json'],
  ['source.toolkit.fluxcd.io/v1', 'GitRepository', 'source.toolkit.fluxcd.io/gitrepository_v1.json'],
  ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'kustomize.toolkit.fluxcd.io/kustomization_v1.json'],
];

/** Formats the validator implements (src/validate/schema-validator.ts); any other is an error here. */
const KNOWN_FORMATS = new Set(['int32', 'int64', 'double', 'float', 'byte', 'date-time', 'quantity']);

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
/** Top-level fields nodegen never writes: the server owns them. */
const SERVER_OWNED = ['status', 'operation'];

/** Keywords copied as they are; everything else (descriptions, defaults, x-*) is dropped. */
const COPIED = [
  'type', 'enum', 'required', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'uniqueItems', 'multipleOf',
];

/**
 * Go's `(?i)` flag has no JavaScript inline equivalent: spell each letter outside a character
 * class as both cases instead. Patterns must compile as JavaScript regular expressions.
 */
function jsPattern(pattern) {
  let out = pattern;
  if (out.includes('(?i)')) {
    out = '';
    let inClass = false;
    const body = pattern.replace('(?i)', '');
    for (let i = 0; i < body.length; i++) {
      const ch = body[i];
      if (ch === '\\') {
        out += ch + (body[i + 1] ?? '');
        i++;
      } else if (inClass) {
        if (ch === ']') inClass = false;
        out += ch;
      } else if (ch === '[') {
        inClass = true;
        out += ch;
      } else if (/[a-zA-Z]/.test(ch)) {
        out += `[${ch.toLowerCase()}${ch.toUpperCase()}]`;
      } else {
        out += ch;
      }
    }
  }
  new RegExp(out); // throws on a pattern this validator cannot run
  return out;
}

function parseArgs(argv) {
  const i = argv.indexOf('--source');
  return { source: i >= 0 ? resolve(argv[i + 1]) : resolve(ROOT, '..', 'shared', 'k8s-openapi', 'sources.tar.gz') };
}

/** The folder holding the swagger document and crds/: the source itself, or a temporary extraction. */
function openSource(source) {
  if (!existsSync(source)) throw new Error(`no source at ${source}; pass --source <sources.tar.gz | folder>`);
  if (statSync(source).isDirectory()) return { dir: source, cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'nodegen-schemas-'));
  execFileSync('tar', ['-xzf', source, '-C', dir]);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const formatsSeen = new Set();

/** Trims one schema node (see the header for the rules). */
function trim(node, refPrefix) {
  if (node === true || node === false) return node;
  if (typeof node !== 'object' || node === null) throw new Error(`unexpected schema node ${JSON.stringify(node)}`);
  if (node.$ref) {
    const name = node.$ref.replace('#/definitions/', '');
    return { $ref: `${refPrefix}${name}` };
  }
  if (node['x-kubernetes-int-or-string']) {
    return { type: ['integer', 'string'], ...(node.pattern ? { pattern: jsPattern(node.pattern) } : {}) };
  }
  const out = {};
  for (const k of COPIED) if (node[k] !== undefined) out[k] = node[k];
  if (out.pattern !== undefined) out.pattern = jsPattern(out.pattern);
  if (node.format !== undefined && typeof node.format === 'string') {
    if (node.format === 'int-or-string') return { type: ['integer', 'string'] };
    formatsSeen.add(node.format);
    out.format = node.format;
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (node.items) out.items = trim(node.items, refPrefix);
  for (const k of ['anyOf', 'oneOf', 'allOf']) {
    if (Array.isArray(node[k])) {
      const parts = node[k].map((s) => trim(s, refPrefix)).filter((s) => Object.keys(s).length > 0);
      if (parts.length > 0) out[k] = parts;
    }
  }
  if (node.not) out.not = trim(node.not, refPrefix);
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node.properties) {
    out.properties = {};
    for (const [name, sub] of Object.entries(node.properties)) out.properties[name] = trim(sub, refPrefix);
  }
  if (node.additionalProperties !== undefined) {
    out.additionalProperties = typeof node.additionalProperties === 'object' ? trim(node.additionalProperties, refPrefix) : node.additionalProperties;
  } else if (node.properties && !preserve) {
    out.additionalProperties = false;
  }
  if (preserve && out.additionalProperties === false) delete out.additionalProperties;
  return out;
}

/** The definition names reachable from `roots` through $ref. */
function reachable(definitions, roots) {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop();
    if (seen.has(name)) continue;
    if (!definitions[name]) throw new Error(`missing definition ${name}`);
    seen.add(name);
    const walk = (n) => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object') {
        if (typeof n.$ref === 'string') queue.push(n.$ref.replace('#/definitions/', ''));
        for (const v of Object.values(n)) walk(v);
      }
    };
    walk(definitions[name]);
  }
  return [...seen].sort();
}

function kindKey(apiVersion, kind) {
  return `${apiVersion}/${kind}`;
}

/** A top-level kind: the definition, pinned apiVersion and kind, a name required, no server-owned fields. */
function topLevel(ref, apiVersion, kind) {
  return {
    allOf: [{ $ref: ref }],
    properties: { apiVersion: { enum: [apiVersion] }, kind: { enum: [kind] } },
    required: ['apiVersion', 'kind', 'metadata'],
  };
}

function generateKubernetes(dir) {
  const swagger = JSON.parse(readFileSync(join(dir, OPENAPI_FILE), 'utf8'));
  const defs = swagger.definitions;
  const byGvk = new Map();
  for (const [name, d] of Object.entries(defs)) {
    for (const g of d['x-kubernetes-group-version-kind'] ?? []) {
      byGvk.set(kindKey(g.group ? `${g.group}/${g.version}` : g.version, g.kind), name);
    }
  }
  const roots = KINDS.map(([apiVersion, kind]) => {
    const name = byGvk.get(kindKey(apiVersion, kind));
    if (!name) throw new Error(`${apiVersion} ${kind} is not in ${OPENAPI_FILE}`);
    return name;
  });
  const definitions = {};
  for (const name of reachable(defs, [...roots, OBJECT_META])) {
    // Go's IntOrString holds an int32; kubernetes-models checks the range too (a port of 2^40).
    if (name === INT_OR_STRING) definitions[name] = { type: ['integer', 'string'], format: 'int32' };
    else if (name === QUANTITY) definitions[name] = { type: ['string', 'number'], format: 'quantity' };
    else definitions[name] = trim(defs[name], '#/definitions/');
  }
  for (const name of roots) {
    for (const f of SERVER_OWNED) delete definitions[name].properties?.[f];
  }
  addEnums(definitions);
  const kinds = {};
  KINDS.forEach(([apiVersion, kind], i) => {
    kinds[kindKey(apiVersion, kind)] = topLevel(`#/definitions/${roots[i]}`, apiVersion, kind);
  });
  return {
    $comment: `Generated by src/validate/schemas/generate.mjs from ${OPENAPI_FILE} (Kubernetes 1.35, Apache-2.0), enums from kubernetes-models ${modelsVersion()} (MIT). Do not edit.`,
    kinds,
    definitions,
  };
}

/**
 * The folder of an installed package. kubernetes-models exports neither its package.json nor its
 * `_schemas`, so they are read by path.
 */
function packageDir(name) {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name) {
    if (dirname(dir) === dir) throw new Error(`no package folder for ${name}`);
    dir = dirname(dir);
  }
  return dir;
}

/** The installed kubernetes-models version, named in kubernetes.json. */
function modelsVersion() {
  return JSON.parse(readFileSync(join(packageDir('kubernetes-models'), 'package.json'), 'utf8')).version;
}

/** A value no enum allows: the probe that makes a kubernetes-models validator list its enum. */
const PROBE = '\u0000nodegen: not a value of any enum';

/**
 * kubernetes-models' validator of one OpenAPI definition (`validate(data)`, Ajv code with
 * `.errors`), or undefined when kubernetes-models does not have the definition (it follows an
 * older Kubernetes than 1.35). Files are named after the definition in PascalCase:
 * io.k8s.api.core.v1.ContainerPort is _schemas/IoK8sApiCoreV1ContainerPort.js; apimachinery's
 * live in @kubernetes-models/apimachinery.
 */
function modelValidator(name) {
  const pkg = name.startsWith('io.k8s.apimachinery.') ? '@kubernetes-models/apimachinery' : 'kubernetes-models';
  const file = join(packageDir(pkg), '_schemas', `${name.split('.').map((s) => s[0].toUpperCase() + s.slice(1)).join('')}.js`);
  if (!existsSync(file)) return undefined;
  const { validate } = require(file);
  if (typeof validate !== 'function') throw new Error(`${file} exports no validate function`);
  return validate;
}

/**
 * Where a property holds strings, the schema node that describes one string: the property
 * itself, its items (a list of strings) or its values (a map of strings), with the probe data
 * and the instance path at which a validator reports that string. Undefined for anything else.
 */
function stringSlot(property, schema) {
  const isString = (s) => s?.type === 'string';
  if (isString(schema)) return { node: schema, data: { [property]: PROBE }, path: `/${property}` };
  if (schema.type === 'array' && isString(schema.items)) return { node: schema.items, data: { [property]: [PROBE] }, path: `/${property}/0` };
  if (schema.type === 'object' && isString(schema.additionalProperties)) {
    return { node: schema.additionalProperties, data: { [property]: { probe: PROBE } }, path: `/${property}/probe` };
  }
  return undefined;
}

/**
 * The values kubernetes-models allows for one string property of a definition (in its order,
 * which is sorted), or undefined when it has no enum there.
 */
function modelEnum(name, property, schema) {
  const validate = modelValidator(name);
  const slot = stringSlot(property, schema);
  if (!validate || !slot) return undefined;
  validate(slot.data);
  const found = (validate.errors ?? []).find((e) => e.keyword === 'enum' && e.instancePath === slot.path);
  return found ? [...found.params.allowedValues] : undefined;
}

/**
 * The OpenAPI v2 document vendored here (kubernetes-client/javascript's copy) carries no enums, so
 * `protocol: tcp` or `restartPolicy: Sometimes` would pass. kubernetes-models knows them: for every string property (or list or map of strings) of every definition, probe
 * its validator with a value no enum allows and copy the allowed values it reports. Run here,
 * once: nodegen itself never loads kubernetes-models.
 */
function addEnums(definitions) {
  for (const [name, definition] of Object.entries(definitions)) {
    for (const [property, schema] of Object.entries(definition.properties ?? {})) {
      const values = modelEnum(name, property, schema);
      if (!values) continue;
      const { node } = stringSlot(property, schema);
      if (node.enum) throw new Error(`${name}.${property} already has an enum`);
      // Rebuilt in place so that `enum` follows `type`, where trim() puts a copied enum.
      const { type, ...rest } = node;
      for (const k of Object.keys(node)) delete node[k];
      Object.assign(node, { type, enum: values, ...rest });
    }
  }
}

function generateCrds(dir) {
  const kinds = {};
  for (const [apiVersion, kind, file] of CRDS) {
    const raw = JSON.parse(readFileSync(join(dir, 'crds', file), 'utf8'));
    const schema = trim(raw, '#/definitions/');
    for (const f of SERVER_OWNED) delete schema.properties?.[f];
    // The CRD schemas leave metadata open; the API server checks it as ObjectMeta.
    schema.properties.metadata = { $ref: `kubernetes.json#/definitions/${OBJECT_META}` };
    schema.properties.apiVersion = { enum: [apiVersion] };
    schema.properties.kind = { enum: [kind] };
    schema.additionalProperties = false;
    schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind', 'metadata'])];
    kinds[kindKey(apiVersion, kind)] = schema;
  }
  return {
    $comment: 'Generated by src/validate/schemas/generate.mjs from datreeio/CRDs-catalog (MIT). Do not edit.',
    kinds,
  };
}

function main() {
  const { source } = parseArgs(process.argv.slice(2));
  const { dir, cleanup } = openSource(source);
  try {
    const kubernetes = generateKubernetes(dir);
    const crds = generateCrds(dir);
    const unknown = [...formatsSeen].filter((f) => !KNOWN_FORMATS.has(f));
    if (unknown.length > 0) throw new Error(`formats the validator does not implement: ${unknown.join(', ')}`);
    for (const [file, data] of [['kubernetes.json', kubernetes], ['crds.json', crds]]) {
      writeFileSync(join(HERE, file), JSON.stringify(data) + '\n');
      process.stdout.write(`wrote ${file} (${Object.keys(data.kinds).length} kinds, ${Math.round(JSON.stringify(data).length / 1024)} KiB)\n`);
    }
  } finally {
    cleanup();
  }
}

main();
