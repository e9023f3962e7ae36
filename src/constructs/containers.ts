/**
 * What every container nodegen writes shares: the restricted security context and validated
 * requests and limits. The namespace enforces the restricted Pod Security Standard, so a
 * container without this context would be refused by the API server.
 */
import type * as k8s from './k8s.js';
import { ConstructError } from '../errors.js';
import { parseQuantity } from '../validate/quantity.js';

/** Requests and limits of one container. Every field is a Kubernetes quantity string. */
export interface NodeResources {
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

/** Checks a quantity string, naming the node (or object) and the key in the error. */
export function requireQuantity(node: string, key: string, value: string): void {
  if (parseQuantity(value) === undefined) {
    throw new ConstructError(`${node}: ${key} "${value}" is not a Kubernetes quantity (for example "500m", "8Gi", "2Ti")`, { node, key });
  }
}

/** Requests and limits as the API wants them; every value checked. */
export function toK8sResources(node: string, r: NodeResources): k8s.ResourceRequirements {
  const q = (key: string, v: Record<string, string | undefined> | undefined) => {
    if (!v) return undefined;
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(v)) {
      if (value === undefined) continue;
      requireQuantity(node, `resources.${key}.${name}`, value);
      out[name] = value;
    }
    return out;
  };
  return { requests: q('requests', r.requests), limits: q('limits', r.limits) };
}

/** Container security every container here runs with: no root, no privilege, no capabilities. */
export function containerSecurity(readOnlyRoot = true): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: readOnlyRoot,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  };
}
