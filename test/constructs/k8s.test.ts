/**
 * The constructs write built-in kinds as typed plain data (src/constructs/k8s.ts) where they used
 * cdk8s-plus-27's L1 classes. These tests hold that module to those classes: the same API
 * versions, the same field renames, the same JSON, and no L1 module loaded by a synth.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import * as l1 from 'cdk8s-plus-27/lib/imports/k8s';
import { describe, expect, it } from 'vitest';
import { API_VERSIONS, RENAMED, kubeObject, type Kind } from '../../src/constructs/k8s.js';

/**
 * Every field rename the generated `toJson_*` functions make, found by running each one on an
 * input that answers every property read: the function builds its result literal reading the
 * props in the order it writes the JSON keys, and with every value present no key is dropped, so
 * the reads and the keys pair up one to one.
 */
function l1Renames(): Map<string, string> {
  const renames = new Map<string, string>();
  const present = (key: string): unknown =>
    // A value that survives each kind of conversion: `x?.value`, `x?.map(...)`, `x?.toISOString()`, `toJson_X(x)`, `Object.entries(x)`.
    new Proxy({}, { get: (_, p) => (p === 'map' ? () => [key] : p === 'toISOString' ? () => key : p === 'value' ? key : undefined) });
  for (const [name, fn] of Object.entries(l1)) {
    if (!name.startsWith('toJson_') || typeof fn !== 'function') continue;
    const reads: string[] = [];
    const input = new Proxy({}, {
      get: (_, p) => {
        if (typeof p !== 'string') return undefined;
        // A map-typed field is read twice in a row: `x === undefined ? undefined : Object.entries(x)...`.
        if (reads.at(-1) !== p) reads.push(p);
        return present(p);
      },
    });
    const out = (fn as (o: unknown) => Record<string, unknown>)(input);
    const keys = Object.keys(out);
    expect(keys, name).toHaveLength(reads.length);
    keys.forEach((key, i) => {
      if (key !== reads[i]) renames.set(reads[i]!, key);
    });
  }
  return renames;
}

describe('typed plain data for built-in kinds', () => {
  it('renames exactly the fields cdk8s-plus-27 renames', () => {
    const found = l1Renames();
    expect(found.size).toBeGreaterThan(20);
    expect(Object.fromEntries([...found].sort())).toEqual(Object.fromEntries(Object.entries(RENAMED).sort()));
  });

  it('gives each kind the API version of its L1 class', () => {
    const l1Classes = l1 as unknown as Record<string, { GVK?: { apiVersion: string; kind: string } }>;
    for (const [kind, apiVersion] of Object.entries(API_VERSIONS)) {
      expect(l1Classes[`Kube${kind}`]?.GVK, kind).toEqual({ apiVersion, kind });
    }
  });

  it('writes the JSON the L1 class writes for the same object', () => {
    const app = new App();
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    const plain = kubeObject(chart, 'plain', 'Service', {
      metadata: { name: 's', labels: { b: '2', a: '1' } },
      spec: { clusterIP: 'None', ports: [{ name: 'rpc', port: 8545, targetPort: 'rpc' }], sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } },
    });
    const typed = new l1.KubeService(chart, 'typed', {
      metadata: { name: 's', labels: { b: '2', a: '1' } },
      spec: { clusterIp: 'None', ports: [{ name: 'rpc', port: 8545, targetPort: l1.IntOrString.fromString('rpc') }], sessionAffinityConfig: { clientIp: { timeoutSeconds: 10800 } } },
    });
    expect(Object.getPrototypeOf(plain)).toBe(ApiObject.prototype);
    expect(JSON.stringify(plain.toJson())).toBe(JSON.stringify(typed.toJson()));

    const claims = { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } };
    const set = kubeObject(chart, 'set', 'StatefulSet', {
      metadata: { name: 'n' },
      spec: {
        selector: { matchLabels: { a: '1' } },
        template: { spec: { containers: [{ name: 'c', resources: { requests: { cpu: '500m', memory: '1Gi' } } }], hostPid: undefined } },
        volumeClaimTemplates: [{ ...claims, spec: { ...claims.spec, resources: { requests: { storage: '2Ti' } } } }],
      },
    });
    const setL1 = new l1.KubeStatefulSet(chart, 'set-l1', {
      metadata: { name: 'n' },
      spec: {
        selector: { matchLabels: { a: '1' } },
        template: { spec: { containers: [{ name: 'c', resources: { requests: { cpu: l1.Quantity.fromString('500m'), memory: l1.Quantity.fromString('1Gi') } } }] } },
        volumeClaimTemplates: [{ ...claims, spec: { ...claims.spec, resources: { requests: { storage: l1.Quantity.fromString('2Ti') } } } }],
      },
    });
    expect(JSON.stringify(set.toJson())).toBe(JSON.stringify(setL1.toJson()));
  });

  it('builds every kind it names', () => {
    const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true });
    for (const kind of Object.keys(API_VERSIONS) as Kind[]) {
      const o = kubeObject(chart, kind, kind, { metadata: { name: kind.toLowerCase() } } as never);
      expect(o.toJson()).toMatchObject({ apiVersion: API_VERSIONS[kind], kind, metadata: { name: kind.toLowerCase() } });
    }
  });
});
