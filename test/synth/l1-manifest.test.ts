/**
 * The fast L1 manifest conversion must read every generated function of the installed
 * cdk8s-plus-27 (as written, and as the CLI's bundler prints it again), and must give exactly the
 * JSON of the classes' own `toJson()`, or stand aside.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { describe, expect, it, vi } from 'vitest';
import { apiObjectJson } from '../../src/synth/api-object-json.js';
import { fastManifest, generatedFields, Kind, manifestTarget, SLOW } from '../../src/synth/l1-manifest.js';
import { REPO } from '../helpers/project.js';

/** toJson_ResourceRequirements as rolldown prints it without minifying (tabs, double quotes, `void 0`, no redundant parentheses). */
const BUNDLED = `function toJson_ResourceRequirements(obj) {
		if (obj === void 0) return;
		const result = {
			"claims": obj.claims?.map((y) => toJson_ResourceClaim(y)),
			"limits": obj.limits === void 0 ? void 0 : Object.entries(obj.limits).reduce((r, i) => i[1] === void 0 ? r : {
				...r,
				[i[0]]: i[1]?.value
			}, {}),
			"requests": obj.requests === void 0 ? void 0 : Object.entries(obj.requests).reduce((r, i) => i[1] === void 0 ? r : {
				...r,
				[i[0]]: i[1]?.value
			}, {})
		};
		return Object.entries(result).reduce((r, i) => i[1] === void 0 ? r : {
			...r,
			[i[0]]: i[1]
		}, {});
	}`;

/** Every object's fast JSON and its own toJson(), as JSON text (key order counts). */
function both(app: App): { fast: string[]; own: string[] } {
  const objects = app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const toJson = apiObjectJson(app);
  return { fast: objects.map((o) => JSON.stringify(toJson(o))), own: objects.map((o) => JSON.stringify(o.toJson())) };
}

describe('the fast L1 manifest conversion', () => {
  it('reads the generated code of every L1 class of cdk8s-plus-27', () => {
    const classes = Object.values(k8s).filter((c): c is typeof k8s.KubeService => typeof c === 'function' && 'GVK' in c);
    expect(classes.length).toBeGreaterThan(100);
    const unread = classes.filter((c) => fastManifest(c) === undefined).map((c) => c.name);
    expect(unread).toEqual([]);
  });

  it('reads a generated function as written and as the bundler prints it alike', () => {
    const written = generatedFields(k8s.toJson_ResourceRequirements.toString());
    expect(written).toEqual([
      { key: 'claims', prop: 'claims', kind: Kind.TypedList, typeName: 'toJson_ResourceClaim' },
      { key: 'limits', prop: 'limits', kind: Kind.MapValue },
      { key: 'requests', prop: 'requests', kind: Kind.MapValue },
    ]);
    expect(generatedFields(BUNDLED)).toEqual(written);
    // Renamed JSON keys (hostIPC) and every conversion form of PodSpec.
    const pod = generatedFields(k8s.toJson_PodSpec.toString())!;
    expect(pod.find((f) => f.key === 'hostIPC')).toEqual({ key: 'hostIPC', prop: 'hostIpc', kind: Kind.Copy });
    expect(pod.find((f) => f.key === 'overhead')?.kind).toBe(Kind.MapValue);
  });

  it('reads the generated functions as the CLI bundle holds them (lib/cli, built before the tests)', () => {
    const dir = join(REPO, 'lib', 'cli');
    const bundle = readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    /** The text of the function or method that starts at `start`, to its body's closing brace. */
    const block = (start: number): string => {
      let depth = 0;
      for (let i = bundle.indexOf('{', bundle.indexOf(')', start)); i < bundle.length; i++) {
        if (bundle[i] === '{') depth++;
        else if (bundle[i] === '}' && --depth === 0) return bundle.slice(start, i + 1);
      }
      throw new Error('unbalanced');
    };
    for (const fn of [k8s.toJson_ResourceRequirements, k8s.toJson_PodSpec, k8s.toJson_JsonSchemaProps, k8s.toJson_ServicePort]) {
      const at = bundle.indexOf(`function ${fn.name}(`);
      expect(at, fn.name).toBeGreaterThanOrEqual(0);
      expect(generatedFields(block(at)), fn.name).toEqual(generatedFields(fn.toString()));
    }
    const manifest = /static manifest\(props ?= ?\{\}\) ?\{\s*return ?\{\s*\.\.\.KubeService\.GVK/.exec(bundle);
    expect(manifest).not.toBeNull();
    expect(manifestTarget(block(manifest!.index + 'static '.length))).toBe('toJson_KubeServiceProps');
  });

  it('leaves a function of another form to the generated code', () => {
    expect(generatedFields(BUNDLED.replace('i[1]?.value', 'String(i[1])'))).toBeUndefined();
    expect(generatedFields('function toJson_X(obj) { return obj; }')).toBeUndefined();
  });

  it('converts as manifest() does, and stands aside for what resolved JSON never holds', () => {
    const fast = fastManifest(k8s.KubeService)!;
    const json = {
      metadata: { name: 's', labels: { b: '2', a: '1' } },
      spec: { clusterIp: 'None', ports: [{ name: 'http', port: 80, targetPort: { value: 'http' } }, { port: 81 }], selector: { x: 'y', skip: undefined } },
    };
    expect(JSON.stringify(fast.fromJson(json))).toBe(JSON.stringify(k8s.KubeService.manifest(json as k8s.KubeServiceProps)));
    expect(() => fast.fromJson({ spec: null } as never)).toThrow();
    let caught: unknown;
    try {
      fast.fromJson({ spec: { ports: [, { port: 1 }] } } as never);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(SLOW);
  });

  it('gives each object the JSON of its own toJson(): quantities, maps of quantities, nested and recursive types, odd values', () => {
    const app = new App();
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    const q = k8s.Quantity.fromString;
    new k8s.KubePod(chart, 'pod', {
      metadata: { name: 'p', labels: { z: '1', a: '2' }, annotations: {} },
      spec: {
        hostIpc: false,
        overhead: { memory: q('1Mi'), cpu: q('1m') },
        containers: [
          { name: 'c', image: 'i', resources: { limits: { memory: q('1Gi') }, requests: { cpu: k8s.Quantity.fromNumber(2) } }, args: ['b', 'a'], env: [{ name: 'E', value: '' }] },
          { name: 'd', ports: [], livenessProbe: { httpGet: { port: k8s.IntOrString.fromNumber(8080), path: '/' } } },
        ],
        nodeSelector: { b: 'x', a: 'y' },
        tolerations: [{ key: 'k', operator: 'Exists' }],
        volumes: [{ name: 'v', emptyDir: { sizeLimit: q('1Gi') } }, { name: 'w', configMap: { name: 'm', items: [{ key: 'a', path: 'b' }] } }],
      },
    });
    new k8s.KubeCustomResourceDefinition(chart, 'crd', {
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
    new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'm' }, data: { z: 'last', a: 'first', n: '1' } });
    // Through the fast conversion, not the classes' manifest() (read before it is replaced by a spy).
    for (const c of [k8s.KubePod, k8s.KubeCustomResourceDefinition, k8s.KubeConfigMap]) expect(fastManifest(c)).toBeDefined();
    const spies = [k8s.KubePod, k8s.KubeCustomResourceDefinition, k8s.KubeConfigMap].map((c) => vi.spyOn(c, 'manifest'));
    const toJson = apiObjectJson(app);
    app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).forEach((o) => toJson(o));
    expect(spies.map((s) => s.mock.calls.length)).toEqual([0, 0, 0]);
    vi.restoreAllMocks();
    const { fast, own } = both(app);
    expect(fast).toEqual(own);
    expect(fast[1]).toContain('"x-kubernetes-preserve-unknown-fields":true');
    expect(fast[0]).toContain('"hostIPC":false');
  });
});
