/**
 * Kubernetes resource quantities: parsing to numbers for comparisons (requests against limits,
 * volume sizes against a chain's minimum).
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */
const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$/;

/** The value of a quantity (bytes for memory and storage, cores for CPU), or undefined if invalid. */
export function parseQuantity(q: string): number | undefined {
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[3] !== undefined) return n * 10 ** Number(m[3]);
  return n * SUFFIX[m[2] ?? '']!;
}

/** Formats bytes in the largest binary unit that keeps a whole number, for messages. */
export function formatBytes(bytes: number): string {
  for (const unit of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const) {
    const v = bytes / SUFFIX[unit]!;
    if (v >= 1 && Number.isInteger(v)) return `${v}${unit}`;
  }
  return String(bytes);
}

/**
 * Whether `q` is a quantity in the grammar the API server parses: a signed decimal number, then a
 * binary (Ki..Ei) or decimal (m, k, M..E) suffix or an exponent (e3). "2 cores" or "8GB" are not.
 */
export function isQuantity(q: string): boolean {
  return parseQuantity(q) !== undefined;
}
