/**
 * Reading rendered objects defensively. Rules run even on objects the schema check refuses, so
 * nothing here trusts a field's type: every accessor checks and falls back to "absent".
 */
import type { Json, ObjectEntry } from './rule.js';

export function asObj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

export function asArr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asStr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function asStrs(v: unknown): string[] {
  return asArr(v).filter((x): x is string => typeof x === 'string');
}

/** The string entries of a map (labels, selectors). */
export function asStrMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(asObj(v) ?? {})) if (typeof x === 'string') out[k] = x;
  return out;
}

/** The value at a key path, or undefined. (Rules call this millions of times at fleet sizes: kept lean.) */
export function get(v: unknown, ...path: readonly (string | number)[]): unknown {
  let cur = v;
  for (let i = 0; i < path.length; i++) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    const seg = path[i]!;
    // A number indexes a list only; a name reads a map only.
    if (Array.isArray(cur) !== (typeof seg === 'number')) return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** Joins path segments as `spec.ports[0].name`. */
export function joinPath(...segs: readonly (string | number | undefined)[]): string {
  let out = '';
  for (const s of segs) {
    if (s === undefined || s === '') continue;
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${s}` : s;
  }
  return out;
}

/** Kinds whose objects have no namespace. */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'CustomResourceDefinition',
  'VolumeSnapshotClass', 'VolumeSnapshotContent', 'PriorityClass', 'IngressClass',
]);

/** Where each workload kind keeps its pod template. */
const TEMPLATE_PATHS: Record<string, readonly string[]> = {
  StatefulSet: ['spec', 'template'],
  Deployment: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** One container of a pod template (init containers included). */
export interface ContainerView {
  readonly c: Json;
  /** Path of the container in the object. */
  readonly path: string;
  readonly init: boolean;
  readonly name: string | undefined;
  readonly image: string | undefined;
  readonly command: readonly string[];
  readonly args: readonly string[];
}

/** One pod template of a workload, or a Pod. */
export interface PodTemplate {
  readonly entry: ObjectEntry;
  /** Path of the pod spec in the object (`spec.template.spec`). */
  readonly specPath: string;
  readonly spec: Json;
  /** Path of the template's labels (`spec.template.metadata.labels`). */
  readonly labelsPath: string;
  readonly labels: Record<string, string>;
  readonly containers: readonly ContainerView[];
  /** The pod's volumes (claim templates not included). */
  readonly volumes: readonly Json[];
  /** A StatefulSet's volume claim templates. */
  readonly claims: readonly Json[];
}

function containerViews(spec: Json, specPath: string): ContainerView[] {
  const out: ContainerView[] = [];
  for (const [field, init] of [['initContainers', true], ['containers', false]] as const) {
    asArr(spec[field]).forEach((raw, i) => {
      const c = asObj(raw);
      if (!c) return;
      out.push({
        c,
        path: joinPath(specPath, field, i),
        init,
        name: asStr(c['name']),
        image: asStr(c['image']),
        command: asStrs(c['command']),
        args: asStrs(c['args']),
      });
    });
  }
  return out;
}

/** The pod template of a workload object (or the Pod itself), if it has one. */
export function podTemplateOf(entry: ObjectEntry): PodTemplate | undefined {
  const o = entry.object;
  const templatePath: readonly string[] | undefined = TEMPLATE_PATHS[entry.kind];
  let spec: Json | undefined;
  let labels: unknown;
  let specPath: string;
  let labelsPath: string;
  if (entry.kind === 'Pod') {
    spec = asObj(o['spec']);
    labels = get(o, 'metadata', 'labels');
    specPath = 'spec';
    labelsPath = 'metadata.labels';
  } else if (templatePath) {
    const template = get(o, ...templatePath);
    spec = asObj(get(template, 'spec'));
    labels = get(template, 'metadata', 'labels');
    specPath = joinPath(...templatePath, 'spec');
    labelsPath = joinPath(...templatePath, 'metadata', 'labels');
  } else {
    return undefined;
  }
  if (!spec) return undefined;
  return {
    entry,
    specPath,
    spec,
    labelsPath,
    labels: asStrMap(labels),
    containers: containerViews(spec, specPath),
    volumes: asArr(spec['volumes']).map(asObj).filter((v): v is Json => v !== undefined),
    claims: entry.kind === 'StatefulSet'
      ? asArr(get(o, 'spec', 'volumeClaimTemplates')).map(asObj).filter((v): v is Json => v !== undefined)
      : [],
  };
}

/** Every pod template in a list of objects. */
export function podTemplates(entries: readonly ObjectEntry[]): PodTemplate[] {
  return entries.map(podTemplateOf).filter((t): t is PodTemplate => t !== undefined);
}

/**
 * Whether a LabelSelector (`matchLabels` and `matchExpressions`) selects `labels`.
 * An empty selector selects everything, as in NetworkPolicy and PodDisruptionBudget.
 */
export function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const sel = asObj(selector) ?? {};
  for (const [k, v] of Object.entries(asStrMap(sel['matchLabels']))) if (labels[k] !== v) return false;
  for (const raw of asArr(sel['matchExpressions'])) {
    const e = asObj(raw) ?? {};
    const key = asStr(e['key']) ?? '';
    const values = asStrs(e['values']);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (e['operator']) {
      case 'In': if (!has || !values.includes(labels[key]!)) return false; break;
      case 'NotIn': if (has && values.includes(labels[key]!)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** Whether a map selector (a Service's) selects `labels`. An empty map selects nothing here. */
export function mapSelectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** Every string in a JSON value, with its path. */
export function strings(v: unknown, path = ''): Array<{ readonly path: string; readonly value: string }> {
  return stringsWhere(v, () => true, path);
}

/**
 * The strings in a JSON value that `test` accepts, with their paths. Rules scan every string of
 * every object; paths are built only for the strings returned.
 */
export function stringsWhere(v: unknown, test: (s: string) => boolean, path = ''): Array<{ readonly path: string; readonly value: string }> {
  const out: Array<{ path: string; value: string }> = [];
  const segs: Array<string | number> = [];
  const walk = (x: unknown) => {
    if (typeof x === 'string') {
      if (!test(x)) return;
      let p = path;
      for (const s of segs) p = typeof s === 'number' ? `${p}[${s}]` : p ? `${p}.${s}` : s;
      out.push({ path: p, value: x });
    } else if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) {
        segs.push(i);
        walk(x[i]);
        segs.pop();
      }
    } else if (x && typeof x === 'object') {
      for (const k of Object.keys(x)) {
        segs.push(k);
        walk((x as Json)[k]);
        segs.pop();
      }
    }
  };
  walk(v);
  return out;
}
