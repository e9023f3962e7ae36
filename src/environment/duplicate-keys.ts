/**
 * Duplicate map keys in a parsed YAML document, found in linear time.
 *
 * yaml's own check (`uniqueKeys: true`, its default) compares each new key with every earlier key
 * of its map: quadratic in the size of a map, and `nodes:` of a fleet is one map. At 5,000 nodes
 * it took more than half of parsing the environment file (1.0-1.25 s against 0.45 s without it,
 * issue 7). This check finds the same duplicates with one Set per map, under yaml's equality (the
 * same key node, or two scalars whose values are `===`), at the same position: the start of the
 * later key, where yaml reports "Map keys must be unique".
 */
import { isMap, isPair, isScalar, isSeq, type Document } from 'yaml';

/** yaml's message for a duplicate key, as parseDocument reports it with `prettyErrors: false`. */
export const DUPLICATE_KEY_MESSAGE = 'Map keys must be unique';

/** The source offsets of every key that repeats an earlier key of its map, in document order. */
export function duplicateKeyOffsets(doc: Document): number[] {
  const out: number[] = [];
  const walk = (node: unknown): void => {
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key: unknown = pair.key;
        // NaN is never === NaN, so yaml never calls two `.nan` keys duplicates; a Set would.
        if (isScalar(key) && !Number.isNaN(key.value)) {
          if (seen.has(key.value)) out.push(key.range?.[0] ?? 0);
          else seen.add(key.value);
        }
        walk(key);
        walk(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) walk(item);
    } else if (isPair(node)) {
      walk(node.key);
      walk(node.value);
    }
  };
  walk(doc.contents);
  return out;
}
