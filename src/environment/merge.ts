/**
 * The one merge rule for environment files, the same as Helm's values files:
 *
 * - later files win;
 * - maps merge key by key, recursively;
 * - lists and scalars replace (an overlay's `extraArgs` is the whole list, never appended);
 * - `null` removes the key (so an overlay can drop a node or a nodeSelector entry).
 *
 * Pure: the inputs are not modified.
 */
export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

export function isMap(v: unknown): v is { [key: string]: Plain } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergeValues(base: Plain | undefined, overlay: Plain | undefined): Plain | undefined {
  if (overlay === undefined) return base;
  if (isMap(base) && isMap(overlay)) {
    const out: { [key: string]: Plain } = { ...base };
    for (const [key, value] of Object.entries(overlay)) {
      if (value === null) {
        delete out[key];
        continue;
      }
      const merged = mergeValues(Object.hasOwn(out, key) ? out[key] : undefined, value);
      // defineProperty, not `=`: a key named `__proto__` would otherwise set the prototype and
      // vanish, and the schema would never see it to refuse it.
      if (merged !== undefined) Object.defineProperty(out, key, { value: merged, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return overlay;
}

/** Merges a list of documents in order; later wins. */
export function mergeAll(docs: readonly Plain[]): Plain {
  let out: Plain = {};
  for (const doc of docs) out = mergeValues(out, doc) ?? {};
  return out;
}
