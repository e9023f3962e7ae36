/**
 * The one escape hatch for objects cdk8s-plus-27 has no types for: custom resources
 * (VolumeSnapshot, VolumeSnapshotContent, ServiceMonitor, PodMonitor, PrometheusRule, Google
 * Managed Prometheus PodMonitoring and Rules, Argo CD Application, Flux GitRepository and
 * Kustomization). Every such object in nodegen is made here, so a reader finds all untyped
 * output in one place; built-in kinds are typed by ./k8s.ts.
 *
 * It is a plain cdk8s `ApiObject`, as the built-in kinds are: the object is written exactly as
 * given, with nothing added and no name hashing. What the types cannot check, the tests do: every
 * kind made here is validated against its CRD's JSON schema (test/operations).
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';

/** The custom resource kinds nodegen writes, by API version. */
export const CUSTOM_KINDS = {
  VolumeSnapshot: 'snapshot.storage.k8s.io/v1',
  VolumeSnapshotContent: 'snapshot.storage.k8s.io/v1',
  ServiceMonitor: 'monitoring.coreos.com/v1',
  PodMonitor: 'monitoring.coreos.com/v1',
  PrometheusRule: 'monitoring.coreos.com/v1',
  PodMonitoring: 'monitoring.googleapis.com/v1',
  Rules: 'monitoring.googleapis.com/v1',
  Application: 'argoproj.io/v1alpha1',
  GitRepository: 'source.toolkit.fluxcd.io/v1',
  Kustomization: 'kustomize.toolkit.fluxcd.io/v1',
} as const;

export type CustomKind = keyof typeof CUSTOM_KINDS;

export interface CustomResourceProps {
  readonly kind: CustomKind;
  readonly metadata: {
    readonly name: string;
    /** @default - cluster-scoped (VolumeSnapshotContent) */
    readonly namespace?: string;
    readonly labels: Record<string, string>;
  };
  /** The resource's `spec`, exactly as the CRD defines it. */
  readonly spec: Record<string, unknown>;
}

/** Adds one custom resource to `scope`. Its API version follows from its kind. */
export function customResource(scope: Construct, id: string, props: CustomResourceProps): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: CUSTOM_KINDS[props.kind],
    kind: props.kind,
    metadata: { ...props.metadata, labels: { ...props.metadata.labels } },
    spec: props.spec,
  });
}
