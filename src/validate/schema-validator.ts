/**
 * Schema checks of rendered objects, two ways:
 *
 * 1. the vendored JSON schemas in ./schemas (Kubernetes 1.35 built-in kinds and the CRDs nodegen
 *    may emit), with every object closed, so an unknown field is an error as it is for
 *    `kubectl apply` (server-side field validation is Strict by default);
 * 2. kubernetes-models (types, required fields, enums and formats of the built-in kinds, from the
 *    Kubernetes OpenAPI schema), which does not flag unknown fields.
 *
 * Both are compiled lazily, one kind at a time: a run pays only for the kinds it meets.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
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

/** A kubernetes-models class: its prototype's `validate` checks `this` against the kind's schema. */
interface ModelClass {
  readonly prototype: { validate(this: unknown): void };
}

/** kubernetes-models classes, by `apiVersion/kind`. A kind added to schemas/generate.mjs belongs here too. */
const MODELS: Record<string, ModelClass> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/LimitRange': LimitRange,
  'v1/ResourceQuota': ResourceQuota,
  'apps/v1/StatefulSet': StatefulSet,
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
  'batch/v1/CronJob': CronJob,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

interface SchemaBundle {
  readonly kinds: Record<string, object>;
  readonly definitions?: Record<string, object>;
}

/**
 * The vendored schemas ship in src/validate/schemas (the package includes src/). Under the test
 * runner this module runs from src/validate; compiled, from lib/src/validate.
 */
function schemaDir(): string {
  const candidates = [join(__dirname, 'schemas'), join(__dirname, '..', '..', '..', 'src', 'validate', 'schemas')];
  const found = candidates.find((d) => existsSync(join(d, 'kubernetes.json')));
  if (!found) throw new Error(`vendored schemas not found (looked in ${candidates.join(', ')})`);
  return found;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

let state: { ajv: Ajv; kubernetes: SchemaBundle; crds: SchemaBundle; compiled: Map<string, ValidateFunction> } | undefined;

function load() {
  if (state) return state;
  const dir = schemaDir();
  const kubernetes = JSON.parse(readFileSync(join(dir, 'kubernetes.json'), 'utf8')) as SchemaBundle;
  const crds = JSON.parse(readFileSync(join(dir, 'crds.json'), 'utf8')) as SchemaBundle;
  // Go regular expressions (CRD patterns) are not all valid in Unicode mode.
  // inlineRefs off and no code optimisation: the PodSpec graph compiles in a third of the time.
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, unicodeRegExp: false, logger: false, inlineRefs: false, code: { optimize: false } });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('byte', { type: 'string', validate: (s: string) => BASE64.test(s) });
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => RFC3339.test(s) });
  ajv.addFormat('quantity', { type: 'string', validate: (s: string) => isQuantity(s) });
  ajv.addSchema({ definitions: kubernetes.definitions }, 'kubernetes.json');
  state = { ajv, kubernetes, crds, compiled: new Map() };
  return state;
}

function validatorFor(key: string): ValidateFunction | undefined {
  const s = load();
  const cached = s.compiled.get(key);
  if (cached) return cached;
  const builtIn = s.kubernetes.kinds[key];
  const crd = s.crds.kinds[key];
  let fn: ValidateFunction;
  // No $id: references to `kubernetes.json#/definitions/...` then resolve to the shared document.
  if (builtIn) fn = s.ajv.compile(rebase(builtIn));
  else if (crd) fn = s.ajv.compile(crd);
  else return undefined;
  s.compiled.set(key, fn);
  return fn;
}

/** Points a kind's local `#/definitions/` references at the shared kubernetes.json document. */
function rebase(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/definitions/', '"kubernetes.json#/definitions/')) as object;
}

/** The `apiVersion/kind` keys of every vendored schema. */
export function knownKinds(): string[] {
  const s = load();
  return [...Object.keys(s.kubernetes.kinds), ...Object.keys(s.crds.kinds)].sort();
}

/** The `apiVersion/kind` keys kubernetes-models checks (every vendored built-in kind should be one). */
export function modelKinds(): string[] {
  return Object.keys(MODELS).sort();
}

/** The `apiVersion/kind` keys of the vendored built-in kinds. */
export function builtInKinds(): string[] {
  return Object.keys(load().kubernetes.kinds).sort();
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
function toIssues(errors: readonly ErrorObject[], root: unknown): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  // kubernetes-models' validators do not carry the offending value; look it up.
  const dataOf = (e: ErrorObject): unknown =>
    e.data !== undefined ? e.data : e.instancePath.split('/').slice(1).reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k.replaceAll('~1', '/').replaceAll('~0', '~')], root);
  const specific = errors.filter((e) => !['anyOf', 'oneOf', 'allOf', 'if'].includes(e.keyword));
  const used = specific.length > 0 ? specific : errors;
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
        out.push({ kind: 'schema', path: dotted(e.instancePath), message: `${show(dataOf(e))} is not allowed; expected one of: ${(params['allowedValues'] as unknown[]).map(String).join(', ')}` });
        break;
      case 'format': {
        const f = String(params['format']);
        out.push({ kind: 'schema', path: dotted(e.instancePath), message: `${show(dataOf(e))} is not ${FORMAT_NAMES[f] ?? `of format ${f}`}` });
        break;
      }
      case 'type': {
        const t = params['type'];
        const types = Array.isArray(t) ? t.join(' or ') : String(t);
        out.push({ kind: 'schema', path: dotted(e.instancePath), message: `must be ${types}, got ${show(dataOf(e))}` });
        break;
      }
      default:
        out.push({ kind: 'schema', path: dotted(e.instancePath), message: `${e.message ?? 'is invalid'}${typeof dataOf(e) !== 'object' ? ` (got ${show(dataOf(e))})` : ''}` });
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

/** Runs kubernetes-models' validator for a built-in kind. */
function modelIssues(key: string, object: object): SchemaIssue[] {
  const Model = MODELS[key];
  if (!Model) return [];
  try {
    // Called on the object itself: constructing a model would deep-copy every object first.
    Model.prototype.validate.call(object);
    return [];
  } catch (e) {
    const errors = (e as { errors?: ErrorObject[] }).errors;
    if (!Array.isArray(errors)) throw e;
    return toIssues(errors, object);
  }
}

/**
 * Checks one object against its vendored schema and, for built-in kinds, kubernetes-models.
 * Returns `known: false` when no schema is vendored for its apiVersion and kind.
 */
export function checkSchema(object: { readonly apiVersion?: unknown; readonly kind?: unknown }): SchemaResult {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const validate = validatorFor(key);
  if (!validate) return { known: false };
  const issues = validate(object) ? [] : toIssues(validate.errors ?? [], object);
  // kubernetes-models knows enums the 1.35 document leaves open; keep what it adds at new paths.
  // Nothing under a field already reported (an unknown `status` has no required `replicas`).
  const reported = issues.map((i) => i.path);
  const more = modelIssues(key, object).filter((i) => !reported.some((p) => i.path === p || i.path.startsWith(`${p}.`) || i.path.startsWith(`${p}[`)));
  return { known: true, issues: [...issues, ...more] };
}
