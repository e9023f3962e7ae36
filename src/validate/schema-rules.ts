/**
 * Schema rules: every rendered object against the vendored schema of its kind (Kubernetes 1.35,
 * with the enums of kubernetes-models, and the CRDs).
 */
import { at, type ObjectEntry, type Rule } from './rule.js';
import { checkSchema, type SchemaResult } from './schema-validator.js';

const results = new WeakMap<object, SchemaResult>();

/** Checks each object once; the three rules below share the result. */
function resultOf(e: ObjectEntry): SchemaResult {
  let r = results.get(e.object);
  if (!r) {
    r = checkSchema(e.object);
    results.set(e.object, r);
  }
  return r;
}

const FIX_CONSTRUCT = 'this object is written by nodegen: fix the construct in src/constructs/ or charts/ that sets it (the environment file cannot)';

export const schemaRule: Rule = {
  id: 'k8s/schema',
  severity: 'error',
  title: 'every object matches the schema of its kind: types, required fields, enums, formats',
  explain:
    'Each object is checked against the Kubernetes 1.35 OpenAPI schema (vendored in src/validate/schemas), with the enums ' +
    'that document lacks (a port protocol, a restart policy) taken from kubernetes-models. Custom resources (VolumeSnapshot, ' +
    'ServiceMonitor, PodMonitor, PrometheusRule, PodMonitoring, Argo CD Application, Flux GitRepository and Kustomization) are ' +
    'checked against their CRD schemas. A wrong type, a missing required field or a value outside an enum is what the API ' +
    'server refuses.',
  waivable: false,
  check(ctx, report) {
    for (const e of ctx.objects) {
      const r = resultOf(e);
      if (!r.known) continue;
      for (const i of r.issues) if (i.kind === 'schema') report(at(e, i.path, i.message, FIX_CONSTRUCT));
    }
  },
};

export const unknownFieldRule: Rule = {
  id: 'k8s/unknown-field',
  severity: 'error',
  title: 'no field that the schema of the kind does not define',
  explain:
    '`kubectl apply` validates fields on the server (Strict by default) and refuses an object with a field its kind does not ' +
    'have, such as a misspelt `serviceNmae` or a field of a newer Kubernetes. Fields the server owns (`status`) count as unknown: ' +
    'nodegen never writes them.',
  waivable: false,
  check(ctx, report) {
    for (const e of ctx.objects) {
      const r = resultOf(e);
      if (!r.known) continue;
      for (const i of r.issues) if (i.kind === 'unknown-field') report(at(e, i.path, i.message, FIX_CONSTRUCT));
    }
  },
};

export const unknownKindRule: Rule = {
  id: 'k8s/unknown-kind',
  severity: 'error',
  title: 'every object is of a kind whose schema is vendored',
  explain:
    'An object of a kind nodegen has no schema for cannot be checked, and may need a CRD the cluster lacks. ' +
    'Add the kind to src/validate/schemas/generate.mjs (KINDS or CRDS), run it, and commit the regenerated schemas.',
  waivable: false,
  check(ctx, report) {
    for (const e of ctx.objects) {
      if (resultOf(e).known) continue;
      report(at(e, undefined, `no schema is vendored for apiVersion "${e.apiVersion}" kind "${e.kind}"`,
        'check apiVersion and kind; for a new kind add it to src/validate/schemas/generate.mjs and run `node src/validate/schemas/generate.mjs`'));
    }
  },
};
