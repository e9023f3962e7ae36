/**
 * Kubernetes objects of built-in kinds as typed plain data (issue 18).
 *
 * nodegen's constructs write every object as a plain cdk8s `ApiObject` holding the object's JSON,
 * typed by cdk8s-plus-27's generated Kubernetes 1.27 types (`import type`: nothing of that 2.5 MB
 * module is loaded when nodegen runs). Those types describe the L1 classes' props, which differ
 * from the JSON in two ways, and {@link Json} undoes both:
 *
 * - int-or-string and quantity fields take `IntOrString` and `Quantity` instances there; here a
 *   number or a string, as the API has them;
 * - a few field names are camel-cased there (`clusterIp`, `downwardApi`); here they are the API's
 *   (`clusterIP`, `downwardAPI`): {@link RENAMED}.
 *
 * Before this, the constructs built `k8s.KubeStatefulSet` and the other L1 classes, whose
 * `toJson()` converts their props to this same JSON: every synth loaded the module's 600 classes
 * to do so. The output is byte-for-byte the same (`synth --all --check` on the shipped fleet),
 * and the validation gate checks every field name against the Kubernetes schema, so a name the
 * types let through and the API does not know fails `synth`.
 */
import { ApiObject, type ApiObjectProps } from 'cdk8s';
import type * as l1 from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';

/**
 * The JSON names of L1 prop names that differ from them, as cdk8s-plus-27's generated `toJson_*`
 * functions rename them (test/constructs/k8s.test.ts reads every one of those functions).
 */
export const RENAMED = {
  clientIp: 'clientIP',
  clusterIp: 'clusterIP',
  datasetUuid: 'datasetUUID',
  diskUri: 'diskURI',
  downwardApi: 'downwardAPI',
  externalId: 'externalID',
  hostIp: 'hostIP',
  hostIpc: 'hostIPC',
  hostPid: 'hostPID',
  insecureSkipTlsVerify: 'insecureSkipTLSVerify',
  loadBalancerIp: 'loadBalancerIP',
  nodeId: 'nodeID',
  nonResourceUrLs: 'nonResourceURLs',
  openApiv3Schema: 'openAPIV3Schema',
  pdId: 'pdID',
  podCidr: 'podCIDR',
  podCidRs: 'podCIDRs',
  providerId: 'providerID',
  ref: '$ref',
  scaleIo: 'scaleIO',
  schema: '$schema',
  setHostnameAsFqdn: 'setHostnameAsFQDN',
  storagePolicyId: 'storagePolicyID',
  targetCpuUtilizationPercentage: 'targetCPUUtilizationPercentage',
  targetWwNs: 'targetWWNs',
  volumeId: 'volumeID',
  xKubernetesEmbeddedResource: 'x-kubernetes-embedded-resource',
  xKubernetesIntOrString: 'x-kubernetes-int-or-string',
  xKubernetesListMapKeys: 'x-kubernetes-list-map-keys',
  xKubernetesListType: 'x-kubernetes-list-type',
  xKubernetesMapType: 'x-kubernetes-map-type',
  xKubernetesPreserveUnknownFields: 'x-kubernetes-preserve-unknown-fields',
  xKubernetesValidations: 'x-kubernetes-validations',
} as const;

type Renamed = typeof RENAMED;

/** An L1 props type as the API's JSON: numbers or strings for IntOrString and Quantity, the API's field names. */
export type Json<T> = T extends l1.IntOrString
  ? number | string
  : T extends l1.Quantity
    ? string
    : T extends string | number | boolean | null | undefined
      ? T
      : T extends ReadonlyArray<infer U>
        ? Json<U>[]
        : { [K in keyof T as K extends keyof Renamed ? Renamed[K] : K]: Json<T[K]> };

export type Affinity = Json<l1.Affinity>;
export type Container = Json<l1.Container>;
export type WeightedPodAffinityTerm = Json<l1.WeightedPodAffinityTerm>;
export type ContainerPort = Json<l1.ContainerPort>;
export type EnvVar = Json<l1.EnvVar>;
export type NetworkPolicyEgressRule = Json<l1.NetworkPolicyEgressRule>;
export type NetworkPolicyIngressRule = Json<l1.NetworkPolicyIngressRule>;
export type NetworkPolicyPeer = Json<l1.NetworkPolicyPeer>;
export type ObjectMeta = Json<l1.ObjectMeta>;
export type PersistentVolumeClaim = Json<l1.KubePersistentVolumeClaimProps>;
export type Probe = Json<l1.Probe>;
export type ResourceRequirements = Json<l1.ResourceRequirements>;
export type SecurityContext = Json<l1.SecurityContext>;
export type ServicePort = Json<l1.ServicePort>;
export type ServiceSpec = Json<l1.ServiceSpec>;
export type Volume = Json<l1.Volume>;

/** The built-in kinds nodegen writes: each one's props (its JSON without apiVersion and kind). */
interface Kinds {
  ConfigMap: l1.KubeConfigMapProps;
  CronJob: l1.KubeCronJobProps;
  Namespace: l1.KubeNamespaceProps;
  NetworkPolicy: l1.KubeNetworkPolicyProps;
  PodDisruptionBudget: l1.KubePodDisruptionBudgetProps;
  Role: l1.KubeRoleProps;
  RoleBinding: l1.KubeRoleBindingProps;
  Service: l1.KubeServiceProps;
  ServiceAccount: l1.KubeServiceAccountProps;
  StatefulSet: l1.KubeStatefulSetProps;
}

export type Kind = keyof Kinds;

/** Each kind's API version (the L1 classes' `GVK`). */
export const API_VERSIONS: { readonly [K in Kind]: string } = {
  ConfigMap: 'v1',
  CronJob: 'batch/v1',
  Namespace: 'v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  PodDisruptionBudget: 'policy/v1',
  Role: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  Service: 'v1',
  ServiceAccount: 'v1',
  StatefulSet: 'apps/v1',
};

/**
 * Adds an object of a built-in kind to `scope`, written exactly as given: `apiVersion` and `kind`
 * from the kind, everything else from `props`.
 */
export function kubeObject<K extends Kind>(scope: Construct, id: string, kind: K, props: Json<Kinds[K]>): ApiObject {
  return new ApiObject(scope, id, { apiVersion: API_VERSIONS[kind], kind, ...(props as Omit<ApiObjectProps, 'apiVersion' | 'kind'>) });
}
