/**
 * The schema check: vendored Kubernetes 1.35 and CRD schemas (closed, so unknown fields are
 * errors; the built-in kinds with the enums of kubernetes-models), on the objects nodegen really
 * renders and on real mistakes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSelected } from '../../src/cli/commands/synth.js';
import type { RenderedObject } from '../../src/synth/render.js';
import { checkSchema, knownKinds } from '../../src/validate/schema-validator.js';
import { REPO } from '../helpers/project.js';
import { PROJECT } from './helpers.js';

/** Every object the fixture project's feature environments render, gitops files included. */
function renderedObjects(): RenderedObject[] {
  return renderSelected(PROJECT, ['features', 'features-gke', 'features-podmonitor']).flatMap((r) => r.files.flatMap((f) => f.objects));
}

const objects = renderedObjects();

function one(kind: string): Record<string, any> {
  const o = objects.find((x) => x.kind === kind);
  if (!o) throw new Error(`no ${kind} rendered`);
  return structuredClone(o) as Record<string, any>;
}

function issues(o: object) {
  const r = checkSchema(o as { apiVersion: string; kind: string });
  if (!r.known) throw new Error('unknown kind');
  return r.issues;
}

describe('the vendored schemas', () => {
  it('cover every kind nodegen renders, and every rendered object passes them', () => {
    const kinds = new Set(objects.map((o) => `${o.apiVersion}/${o.kind}`));
    for (const k of kinds) expect(knownKinds()).toContain(k);
    for (const o of objects) expect([`${o.kind}/${o.metadata.name}`, issues(o)]).toEqual([`${o.kind}/${o.metadata.name}`, []]);
  });

  it('include the custom resources nodegen may write', () => {
    for (const k of [
      'snapshot.storage.k8s.io/v1/VolumeSnapshot',
      'snapshot.storage.k8s.io/v1/VolumeSnapshotContent',
      'snapshot.storage.k8s.io/v1/VolumeSnapshotClass',
      'monitoring.coreos.com/v1/ServiceMonitor',
      'monitoring.coreos.com/v1/PodMonitor',
      'monitoring.coreos.com/v1/PrometheusRule',
      'monitoring.googleapis.com/v1/PodMonitoring',
      'argoproj.io/v1alpha1/Application',
      'source.toolkit.fluxcd.io/v1/GitRepository',
      'kustomize.toolkit.fluxcd.io/v1/Kustomization',
    ]) {
      expect(knownKinds()).toContain(k);
    }
  });

  it('carry exactly the enums kubernetes-models has, for every string property of every definition', () => {
    const compared = modelParity();
    expect(compared.differences).toEqual([]);
    // The probe means something only if it reaches kubernetes-models' properties and finds enums.
    expect(compared.properties).toBeGreaterThan(400);
    expect(compared.enums).toBeGreaterThan(90);
    // Fields and definitions newer than kubernetes-models (Kubernetes 1.34 and 1.35) get no enums;
    // when an upgrade brings them, regenerate the schemas (src/validate/schemas/README.md) and
    // shorten these lists.
    expect(compared.unknownToModel).toEqual(['io.k8s.api.core.v1.PodSpec.hostnameOverride']);
    expect(compared.withoutModel).toEqual([
      'io.k8s.api.core.v1.ContainerRestartRule',
      'io.k8s.api.core.v1.ContainerRestartRuleOnExitCodes',
      'io.k8s.api.core.v1.FileKeySelector',
      'io.k8s.api.core.v1.PodCertificateProjection',
      'io.k8s.api.core.v1.WorkloadReference',
    ]);
  });

  it('know nothing of an apiVersion that does not exist', () => {
    expect(checkSchema({ apiVersion: 'apps/v2', kind: 'StatefulSet' })).toEqual({ known: false });
  });
});

describe('built-in kinds', () => {
  it('refuse an unknown field, naming the closest known one', () => {
    const sts = one('StatefulSet');
    sts['spec']['template']['spec']['containers'][0]['imagePullPolicyy'] = 'Always';
    expect(issues(sts)).toEqual([
      expect.objectContaining({ kind: 'unknown-field', path: 'spec.template.spec.containers[0].imagePullPolicyy', message: expect.stringContaining('did you mean "imagePullPolicy"') }),
    ]);
  });

  it('refuse a status block, which the server owns', () => {
    const svc = one('Service');
    svc['status'] = { loadBalancer: {} };
    expect(issues(svc).map((i) => [i.kind, i.path])).toEqual([['unknown-field', 'status']]);
  });

  it('take an int-or-string target port as a number or a name, but nothing else', () => {
    const svc = one('Service');
    svc['spec']['ports'][0]['targetPort'] = 8545;
    expect(issues(svc)).toEqual([]);
    svc['spec']['ports'][0]['targetPort'] = 'rpc';
    expect(issues(svc)).toEqual([]);
    svc['spec']['ports'][0]['targetPort'] = true;
    expect(issues(svc).map((i) => i.path)).toContain('spec.ports[0].targetPort');
    // Go's IntOrString holds an int32.
    svc['spec']['ports'][0]['targetPort'] = 2 ** 40;
    expect(issues(svc)).toEqual([expect.objectContaining({ path: 'spec.ports[0].targetPort', message: '1099511627776 is not a 32-bit integer' })]);
  });

  it('take quantities as strings of the quantity grammar or as numbers', () => {
    const sts = one('StatefulSet');
    const res = sts['spec']['template']['spec']['containers'][0]['resources'];
    res['limits']['cpu'] = 4;
    res['limits']['memory'] = '1.5Gi';
    expect(issues(sts)).toEqual([]);
    res['limits']['memory'] = '12GB';
    expect(issues(sts)).toEqual([
      expect.objectContaining({ kind: 'schema', path: 'spec.template.spec.containers[0].resources.limits.memory', message: expect.stringContaining('not a Kubernetes quantity') }),
    ]);
  });

  it('refuse a wrong type and a value outside an enum (the enums are vendored too)', () => {
    const sts = one('StatefulSet');
    sts['spec']['replicas'] = 'two';
    sts['spec']['template']['spec']['containers'][0]['ports'][0]['protocol'] = 'tcp';
    expect(issues(sts)).toEqual([
      expect.objectContaining({ kind: 'schema', path: 'spec.replicas', message: 'must be integer, got "two"' }),
      expect.objectContaining({ kind: 'schema', path: 'spec.template.spec.containers[0].ports[0].protocol', message: '"tcp" is not allowed; expected one of: SCTP, TCP, UDP' }),
    ]);
  });

  it('refuse a restart policy outside its enum, naming the allowed values', () => {
    const sts = one('StatefulSet');
    sts['spec']['template']['spec']['restartPolicy'] = 'Sometimes';
    expect(issues(sts)).toEqual([
      expect.objectContaining({ kind: 'schema', path: 'spec.template.spec.restartPolicy', message: '"Sometimes" is not allowed; expected one of: Always, Never, OnFailure' }),
    ]);
  });

  it('refuse a Service type outside its enum, naming the allowed values', () => {
    const svc = one('Service');
    svc['spec']['type'] = 'Internal';
    expect(issues(svc)).toEqual([
      expect.objectContaining({ kind: 'schema', path: 'spec.type', message: '"Internal" is not allowed; expected one of: ClusterIP, ExternalName, LoadBalancer, NodePort' }),
    ]);
  });

  it('check enums in lists of strings, and report a value of the wrong type once, as a type error', () => {
    const np = one('NetworkPolicy');
    np['spec']['policyTypes'] = ['Ingress', 'Outgress'];
    expect(issues(np)).toEqual([
      expect.objectContaining({ path: 'spec.policyTypes[1]', message: '"Outgress" is not allowed; expected one of: Egress, Ingress' }),
    ]);
    np['spec']['policyTypes'] = ['Ingress', 7];
    expect(issues(np)).toEqual([expect.objectContaining({ path: 'spec.policyTypes[1]', message: 'must be string, got 7' })]);
  });

  it('refuse a missing required field', () => {
    const svc = one('Service');
    delete svc['spec']['ports'][0]['port'];
    expect(issues(svc)).toEqual([expect.objectContaining({ kind: 'schema', path: 'spec.ports[0].port', message: 'required field is missing' })]);
  });
});

/** One string property of a definition in kubernetes.json: what its strings allow. */
interface StringSlot {
  readonly node: { readonly enum?: readonly string[] };
  /** The definition's data that puts `value` in this slot, and the instance path it sits at. */
  data(value: unknown): object;
  readonly path: string;
}

/** The string, list of strings or map of strings a property holds, if it holds strings. */
function stringSlot(property: string, schema: Record<string, any>): StringSlot | undefined {
  const isString = (s: Record<string, any> | undefined) => s?.['type'] === 'string';
  if (isString(schema)) return { node: schema, data: (v) => ({ [property]: v }), path: `/${property}` };
  if (schema['type'] === 'array' && isString(schema['items'])) return { node: schema['items'], data: (v) => ({ [property]: [v] }), path: `/${property}/0` };
  if (schema['type'] === 'object' && isString(schema['additionalProperties'])) {
    return { node: schema['additionalProperties'], data: (v) => ({ [property]: { key: v } }), path: `/${property}/key` };
  }
  return undefined;
}

type ModelValidate = ((data: unknown) => boolean) & { errors?: Array<{ keyword: string; instancePath: string; params: Record<string, any> }> | null };

/** kubernetes-models' Ajv validator of an OpenAPI definition (a dev-time reference), if it has one. */
function modelValidator(definition: string): ModelValidate | undefined {
  const pascal = definition.split('.').map((s) => s[0]!.toUpperCase() + s.slice(1)).join('');
  const pkg = definition.startsWith('io.k8s.apimachinery.') ? '@kubernetes-models/apimachinery' : 'kubernetes-models';
  const file = join(REPO, 'node_modules', pkg, '_schemas', `${pascal}.js`);
  return existsSync(file) ? (require(file) as { validate: ModelValidate }).validate : undefined;
}

/**
 * Compares every string property of every vendored definition with kubernetes-models: the enum it
 * reports for a value no enum allows must be the vendored one, and a property without an enum
 * there must have none here.
 */
function modelParity() {
  const kubernetes = JSON.parse(readFileSync(join(REPO, 'src', 'validate', 'schemas', 'kubernetes.json'), 'utf8')) as { definitions: Record<string, Record<string, any>> };
  const differences: string[] = [];
  const withoutModel: string[] = [];
  const unknownToModel: string[] = [];
  let properties = 0;
  let enums = 0;
  for (const [name, definition] of Object.entries(kubernetes.definitions)) {
    const validate = modelValidator(name);
    if (!validate) {
      withoutModel.push(name);
      continue;
    }
    for (const [property, schema] of Object.entries<Record<string, any>>(definition['properties'] ?? {})) {
      const slot = stringSlot(property, schema);
      if (!slot) continue;
      const at = (value: unknown) => (validate(slot.data(value)), (validate.errors ?? []).filter((e) => e.instancePath === slot.path));
      // kubernetes-models knows the property if it refuses a number there.
      if (!at(12345).some((e) => e.keyword === 'type')) {
        unknownToModel.push(`${name}.${property}`);
        continue;
      }
      properties++;
      const expected = at('\u0000 no enum has this').find((e) => e.keyword === 'enum')?.params['allowedValues'] as string[] | undefined;
      if (expected) enums++;
      if (JSON.stringify(slot.node.enum) !== JSON.stringify(expected)) {
        differences.push(`${name}.${property}: vendored ${JSON.stringify(slot.node.enum)}, kubernetes-models ${JSON.stringify(expected)}`);
      }
    }
  }
  return { differences, withoutModel: withoutModel.sort(), unknownToModel: unknownToModel.sort(), properties, enums };
}

describe('custom resources', () => {
  const mistakes: Array<[string, string, (o: Record<string, any>) => void, string]> = [
    ['VolumeSnapshot', 'a misspelt source field', (o) => { o['spec']['source'] = { persistentVolumeClaim: 'data-geth-0' }; }, 'spec.source.persistentVolumeClaim'],
    ['VolumeSnapshotContent', 'no CSI driver', (o) => { delete o['spec']['driver']; }, 'spec.driver'],
    ['ServiceMonitor', 'an endpoint field that does not exist', (o) => { o['spec']['endpoints'][0]['scrapeInterval'] = '30s'; }, 'spec.endpoints[0].scrapeInterval'],
    ['PodMonitor', 'an interval that is not a duration', (o) => { o['spec']['podMetricsEndpoints'][0]['interval'] = '30 seconds'; }, 'spec.podMetricsEndpoints[0].interval'],
    ['PrometheusRule', 'a rule without its expression', (o) => { delete o['spec']['groups'][0]['rules'][0]['expr']; }, 'spec.groups[0].rules[0].expr'],
    ['PodMonitoring', 'no endpoints', (o) => { delete o['spec']['endpoints']; }, 'spec.endpoints'],
    ['Application', 'a misspelt destination field', (o) => { o['spec']['destination']['namespase'] = 'x'; }, 'spec.destination.namespase'],
    ['GitRepository', 'no URL', (o) => { delete o['spec']['url']; }, 'spec.url'],
    ['Kustomization', 'prune given as a string', (o) => { o['spec']['prune'] = 'true'; }, 'spec.prune'],
  ];

  it.each(mistakes)('refuse a %s with %s', (kind, _what, mutate, path) => {
    const o = one(kind);
    expect(issues(o)).toEqual([]);
    mutate(o);
    expect(issues(o).map((i) => i.path)).toContain(path);
  });

  it('check metadata as ObjectMeta although the CRD schemas leave it open', () => {
    const o = one('ServiceMonitor');
    o['metadata']['label'] = { a: 'b' };
    expect(issues(o).map((i) => [i.kind, i.path])).toEqual([['unknown-field', 'metadata.label']]);
  });
});
