/**
 * The fast JSON of ApiObjects must equal each object's own `toJson()` (cdk8s stays the
 * reference), key order included, and must step aside for what it does not reproduce.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, App, Chart, JsonPatch, Lazy, type IResolver, type ResolutionContext } from 'cdk8s';
import { IntOrString, KubeConfigMap, KubeCustomResourceDefinition, KubePod, KubeService, Quantity, KubePersistentVolumeClaim } from 'cdk8s-plus-27/lib/imports/k8s';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { buildFleet } from '../../charts/fleet.js';
import { listEnvironmentNames, loadEnvironment } from '../../src/environment/load.js';
import { apiObjectJson } from '../../src/synth/api-object-json.js';
import { REPO } from '../helpers/project.js';
import { fleetName, fleetYaml } from '../bench/fleet.mjs';

const fleetRoot = mkdtempSync(join(tmpdir(), 'nodegen-json-'));
afterAll(() => rmSync(fleetRoot, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** A project with the real base.yaml and a generated fleet of 30 nodes. */
function generatedFleet(): { root: string; env: string } {
  mkdirSync(join(fleetRoot, 'environments'), { recursive: true });
  copyFileSync(join(REPO, 'environments', 'base.yaml'), join(fleetRoot, 'environments', 'base.yaml'));
  const base = parse(readFileSync(join(fleetRoot, 'environments', 'base.yaml'), 'utf8')) as { nodes?: object };
  writeFileSync(join(fleetRoot, 'environments', `${fleetName(30)}.yaml`), fleetYaml(30, Object.keys(base.nodes ?? {})));
  return { root: fleetRoot, env: fleetName(30) };
}

const FIXTURES = join(__dirname, '..', 'fixtures');
const PROJECTS: ReadonlyArray<{ root: string; envs: readonly string[] }> = [
  { root: REPO, envs: listEnvironmentNames(REPO) },
  { root: join(FIXTURES, 'projects', 'gitops'), envs: ['argo', 'flux'] },
  { root: join(FIXTURES, 'validate', 'project'), envs: ['features', 'features-gke', 'features-podmonitor', 'storage-ephemeral', 'no-secrets-rpcauth', 'sandbox'] },
];

function objectsOf(app: App): ApiObject[] {
  return app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
}

/** The fast JSON of every object, then cdk8s's own, as JSON text (so key order counts). */
function both(app: App): { fast: string[]; own: string[]; ownCalls: number } {
  const spy = vi.spyOn(ApiObject.prototype, 'toJson');
  const toJson = apiObjectJson(app);
  const fast = objectsOf(app).map((o) => JSON.stringify(toJson(o)));
  const ownCalls = spy.mock.calls.length;
  spy.mockRestore();
  const own = objectsOf(app).map((o) => JSON.stringify(o.toJson()));
  return { fast, own, ownCalls };
}

describe('the fast JSON of ApiObjects', () => {
  const cases = [
    ...PROJECTS.flatMap(({ root, envs }) => envs.map((env) => ({ root, env }))),
    ...(() => {
      const { root, env } = generatedFleet();
      return [{ root, env }];
    })(),
  ];

  it.each(cases)('equals toJson() for every object of $env, without calling toJson()', ({ root, env }) => {
    const loaded = loadEnvironment(env, { root });
    const { app } = buildFleet(loaded.name, loaded.spec);
    const { fast, own, ownCalls } = both(app);
    expect(own.length).toBeGreaterThan(0);
    expect(fast).toEqual(own);
    expect(ownCalls).toBe(0);
  });

  it('turns IntOrString and Quantity values into what the L1 classes write, and drops empty metadata', () => {
    const app = new App();
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    new KubeService(chart, 's', { metadata: { name: 's', annotations: {}, labels: { b: '2', a: '1' } }, spec: { ports: [{ port: 80, targetPort: IntOrString.fromString('http') }] } });
    new KubePersistentVolumeClaim(chart, 'p', { metadata: { name: 'p' }, spec: { resources: { requests: { storage: Quantity.fromString('1Gi') } }, accessModes: [] } });
    new KubeConfigMap(chart, 'm', { metadata: { name: 'm', finalizers: [] }, data: { z: 'last', a: 'first', empty: '' } });
    const { fast, own, ownCalls } = both(app);
    expect(fast).toEqual(own);
    expect(ownCalls).toBe(0);
    expect(fast[0]).toContain('"targetPort":"http"');
  });

  it('equals toJson() for quantities, maps of quantities, nested and recursive types and renamed fields', () => {
    const app = new App();
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    const q = Quantity.fromString;
    new KubePod(chart, 'pod', {
      metadata: { name: 'p', labels: { z: '1', a: '2' }, annotations: {} },
      spec: {
        hostIpc: false,
        overhead: { memory: q('1Mi'), cpu: q('1m') },
        containers: [
          { name: 'c', image: 'i', resources: { limits: { memory: q('1Gi') }, requests: { cpu: Quantity.fromNumber(2) } }, args: ['b', 'a'], env: [{ name: 'E', value: '' }] },
          { name: 'd', ports: [], livenessProbe: { httpGet: { port: IntOrString.fromNumber(8080), path: '/' } } },
        ],
        nodeSelector: { b: 'x', a: 'y' },
        tolerations: [{ key: 'k', operator: 'Exists' }],
        volumes: [{ name: 'v', emptyDir: { sizeLimit: q('1Gi') } }, { name: 'w', configMap: { name: 'm', items: [{ key: 'a', path: 'b' }] } }],
      },
    });
    new KubeCustomResourceDefinition(chart, 'crd', {
      metadata: { name: 'things.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Thing', plural: 'things' },
        scope: 'Namespaced',
        versions: [{
          name: 'v1', served: true, storage: true,
          schema: { openApiv3Schema: { type: 'object', properties: { spec: { type: 'object', xKubernetesPreserveUnknownFields: true, properties: { n: { type: 'integer', default: 3 } } } } } },
        }],
      },
    });
    const { fast, own, ownCalls } = both(app);
    expect(fast).toEqual(own);
    expect(ownCalls).toBe(0);
    expect(fast[1]).toContain('"x-kubernetes-preserve-unknown-fields":true');
    expect(fast[0]).toContain('"hostIPC":false');
  });

  it('defers to toJson() for JSON patches, Lazy values and custom resolvers, with the same result', () => {
    class Upper implements IResolver {
      resolve(context: ResolutionContext): void {
        if (typeof context.value === 'string' && context.value.startsWith('up:')) context.replaceValue(context.value.slice(3).toUpperCase());
      }
    }
    for (const app of [new App(), new App({ resolvers: [new Upper()] })]) {
      const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
      const patched = new KubeConfigMap(chart, 'patched', { data: { a: '1' } });
      patched.addJsonPatch(JsonPatch.add('/data/b', '2'));
      new KubeConfigMap(chart, 'lazy', { data: { a: Lazy.any({ produce: () => 'produced' }) as unknown as string, b: 'up:shout' } });
      new ApiObject(chart, 'plain', { apiVersion: 'v1', kind: 'ConfigMap', data: { c: 'up:x' } });
      const { fast, own } = both(app);
      expect(fast).toEqual(own);
      expect(fast.join('\n')).toContain('"b":"2"');
      expect(fast.join('\n')).toContain('produced');
    }
  });
});
