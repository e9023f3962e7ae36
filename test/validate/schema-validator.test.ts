/**
 * The schema check: vendored Kubernetes 1.35 and CRD schemas (closed, so unknown fields are
 * errors) plus kubernetes-models, on the objects nodegen really renders and on real mistakes.
 */
import { describe, expect, it } from 'vitest';
import { renderSelected } from '../../src/cli/commands/synth.js';
import type { RenderedObject } from '../../src/synth/render.js';
import { builtInKinds, checkSchema, knownKinds, modelKinds } from '../../src/validate/schema-validator.js';
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

  it('give every built-in kind a kubernetes-models check too', () => {
    expect(modelKinds()).toEqual(builtInKinds());
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

  it('refuse a wrong type and a value outside an enum (kubernetes-models knows the enum)', () => {
    const sts = one('StatefulSet');
    sts['spec']['replicas'] = 'two';
    sts['spec']['template']['spec']['containers'][0]['ports'][0]['protocol'] = 'tcp';
    const found = issues(sts).map((i) => i.path);
    expect(found).toContain('spec.replicas');
    expect(found).toContain('spec.template.spec.containers[0].ports[0].protocol');
  });

  it('refuse a missing required field', () => {
    const np = one('NetworkPolicy');
    delete np['spec']['podSelector'];
    expect(issues(np)).toEqual([expect.objectContaining({ kind: 'schema', path: 'spec.podSelector', message: 'required field is missing' })]);
  });
});

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
