/**
 * A cloud disk snapshot made usable as the starting point of new volumes: the pre-provisioned
 * `VolumeSnapshotContent` that points at the snapshot by handle, and the `VolumeSnapshot` bound
 * to it, which claim templates name in their `dataSource`.
 * @see https://kubernetes.io/docs/concepts/storage/volume-snapshots/#static
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/volume-snapshots
 */
import { Construct } from 'constructs';
import { ConstructError } from '../errors.js';
import { DNS1123_LABEL } from '../environment/schema.js';
import { standardLabels } from './labels.js';
import { customResource } from './custom-resource.js';

/** GKE's Compute Engine persistent disk CSI driver. */
export const GKE_PD_CSI_DRIVER = 'pd.csi.storage.gke.io';

export interface SnapshotSourceProps {
  /** Namespace of the VolumeSnapshot (the node's namespace). */
  readonly namespace: string;
  /**
   * The storage system's snapshot ID. For GKE persistent disks:
   * `projects/<project>/global/snapshots/<snapshot-name>`.
   */
  readonly snapshotHandle: string;
  /** The CSI driver that owns the snapshot. @default 'pd.csi.storage.gke.io' */
  readonly driver?: string;
  /** VolumeSnapshotClass of both objects. @default - none (the driver's default class) */
  readonly volumeSnapshotClass?: string;
  /** Environment name, for the `nodegen.dev/environment` label. @default - no label */
  readonly environment?: string;
}

/**
 * Emits, named after the construct id (a DNS label, typically the cloud snapshot's own name):
 * - `VolumeSnapshotContent <namespace>-<id>` (cluster-scoped, so the namespace is in the name),
 *   `deletionPolicy: Retain`: deleting these objects never deletes the cloud snapshot;
 * - `VolumeSnapshot <id>` in the namespace, bound to that content.
 *
 * A VolumeSnapshot's source is immutable: to start from a newer snapshot, use a new id (nodegen
 * uses the cloud snapshot's name, which changes with it) and delete the old pair once no claim
 * needs it.
 */
export class SnapshotSource extends Construct {
  /** Name of the VolumeSnapshot to put in a claim's `dataSource`. */
  readonly volumeSnapshotName: string;
  readonly volumeSnapshotContentName: string;

  constructor(scope: Construct, id: string, props: SnapshotSourceProps) {
    super(scope, id);
    if (!DNS1123_LABEL.test(id) || id.length > 63) {
      throw new ConstructError(`snapshot source "${id}" must be a DNS-1123 label of at most 63 characters`);
    }
    if (!props.snapshotHandle.trim()) throw new ConstructError(`snapshot source "${id}": snapshotHandle is empty`);
    this.volumeSnapshotName = id;
    this.volumeSnapshotContentName = `${props.namespace}-${id}`;
    const labels = standardLabels({ name: 'volume-snapshot', instance: id, component: 'snapshot-source', environment: props.environment });
    const snapshotClass = props.volumeSnapshotClass ? { volumeSnapshotClassName: props.volumeSnapshotClass } : {};

    customResource(this, 'content', {
      kind: 'VolumeSnapshotContent',
      metadata: { name: this.volumeSnapshotContentName, labels },
      spec: {
        // Retain: the cloud snapshot is the operator's; removing nodegen's objects must not delete it.
        deletionPolicy: 'Retain',
        driver: props.driver ?? GKE_PD_CSI_DRIVER,
        source: { snapshotHandle: props.snapshotHandle },
        // Node volumes are formatted filesystems; stated so the restore needs no mode conversion.
        sourceVolumeMode: 'Filesystem',
        ...snapshotClass,
        volumeSnapshotRef: { name: this.volumeSnapshotName, namespace: props.namespace },
      },
    });
    customResource(this, 'snapshot', {
      kind: 'VolumeSnapshot',
      metadata: { name: this.volumeSnapshotName, namespace: props.namespace, labels },
      spec: { ...snapshotClass, source: { volumeSnapshotContentName: this.volumeSnapshotContentName } },
    });
  }
}
