/**
 * The init container that gives a restored volume its own node identity (see src/chains/identity.ts):
 * one per restored volume, running the ConfigMap's `reset-identity.sh` against that volume only.
 */
import type * as k8s from './k8s.js';
import { CONFIG_DIR } from './blockchain-node.js';
import { containerSecurity, toK8sResources } from './containers.js';

/** The ConfigMap file holding the script. */
export const IDENTITY_RESET_FILE = 'reset-identity.sh';

export interface IdentityResetProps {
  /** The node's name, for error messages. */
  readonly node: string;
  /** An image with a POSIX sh, rm, cat and mv (the node's own). */
  readonly image: string;
  /** The pod volume (claim template) restored from a snapshot. */
  readonly volume: string;
  /** Where the client mounts it: its data directory. */
  readonly mountPath: string;
  /** Identity files relative to the data directory. */
  readonly files: readonly string[];
}

/** An init container named `identity-<volume>`. */
export function identityResetContainer(p: IdentityResetProps): k8s.Container {
  return {
    name: `identity-${p.volume}`,
    image: p.image,
    imagePullPolicy: 'IfNotPresent',
    command: [`${CONFIG_DIR}/${IDENTITY_RESET_FILE}`, p.mountPath, ...p.files],
    env: [
      // The marker names namespace/pod: a restored volume in another replica or namespace differs.
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ],
    resources: toK8sResources(p.node, { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } }),
    securityContext: containerSecurity(),
    volumeMounts: [
      { name: p.volume, mountPath: p.mountPath },
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
    ],
  };
}
