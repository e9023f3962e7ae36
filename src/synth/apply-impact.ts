/**
 * What `kubectl apply` will do with a change, object by object, judged the way the API server
 * judges it: most changes apply in place; some are refused because the field cannot change once
 * the object exists; some apply but leave data behind. nodegen knows the old state (the committed
 * dist/) and the new one, so it says so before a pipeline's apply fails half-way.
 *
 * Each rule names the server's own rule. The cluster suite (test/cluster/day2.cluster.test.ts)
 * applies old and new to a real API server and checks that what it refuses is exactly what this
 * module calls refused.
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#limitations
 */
import { networkOf as readNetwork } from '../validate/clients.js';
import { podTemplateOf } from '../validate/objects.js';
import { parseQuantity } from '../validate/quantity.js';
import type { Json as JsonObject, Lookup, ObjectEntry } from '../validate/rule.js';

/** An object as written in dist/ (parsed YAML). */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [key: string]: unknown;
}

/** Whether a parsed YAML document is a named object (the Kustomization file is not). */
export function isManifestObject(v: unknown): v is ManifestObject {
  return typeof (v as ManifestObject | null)?.metadata?.name === 'string';
}

/**
 * - `refused`: the API server rejects the update (an immutable field); `kubectl apply` fails on
 *   this object and goes on with the others.
 * - `data`: it applies, but volumes are left behind or a node starts without its data.
 */
export type ImpactClass = 'refused' | 'data';

export interface ApplyImpact {
  /** `Kind/name`, as `nodegen diff` names objects. */
  readonly object: string;
  readonly namespace?: string;
  readonly class: ImpactClass;
  /** The fields that make it so, each as `path: old -> new`. */
  readonly fields: readonly string[];
  /** Why, in one sentence. */
  readonly reason: string;
  /** What to do instead, in order. */
  readonly steps: readonly string[];
  /**
   * Shell lines that carry out the steps before the new dist/ is applied, where a script can do
   * so without losing data (`nodegen plan --script`); absent where a person must decide (a new
   * volume, a snapshot under a new name) and for changes that apply.
   */
  readonly commands?: readonly string[];
}

/** How long a plan waits for a claim to reach its new size: 360 polls, 5 s apart (30 minutes). */
export const RESIZE_POLLS = 360;

/** StatefulSet spec fields the API server lets an update change (apps/v1 validation, 1.35). */
const STATEFULSET_MUTABLE = new Set(['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']);

type Json = unknown;
/** JSON with object keys sorted, so that equal objects written in another key order compare equal. */
function canonical(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, Json>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, Json>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}
const same = (a: Json, b: Json) => canonical(a) === canonical(b);
const show = (v: Json) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));
const keyOf = (o: ManifestObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const nameOf = (o: ManifestObject) => `${o.kind}/${o.metadata.name}`;
const ns = (o: ManifestObject) => (o.metadata.namespace ? ` -n ${o.metadata.namespace}` : '');

interface ClaimTemplate {
  metadata: { name: string };
  spec: { storageClassName?: string; resources?: { requests?: { storage?: string } }; dataSource?: Json; dataSourceRef?: Json; accessModes?: Json };
}

function spec(o: ManifestObject): Record<string, Json> {
  return (o.spec ?? {}) as Record<string, Json>;
}

/** The claims a StatefulSet made for its replicas: `<template>-<name>-<ordinal>`. */
function claimsOf(sts: ManifestObject): string[] {
  const s = spec(sts) as { replicas?: number; volumeClaimTemplates?: ClaimTemplate[] };
  const replicas = s.replicas ?? 1;
  return (s.volumeClaimTemplates ?? []).flatMap((t) => Array.from({ length: replicas }, (_, i) => `${t.metadata.name}-${sts.metadata.name}-${i}`));
}

function statefulSetImpact(before: ManifestObject, after: ManifestObject): ApplyImpact | undefined {
  const b = spec(before);
  const a = spec(after);
  const changed = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !STATEFULSET_MUTABLE.has(k) && !same(b[k], a[k])).sort();
  if (changed.length === 0) return undefined;
  const name = after.metadata.name;
  const fields: string[] = [];
  let grows = false;
  let needsNewVolume = false;
  const oldTemplates = new Map(((b.volumeClaimTemplates ?? []) as ClaimTemplate[]).map((t) => [t.metadata.name, t]));
  const newTemplates = new Map(((a.volumeClaimTemplates ?? []) as ClaimTemplate[]).map((t) => [t.metadata.name, t]));
  for (const key of changed) {
    if (key !== 'volumeClaimTemplates') {
      fields.push(`spec.${key}: ${show(b[key])} -> ${show(a[key])}`);
      continue;
    }
    for (const claim of [...new Set([...oldTemplates.keys(), ...newTemplates.keys()])].sort()) {
      const o = oldTemplates.get(claim);
      const n = newTemplates.get(claim);
      const path = `spec.volumeClaimTemplates[${claim}]`;
      if (!o || !n) {
        fields.push(`${path}: ${o ? 'removed' : 'added'}`);
        continue;
      }
      const oldSize = o.spec.resources?.requests?.storage;
      const newSize = n.spec.resources?.requests?.storage;
      if (oldSize !== newSize) {
        fields.push(`${path}.spec.resources.requests.storage: ${show(oldSize)} -> ${show(newSize)}`);
        const delta = (parseQuantity(newSize ?? '0') ?? 0) - (parseQuantity(oldSize ?? '0') ?? 0);
        if (delta > 0) grows = true;
        else needsNewVolume = true;
      }
      if (o.spec.storageClassName !== n.spec.storageClassName) {
        fields.push(`${path}.spec.storageClassName: ${show(o.spec.storageClassName)} -> ${show(n.spec.storageClassName)}`);
        needsNewVolume = true;
      }
      for (const k of ['dataSource', 'dataSourceRef', 'accessModes'] as const) {
        if (!same(o.spec[k], n.spec[k])) fields.push(`${path}.spec.${k}: ${show(o.spec[k])} -> ${show(n.spec[k])}`);
      }
      const rest = (t: ClaimTemplate) => ({ ...t, spec: { ...t.spec, resources: undefined, storageClassName: undefined, dataSource: undefined, dataSourceRef: undefined, accessModes: undefined } });
      if (!same(rest(o), rest(n))) fields.push(`${path}: other fields`);
    }
  }
  const orphanCommand = `kubectl delete statefulset ${name}${ns(after)} --cascade=orphan`;
  const orphan = `${orphanCommand}   # the pods and claims stay`;
  const apply = 'apply dist/ again: the new StatefulSet adopts the running pods';
  const steps: string[] = [];
  let commands: string[] | undefined;
  if (needsNewVolume) {
    steps.push(
      'a volume cannot shrink or move to another storage class in place: take a VolumeSnapshot of each claim (or use a scheduled one) and set the node\'s storage.restoreFrom to it',
      orphan,
      apply,
      `then, one replica at a time, delete its claim and its pod (${claimsOf(before).join(', ')}): the StatefulSet recreates the claim from the snapshot on the new size or class`,
    );
  } else if (grows) {
    // Each existing claim (the old replicas') of a template that grew, to its new size.
    const grown = ((b.volumeClaimTemplates ?? []) as ClaimTemplate[]).flatMap((t) => {
      const next = newTemplates.get(t.metadata.name)!;
      const size = next.spec.resources?.requests?.storage;
      if (!size || size === t.spec.resources?.requests?.storage) return [];
      return claimsOf(before)
        .filter((c) => c.startsWith(`${t.metadata.name}-${name}-`))
        .map((claim) => ({ claim, size, storageClass: next.spec.storageClassName }));
    });
    const classes = [...new Set(grown.flatMap((g) => (g.storageClass ? [g.storageClass] : [])))];
    const checks = classes.map(
      (c) => `[ "$(kubectl get storageclass ${c} -o jsonpath='{.allowVolumeExpansion}')" = true ] || { echo "storage class ${c} does not allow volume expansion: ${name}'s disks cannot grow in place" >&2; exit 1; }`,
    );
    const patches = grown.map((g) => `kubectl patch pvc ${g.claim}${ns(after)} -p '{"spec":{"resources":{"requests":{"storage":"${g.size}"}}}}'`);
    const waits = grown.map(
      (g) =>
        `for i in $(seq ${RESIZE_POLLS}); do [ "$(kubectl get pvc ${g.claim}${ns(after)} -o jsonpath='{.status.capacity.storage}')" = ${g.size} ] && break; ` +
        `[ "$i" = ${RESIZE_POLLS} ] && { echo "${g.claim} has not reached ${g.size}" >&2; exit 1; }; sleep 5; done`,
    );
    steps.push(
      ...classes.map((c) => `check that storage class ${c} allows volume expansion (allowVolumeExpansion: true)`),
      ...patches,
      `wait until each claim shows the new capacity (kubectl get pvc${ns(after)})`,
      orphan,
      apply,
    );
    commands = [...checks, ...patches, ...waits, orphanCommand];
  } else {
    steps.push(orphan, apply);
    commands = [orphanCommand];
  }
  if (changed.includes('selector')) {
    steps.push('the old pods keep the old labels and are not adopted: delete them one by one once the new ones are ready');
    commands = undefined;
  }
  return {
    object: nameOf(after),
    namespace: after.metadata.namespace,
    class: 'refused',
    fields,
    reason: `a StatefulSet's ${changed.map((k) => `spec.${k}`).join(', ')} cannot change once it exists (only replicas, template, updateStrategy, ordinals, minReadySeconds, revisionHistoryLimit and the claim retention policy can)`,
    steps,
    ...(commands ? { commands } : {}),
  };
}

/** Fields whose change the API server refuses, for kinds other than StatefulSet. */
const IMMUTABLE: Record<string, { path: readonly string[]; reason: string }[]> = {
  Service: [{ path: ['spec', 'clusterIP'], reason: "a Service's spec.clusterIP cannot change (headless, clusterIP: None, is one)" }],
  RoleBinding: [{ path: ['roleRef'], reason: "a RoleBinding's roleRef cannot change" }],
  ClusterRoleBinding: [{ path: ['roleRef'], reason: "a ClusterRoleBinding's roleRef cannot change" }],
  VolumeSnapshot: [{ path: ['spec', 'source'], reason: "a VolumeSnapshot's spec.source cannot change (its CRD's CEL rule)" }],
  VolumeSnapshotContent: [
    { path: ['spec', 'source'], reason: "a VolumeSnapshotContent's spec.source cannot change (its CRD's CEL rule)" },
    { path: ['spec', 'sourceVolumeMode'], reason: "a VolumeSnapshotContent's spec.sourceVolumeMode cannot change (its CRD's CEL rule)" },
  ],
  Job: [{ path: ['spec', 'template'], reason: "a Job's spec.template cannot change" }],
};

function at(o: ManifestObject, path: readonly string[]): Json {
  return path.reduce<Json>((v, k) => (v && typeof v === 'object' ? (v as Record<string, Json>)[k] : undefined), o);
}

function immutableImpact(before: ManifestObject, after: ManifestObject): ApplyImpact | undefined {
  const rules = (IMMUTABLE[after.kind] ?? []).filter((r) => !same(at(before, r.path), at(after, r.path)));
  if (rules.length === 0) return undefined;
  const snapshot = after.kind === 'VolumeSnapshot' || after.kind === 'VolumeSnapshotContent';
  const remove = `kubectl delete ${after.kind.toLowerCase()} ${after.metadata.name}${ns(after)}`;
  const steps = snapshot
    ? [`write it under a new name (restoreFrom.name) instead: a snapshot object describes one snapshot for good`]
    : [remove, 'apply dist/ again (the object is recreated at once; a Service\'s DNS name is missing in between)'];
  return {
    object: nameOf(after),
    namespace: after.metadata.namespace,
    class: 'refused',
    fields: rules.map((r) => `${r.path.join('.')}: ${show(at(before, r.path))} -> ${show(at(after, r.path))}`),
    reason: rules.map((r) => r.reason).join('; '),
    steps,
    ...(snapshot ? {} : { commands: [remove] }),
  };
}

/** Removed objects that held data: a StatefulSet's claims stay (Retain), a Namespace is left behind. */
function removedImpact(before: ManifestObject, added: readonly ManifestObject[]): ApplyImpact | undefined {
  if (before.kind === 'Namespace') {
    const next = added.find((o) => o.kind === 'Namespace');
    return {
      object: nameOf(before),
      class: 'data',
      fields: [`metadata.name: ${before.metadata.name} -> ${next?.metadata.name ?? '(none)'}`],
      reason: `the environment leaves namespace ${before.metadata.name}: prune never deletes a Namespace, so every volume there stays, and the nodes in ${next?.metadata.name ?? 'the new namespace'} start without their data`,
      steps: [
        'snapshot the old claims and set restoreFrom on the nodes in the new namespace (VolumeSnapshots are namespaced: restore through a snapshotHandle)',
        `when the new nodes have synced, delete the old namespace: kubectl delete namespace ${before.metadata.name}`,
      ],
    };
  }
  const claims = before.kind === 'StatefulSet' ? claimsOf(before) : [];
  if (claims.length === 0) return undefined;
  const client = before.metadata.labels?.['app.kubernetes.io/name'];
  const successor = added.find((o) => o.kind === 'StatefulSet' && o.metadata.labels?.['app.kubernetes.io/name'] === client && o.metadata.namespace === before.metadata.namespace);
  return {
    object: nameOf(before),
    namespace: before.metadata.namespace,
    class: 'data',
    fields: [successor ? `metadata.name: ${before.metadata.name} -> ${successor.metadata.name}?` : 'removed'],
    reason: successor
      ? `a rename is a delete and a create: ${successor.metadata.name} starts with empty volumes and syncs from scratch, while ${claims.join(', ')} stay behind (retention policy Retain)`
      : `the node's claims ${claims.join(', ')} stay behind (retention policy Retain) and keep their disks`,
    steps: successor
      ? [
          `keep the old name, or restore the new node from a snapshot of ${claims[0]} (restoreFrom) so that it does not sync for days`,
          `when it is no longer needed: kubectl delete pvc ${claims.join(' ')}${ns(before)}`,
        ]
      : [`when the data is no longer needed: kubectl delete pvc ${claims.join(' ')}${ns(before)}`],
  };
}

/** A manifest as the validation gate's readers see it. */
function entryOf(o: ManifestObject): ObjectEntry {
  return { object: o as unknown as JsonObject, file: '', kind: o.kind, apiVersion: o.apiVersion, name: o.metadata.name, namespace: o.metadata.namespace, ref: nameOf(o) };
}

/**
 * The network a node's StatefulSet runs, read by the validation gate's own reader (flags, then the
 * conf file of the ConfigMap it mounts, then the client's default): the first container that names one.
 */
function networkOf(sts: ManifestObject, objects: ReadonlyMap<string, ManifestObject>): string | undefined {
  const find: Lookup = (kind, namespace, name) => {
    const o = objects.get(`${kind}/${namespace ?? ''}/${name}`);
    return o && entryOf(o);
  };
  const template = podTemplateOf(entryOf(sts));
  if (!template) return undefined;
  for (const c of template.containers) {
    const choice = c.init ? undefined : readNetwork(template, c, find);
    if (choice) return choice.network;
  }
  return undefined;
}

/** A node moved to another network: it applies, but its volumes hold the old network's chain. */
function networkImpact(before: ManifestObject, after: ManifestObject, old: ReadonlyMap<string, ManifestObject>, now: ReadonlyMap<string, ManifestObject>): ApplyImpact | undefined {
  const from = networkOf(before, old);
  const to = networkOf(after, now);
  const claims = claimsOf(after);
  if (!from || !to || from === to || claims.length === 0) return undefined;
  const geth = after.metadata.labels?.['app.kubernetes.io/name'] === 'geth';
  return {
    object: nameOf(after),
    namespace: after.metadata.namespace,
    class: 'data',
    fields: [`network: ${from} -> ${to}`],
    reason: geth
      ? `the volumes ${claims.join(', ')} hold the ${from} chain: geth refuses to start on a database of another genesis, and the beacon node's database is ${from}'s too`
      : `the volumes ${claims.join(', ')} keep the ${from} chain beside a new ${to} one (a folder per network): the node syncs ${to} from scratch and the old chain keeps its space`,
    steps: [
      `restore the node from a snapshot of a ${to} node (storage.restoreFrom), or give it new volumes: kubectl delete statefulset ${after.metadata.name}${ns(after)} --cascade=orphan, then kubectl delete pvc and pod of each replica in turn`,
      'or keep the network and add a new node for the other one',
    ],
  };
}

/**
 * Every change from `before` (the committed objects) to `after` (what synth writes now) that
 * cannot be applied in place or that leaves data behind. Changes that apply in place are not
 * listed. Objects are matched by kind, namespace and name.
 */
export function applyImpacts(before: readonly unknown[], after: readonly unknown[]): ApplyImpact[] {
  const old = new Map(before.filter(isManifestObject).map((o) => [keyOf(o), o]));
  const now = new Map(after.filter(isManifestObject).map((o) => [keyOf(o), o]));
  const added = [...now.values()].filter((o) => !old.has(keyOf(o)));
  const impacts: ApplyImpact[] = [];
  for (const [key, b] of old) {
    const a = now.get(key);
    const found = !a ? [removedImpact(b, added)] : b.kind === 'StatefulSet' ? [statefulSetImpact(b, a), networkImpact(b, a, old, now)] : [immutableImpact(b, a)];
    impacts.push(...found.filter((i): i is ApplyImpact => i !== undefined));
  }
  return impacts.sort((x, y) => x.object.localeCompare(y.object));
}

/** One impact as report lines: the object, why, the fields, then the steps. */
export function formatImpact(i: ApplyImpact, indent = '  '): string[] {
  const head = i.class === 'refused' ? 'cannot be applied in place' : 'applies, but leaves data behind';
  return [
    `${i.object}${i.namespace ? ` (${i.namespace})` : ''} ${head}: ${i.reason}`,
    ...i.fields.map((f) => `${indent}changed: ${f}`),
    ...i.steps.map((s, n) => `${indent}${n + 1}. ${s}`),
  ];
}
