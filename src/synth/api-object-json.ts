/**
 * An ApiObject's JSON, exactly as its own `toJson()` returns it, with less work.
 *
 * cdk8s's `ApiObject.toJson()` resolves every value through the app's resolvers, building a key
 * path array and a context object per value, then copies the result again to sort and prune it.
 * This file does the resolve-and-sanitize in one pass for what nodegen's constructs hold (plain
 * data, and the L1 number-or-string classes such as `IntOrString` and `Quantity`, which cdk8s's
 * NumberStringUnionResolver turns into `{ value }`); an L1 object then goes through its class's
 * own `manifest()`, as its `toJson()` does.
 *
 * Measured (issue 18, README "Performance"): without this file, `synth` of 100 nodes takes about
 * 1.16-1.2 times as long; the shipped fleet shows no difference. A reader of the L1 classes'
 * generated functions that redid their conversion too (l1-manifest.ts) gained nothing measurable
 * on top and was removed. The simpler design, constructs that build typed plain data instead of
 * L1 class instances, would need neither.
 *
 * Anything else defers to the object's own `toJson()`, which stays the reference: an app with
 * custom resolvers, Lazy values or tokens (anything with a `resolve` method), JSON patches,
 * CDK8S_DISABLE_SORT, non-plain objects, and classes other than ApiObject itself and the L1
 * classes of cdk8s-plus-27's k8s imports. test/synth/api-object-json.test.ts compares both on
 * every object of the shipped environments, the test fixtures and a generated fleet.
 */
import { ApiObject, ImplicitTokenResolver, Lazy, LazyResolver, NumberStringUnionResolver, type App } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';

/** Thrown for an input the fast path does not reproduce exactly: the caller takes cdk8s's own path. */
const SLOW = Symbol('slow');

/** An L1 class of cdk8s-plus-27's k8s imports: `manifest(json)` is what its `toJson()` adds to ApiObject's. */
interface L1Class {
  manifest(props: unknown): unknown;
}

/** The resolvers `new App()` installs, in order; with any other list the fast path stands aside. */
const DEFAULT_RESOLVERS = [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver];

function hasDefaultResolvers(app: App): boolean {
  return app.resolvers.length === DEFAULT_RESOLVERS.length && app.resolvers.every((r, i) => r.constructor === DEFAULT_RESOLVERS[i]);
}

/**
 * `sanitizeValue(resolve([], value, apiObject), options)` of cdk8s for plain data: keys sorted,
 * null and undefined dropped, and with `filterEmpty` (metadata) empty lists and maps dropped too.
 */
function resolved(v: unknown, filterEmpty: boolean): unknown {
  if (v === null || v === undefined) return undefined;
  const type = typeof v;
  if (type !== 'object') {
    if (type === 'function' || type === 'symbol' || type === 'bigint') throw SLOW;
    return v;
  }
  if (Array.isArray(v)) {
    if (filterEmpty && v.length === 0) return undefined;
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = resolved(v[i], filterEmpty);
    return out;
  }
  const o = v as Record<string, unknown>;
  if (Object.getPrototypeOf(o) !== Object.prototype) {
    // NumberStringUnionResolver: a class instance holding a number or a string becomes `{ value }`.
    if (o instanceof Lazy || typeof o['resolve'] === 'function' || o.constructor === Object) throw SLOW;
    const inner = o['value'];
    if (typeof inner === 'number' || typeof inner === 'string') return { value: inner };
    throw SLOW;
  }
  // A map with its own `constructor` or a `resolve` method is read differently by cdk8s.
  if (o.constructor !== Object || typeof o['resolve'] === 'function') throw SLOW;
  const out: Record<string, unknown> = {};
  let empty = true;
  for (const k of Object.keys(o).sort()) {
    const x = resolved(o[k], filterEmpty);
    if (x !== undefined) {
      out[k] = x;
      empty = false;
    }
  }
  return filterEmpty && empty ? undefined : out;
}

/** The parts of ApiObject and its metadata that `toJson()` reads (private in cdk8s's types). */
interface ApiObjectInternals {
  readonly props: Record<string, unknown>;
  readonly patches: readonly unknown[];
  readonly metadata: {
    readonly _additionalAttributes: Record<string, unknown>;
    readonly name?: string;
    readonly namespace?: string;
    readonly annotations: unknown;
    readonly finalizers: unknown;
    readonly ownerReferences: unknown;
    readonly labels: unknown;
  };
}

/** The metadata as `toJson()` writes it: resolved, empty lists and maps dropped. */
function metadataJson(o: ApiObjectInternals): unknown {
  const m = o.metadata;
  return resolved(
    { ...m._additionalAttributes, name: m.name, namespace: m.namespace, annotations: m.annotations, finalizers: m.finalizers, ownerReferences: m.ownerReferences, labels: m.labels },
    true,
  );
}

/** `ApiObject.prototype.toJson` for an object without patches. */
function baseJson(o: ApiObjectInternals): Record<string, unknown> {
  if (o.patches.length > 0) throw SLOW;
  const json = resolved({ ...o.props, metadata: metadataJson(o) }, false) as Record<string, unknown>;
  // cdk8s puts apiVersion, kind and metadata first.
  const result: Record<string, unknown> = {};
  for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(json)]) if (k in json) result[k] = json[k];
  return result;
}

/** The L1 classes whose `toJson()` is `{ ...GVK, ...toJson_<Kind>Props(super.toJson()) }`, which `manifest()` applies. */
const L1_CLASSES = new Set<unknown>(Object.values(k8s));

/**
 * A function giving each ApiObject of `app` its JSON as its own `toJson()` returns it: fast where
 * that is exact, else by calling `toJson()`.
 */
export function apiObjectJson(app: App): (o: ApiObject) => unknown {
  if (!hasDefaultResolvers(app) || process.env['CDK8S_DISABLE_SORT']) return (o) => o.toJson();
  return (o) => {
    try {
      const proto: unknown = Object.getPrototypeOf(o);
      const internals = o as unknown as ApiObjectInternals;
      if (proto === ApiObject.prototype) return baseJson(internals);
      const L1 = o.constructor as unknown as L1Class;
      if (L1_CLASSES.has(L1) && Object.getPrototypeOf(proto) === ApiObject.prototype && typeof L1.manifest === 'function') {
        return L1.manifest(baseJson(internals));
      }
    } catch (e) {
      if (e !== SLOW) throw e;
    }
    return o.toJson();
  };
}
