/**
 * The labels every object nodegen writes carries (the recommended `app.kubernetes.io/*` set plus
 * the environment), made in one place so nodes, their helpers and environment-wide objects agree.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */

/** `app.kubernetes.io/managed-by` of every object. */
export const MANAGED_BY = 'nodegen';
/** `app.kubernetes.io/part-of` of every object. */
export const PART_OF = 'blockchain-nodes';
/** The environment an object belongs to. */
export const ENVIRONMENT_LABEL = 'nodegen.dev/environment';

export interface StandardLabelsProps {
  /** `app.kubernetes.io/name`: what it is (`geth`, `snapshot-schedule`, ...). */
  readonly name: string;
  /** `app.kubernetes.io/instance`: which one (the node's name, the object's name). */
  readonly instance: string;
  /** `app.kubernetes.io/component`: its role (`full-node`, `alerts`, ...). */
  readonly component: string;
  /** @default - no environment label */
  readonly environment?: string;
}

/** name, instance, component, part-of, managed-by and (when given) the environment. */
export function standardLabels(p: StandardLabelsProps): Record<string, string> {
  return {
    'app.kubernetes.io/name': p.name,
    'app.kubernetes.io/instance': p.instance,
    'app.kubernetes.io/component': p.component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    ...(p.environment ? { [ENVIRONMENT_LABEL]: p.environment } : {}),
  };
}
