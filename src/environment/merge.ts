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
      const merged = mergeValues(out[key], value);
      if (merged !== undefined) out[key] = merged;
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
