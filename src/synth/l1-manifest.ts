/**
 * The L1 classes' `manifest(props)` (cdk8s-plus-27's generated k8s imports), without their cost.
 *
 * Each L1 class writes its JSON through generated functions, one per type (`toJson_PodSpec`...):
 * every field is converted, then undefined fields are filtered with `reduce` and an object spread
 * per field, which copies the object once per field. At 1,000 nodes that was 0.22 s of synth plus
 * much of its garbage (issue 7), at 5,000 nodes 0.8 s. The functions are generated from one
 * template, so this file reads each one's own source text once (`Function.prototype.toString`)
 * and, when it has exactly the expected form, converts with the same fields, in the same order,
 * by the same rules, in one pass. A function of any other form (another version of the generator,
 * a reformatting bundler doing something new) leaves its class to its own `manifest()`.
 *
 * The conversions a field can have, as generated (whitespace and parentheses aside):
 *   obj.p                                   the value as it is
 *   toJson_T(obj.p)                         converted as type T
 *   obj.p?.map(y => toJson_T(y))            a list of T
 *   obj.p?.map(y => y)                      a copy of a list
 *   obj.p?.value                            IntOrString, Quantity (resolved to `{ value }`)
 *   obj.p?.toISOString()                    a Date (never in resolved JSON: left to manifest())
 *   (obj.p === undefined) ? undefined : Object.entries(obj.p).reduce(... i[1] | i[1]?.value |
 *                                           toJson_T(i[1]) | i[1]?.map(y => y) ...)   a map
 * Inputs outside what resolved JSON holds (null, class instances, sparse lists, `__proto__`
 * keys) make the conversion stand aside (`SLOW`) rather than guess.
 *
 * `fromProps` goes one step further for api-object-json.ts: it converts an object's props as
 * they would be resolved, without making the resolved copy first (a copy whose keys cdk8s sorts
 * only for the generated function to put them back in its own order).
 * test/synth/l1-manifest.test.ts and test/synth/api-object-json.test.ts compare both with cdk8s.
 */
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';

/** Thrown by the fast conversions (here and in ./api-object-json.ts) for an input they do not reproduce exactly: the caller takes cdk8s's own path. */
export const SLOW = Symbol('slow');

/** How a field is converted (see the list above). */
export const Kind = {
  Copy: 0,
  Typed: 1,
  TypedList: 2,
  ListCopy: 3,
  Value: 4,
  Date: 5,
  MapCopy: 6,
  MapValue: 7,
  MapTyped: 8,
  MapListCopy: 9,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

interface Field {
  /** The JSON key written. */
  readonly key: string;
  /** The property read. */
  readonly prop: string;
  readonly kind: Kind;
  readonly type?: Shape;
}

/** A generated type's fields, in the order its function writes them. */
interface Shape {
  fields: readonly Field[];
  /**
   * Set once every field is read. A shape that failed stays incomplete, and a type of a cycle
   * that refers to it must not convert with it: converting an incomplete shape stands aside.
   */
  complete: boolean;
  /** Field index by property, for {@link convertRaw}; null when a property is also an Object.prototype member. */
  byProp?: Map<string, number> | null;
}

type Json = Record<string, unknown>;

/** The generated functions by the name their callers use (a bundler may rename them). */
let functionsByName: Map<string, (obj: unknown) => unknown> | undefined;

function generated(name: string): ((obj: unknown) => unknown) | undefined {
  if (!functionsByName) {
    functionsByName = new Map();
    for (const f of Object.values(k8s) as unknown[]) {
      if (typeof f === 'function' && f.name.startsWith('toJson_')) functionsByName.set(f.name, f as (obj: unknown) => unknown);
    }
  }
  return functionsByName.get(name);
}

/**
 * Source text in one canonical spelling: no comments or white space, `undefined`, single quotes.
 * (The generator writes `'key': ...` and `return undefined;`; the CLI's bundler prints `"key"`,
 * `void 0` and drops white space and a block's last semicolon.)
 */
function canonical(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/\s+/g, '')
    .replace(/void0/g, 'undefined')
    .replace(/"/g, "'")
    .replace(/\(y\)=>/g, 'y=>');
}

const FUNCTION = new RegExp(
  '^functiontoJson_[\\w$]+\\(obj\\)\\{if\\(obj===undefined\\)(?:\\{returnundefined;\\}|return;)constresult=\\{(.*)\\};' +
    'returnObject\\.entries\\(result\\)\\.reduce\\(\\(r,i\\)=>\\(?i\\[1\\]===undefined\\)?\\?r:\\(?\\{\\.\\.\\.r,\\[i\\[0\\]\\]:i\\[1\\]\\}\\)?,\\{\\}\\);?\\}$',
);
const ENTRY = /^'([^']+)':(.+)$/;
const COPY = /^obj\.([\w$]+)$/;
const TYPED = /^(toJson_[\w$]+)\(obj\.([\w$]+)\)$/;
const TYPED_LIST = /^obj\.([\w$]+)\?\.map\(y=>(toJson_[\w$]+)\(y\)\)$/;
const LIST_COPY = /^obj\.([\w$]+)\?\.map\(y=>y\)$/;
const VALUE = /^obj\.([\w$]+)\?\.value$/;
const DATE = /^obj\.([\w$]+)\?\.toISOString\(\)$/;
const MAP = new RegExp(
  '^\\(?\\(?obj\\.([\\w$]+)\\)?===undefined\\)?\\?undefined:\\(?Object\\.entries\\(obj\\.([\\w$]+)\\)\\.reduce\\(\\(r,i\\)=>' +
    '\\(?i\\[1\\]===undefined\\)?\\?r:\\(?\\{\\.\\.\\.r,\\[i\\[0\\]\\]:(.+)\\}\\)?,\\{\\}\\)\\)?$',
);
const MAP_TYPED = /^(toJson_[\w$]+)\(i\[1\]\)$/;

/** Splits `a,b(c,d),{e,f}` at the commas outside brackets. */
function topLevelItems(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.filter((x) => x !== '');
}

/** One field of a generated function as its source reads: the type a converted field refers to by name. */
export interface GeneratedField {
  readonly key: string;
  readonly prop: string;
  readonly kind: Kind;
  readonly typeName?: string;
}

/**
 * The fields of a generated `toJson_<Type>` function, from its source text (as written by the
 * generator, or as a bundler prints it again), or undefined when it has another form.
 */
export function generatedFields(source: string): GeneratedField[] | undefined {
  const body = FUNCTION.exec(canonical(source))?.[1];
  if (body === undefined) return undefined;
  const fields: GeneratedField[] = [];
  for (const item of topLevelItems(body)) {
    const field = fieldOf(item);
    if (!field) return undefined;
    fields.push(field);
  }
  return fields;
}

function fieldOf(item: string): GeneratedField | undefined {
  const entry = ENTRY.exec(item);
  if (!entry) return undefined;
  const [, key, expr] = entry as unknown as [string, string, string];
  let m: RegExpExecArray | null;
  if ((m = COPY.exec(expr))) return { key, prop: m[1]!, kind: Kind.Copy };
  if ((m = TYPED.exec(expr))) return { key, prop: m[2]!, kind: Kind.Typed, typeName: m[1]! };
  if ((m = TYPED_LIST.exec(expr))) return { key, prop: m[1]!, kind: Kind.TypedList, typeName: m[2]! };
  if ((m = LIST_COPY.exec(expr))) return { key, prop: m[1]!, kind: Kind.ListCopy };
  if ((m = VALUE.exec(expr))) return { key, prop: m[1]!, kind: Kind.Value };
  if ((m = DATE.exec(expr))) return { key, prop: m[1]!, kind: Kind.Date };
  if ((m = MAP.exec(expr)) && m[1] === m[2]) {
    const prop = m[1]!;
    const inner = m[3]!;
    if (inner === 'i[1]') return { key, prop, kind: Kind.MapCopy };
    if (inner === 'i[1]?.value') return { key, prop, kind: Kind.MapValue };
    if (inner === 'i[1]?.map(y=>y)') return { key, prop, kind: Kind.MapListCopy };
    const t = MAP_TYPED.exec(inner);
    if (t) return { key, prop, kind: Kind.MapTyped, typeName: t[1]! };
  }
  return undefined;
}

const shapes = new Map<string, Shape | null>();

/** The shape of a generated function, or undefined when it (or a type it refers to) has another form. */
function shapeOf(name: string): Shape | undefined {
  const known = shapes.get(name);
  if (known !== undefined) return known ?? undefined;
  const fn = generated(name);
  const parsed = fn && generatedFields(fn.toString());
  if (!parsed) {
    shapes.set(name, null);
    return undefined;
  }
  // Registered before its fields: types refer to themselves (JSONSchemaProps).
  const shape: Shape = { fields: [], complete: false };
  shapes.set(name, shape);
  const fields: Field[] = [];
  for (const f of parsed) {
    const type = f.typeName === undefined ? undefined : shapeOf(f.typeName);
    if (f.typeName !== undefined && !type) {
      shapes.set(name, null);
      return undefined;
    }
    fields.push({ key: f.key, prop: f.prop, kind: f.kind, ...(type ? { type } : {}) });
  }
  shape.fields = fields;
  shape.complete = true;
  return shape;
}

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

/** `list?.map(f)` for a dense list; anything else is left to the generated code. */
function mapList(v: unknown, f: (y: unknown) => unknown): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw SLOW;
  const out = new Array<unknown>(v.length);
  for (let i = 0; i < v.length; i++) {
    if (!(i in v)) throw SLOW;
    out[i] = f(v[i]);
  }
  return out;
}

const same = (y: unknown): unknown => y;
const valueOf = (y: unknown): unknown => (y as { value?: unknown } | null | undefined)?.value;

/** The generated map conversion: every entry whose value is not undefined, converted. */
function mapEntries(v: unknown, f: (y: unknown) => unknown): Json | undefined {
  if (v === undefined) return undefined;
  if (!isPlainObject(v)) throw SLOW;
  const out: Json = {};
  for (const k of Object.keys(v)) {
    const y = v[k];
    if (y === undefined) continue;
    if (k === '__proto__') throw SLOW;
    out[k] = f(y);
  }
  return out;
}

/** What the generated function of `shape` returns for `obj`. */
function convert(shape: Shape, obj: unknown): Json | undefined {
  if (obj === undefined) return undefined;
  if (!isPlainObject(obj) || !shape.complete) throw SLOW;
  const out: Json = {};
  for (const f of shape.fields) {
    const v = obj[f.prop];
    let x: unknown;
    switch (f.kind) {
      case Kind.Copy:
        x = v;
        break;
      case Kind.Typed:
        x = convert(f.type!, v);
        break;
      case Kind.TypedList:
        x = mapList(v, (y) => convert(f.type!, y));
        break;
      case Kind.ListCopy:
        x = mapList(v, same);
        break;
      case Kind.Value:
        x = valueOf(v);
        break;
      case Kind.Date:
        if (v !== undefined && v !== null) throw SLOW;
        x = undefined;
        break;
      case Kind.MapCopy:
        x = mapEntries(v, same);
        break;
      case Kind.MapValue:
        x = mapEntries(v, valueOf);
        break;
      case Kind.MapTyped:
        x = mapEntries(v, (y) => convert(f.type!, y));
        break;
      case Kind.MapListCopy:
        x = mapEntries(v, (y) => mapList(y, same));
        break;
    }
    if (x !== undefined) out[f.key] = x;
  }
  return out;
}

/** Resolves a value as cdk8s does for plain data (api-object-json.ts's `resolved`, without empty filtering). */
export type Resolve = (v: unknown) => unknown;

function fieldIndex(shape: Shape): Map<string, number> | null {
  if (shape.byProp === undefined) {
    const byProp = new Map(shape.fields.map((f, i) => [f.prop, i]));
    // `obj.constructor` would read Object.prototype's: not a plain field read.
    shape.byProp = shape.fields.some((f) => f.prop in Object.prototype) ? null : byProp;
  }
  return shape.byProp;
}

/**
 * `convert(shape, resolve(raw))` in one pass: the resolved copy of a typed object (its keys
 * sorted, only for the generated function to put them in its own order) is never made. Stands
 * aside where `resolve` would not make a plain copy (class instances, an own `constructor`, a
 * `resolve` method) or where a key is not a field of the type.
 */
function convertRaw(shape: Shape, raw: unknown, resolve: Resolve, top = false): Json | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw) || raw.constructor !== Object || typeof raw['resolve'] === 'function' || !shape.complete) throw SLOW;
  const byProp = fieldIndex(shape);
  if (!byProp) throw SLOW;
  const { fields } = shape;
  const values = new Array<unknown>(fields.length);
  for (const k of Object.keys(raw)) {
    const i = byProp.get(k);
    if (i !== undefined) values[i] = raw[k];
    // An L1 object's props also hold its apiVersion and kind, which the generated function drops.
    else if (top && (k === 'apiVersion' || k === 'kind')) resolve(raw[k]);
    else throw SLOW;
  }
  const out: Json = {};
  for (let i = 0; i < fields.length; i++) {
    const v = values[i];
    if (v === undefined || v === null) continue; // resolve drops both; every conversion of undefined is undefined
    const f = fields[i]!;
    let x: unknown;
    switch (f.kind) {
      case Kind.Copy:
        x = resolve(v);
        break;
      case Kind.Typed:
        x = convertRaw(f.type!, v, resolve);
        break;
      case Kind.TypedList: {
        if (!Array.isArray(v)) throw SLOW;
        const list = new Array<unknown>(v.length);
        for (let j = 0; j < v.length; j++) list[j] = convertRaw(f.type!, v[j], resolve);
        x = list;
        break;
      }
      case Kind.ListCopy:
        if (!Array.isArray(v)) throw SLOW;
        x = resolve(v);
        break;
      case Kind.Value:
        x = valueOf(resolve(v));
        break;
      case Kind.Date:
        throw SLOW;
      default:
        x = rawMap(f, v, resolve);
    }
    if (x !== undefined) out[f.key] = x;
  }
  return out;
}

/** A map field of {@link convertRaw}: `resolve` sorts the keys and drops undefined values, then the map conversion. */
function rawMap(f: Field, v: unknown, resolve: Resolve): Json {
  if (!isPlainObject(v) || v.constructor !== Object || typeof v['resolve'] === 'function') throw SLOW;
  const out: Json = {};
  for (const k of Object.keys(v).sort()) {
    const y = resolve(v[k]);
    if (y === undefined) continue;
    if (k === '__proto__') throw SLOW;
    switch (f.kind) {
      case Kind.MapCopy:
        out[k] = y;
        break;
      case Kind.MapValue:
        out[k] = valueOf(y);
        break;
      case Kind.MapTyped:
        out[k] = convert(f.type!, y);
        break;
      case Kind.MapListCopy:
        out[k] = mapList(y, same);
        break;
      default:
        throw SLOW;
    }
  }
  return out;
}

const MANIFEST = /^(?:static)?manifest\(props(?:=\{\})?\)\{return\{\.\.\.[\w$]+\.GVK,\.\.\.(toJson_[\w$]+)\(props\),?\};?\}$/;

/** The generated function an L1 class's `manifest` method source calls (`toJson_KubeServiceProps`), or undefined for another form. */
export function manifestTarget(source: string): string | undefined {
  return MANIFEST.exec(canonical(source))?.[1];
}

/** An L1 class as this file reads it. */
export interface L1Class {
  readonly GVK: Json;
  manifest(props?: unknown): unknown;
}

/** An L1 class's manifest conversion, fast. Both throw {@link SLOW} for an input they do not reproduce. */
export interface FastManifest {
  /** `L1.manifest(json)`. */
  fromJson(json: Json): Json;
  /** `L1.manifest(resolve(props))`, without the resolved copy (the metadata in `props` is resolved already). */
  fromProps(props: Json, resolve: Resolve): Json;
}

const manifests = new Map<unknown, FastManifest | null>();

/** `L1.manifest` as faster functions giving the same JSON, or undefined when the class's generated code has another form. */
export function fastManifest(L1: L1Class): FastManifest | undefined {
  let fast = manifests.get(L1);
  if (fast === undefined) {
    const name = typeof L1.manifest === 'function' ? manifestTarget(L1.manifest.toString()) : undefined;
    const shape = name === undefined ? undefined : shapeOf(name);
    const gvk = L1.GVK;
    const withGvk = (json: Json): Json => {
      const out: Json = { ...gvk };
      for (const k of Object.keys(json)) out[k] = json[k];
      return out;
    };
    fast = shape && isPlainObject(gvk)
      ? { fromJson: (json) => withGvk(convert(shape, json)!), fromProps: (props, resolve) => withGvk(convertRaw(shape, props, resolve, true)!) }
      : null;
    manifests.set(L1, fast);
  }
  return fast ?? undefined;
}
