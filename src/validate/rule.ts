/**
 * What a rule is: an id, a severity, a one-line title, an explanation for the README, and a small
 * function that looks at one environment and reports what it finds.
 *
 * Rules run on the rendered objects. The few that can also judge the environment file alone
 * (`checkSpec`) run when rendering fails, so a refused environment still names the rule it broke.
 */
import type { EnvironmentSpec } from '../environment/schema.js';
import type { ChainProfiles } from '../chains/profiles.js';
import type { Severity } from './finding.js';
import type { PodTemplate } from './objects.js';

/** A Kubernetes object as rendered: plain JSON. */
export type Json = { readonly [key: string]: unknown };

/** One rendered object and where it would be written. */
export interface ObjectEntry {
  readonly object: Json;
  /** `dist/<env>/<file>`. */
  readonly file: string;
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly namespace?: string;
  /** `Kind/name`. */
  readonly ref: string;
  /** The node it belongs to: its `app.kubernetes.io/instance` label, when that names a node. */
  readonly node?: string;
}

/** One rendered file. */
export interface FileEntry {
  /** `dist/<env>/<file>`. */
  readonly file: string;
  readonly content: string;
  readonly objects: readonly ObjectEntry[];
}

/** Finds where a key path is written in the environment's files. */
export type Locate = (path: readonly (string | number)[]) => { readonly file: string; readonly line?: number };

/** What every rule may read: the environment as merged and validated. */
export interface SpecContext {
  readonly env: string;
  readonly spec: EnvironmentSpec;
  /** The chain profiles its nodes may name (nodegen's and the project's). */
  readonly chains: ChainProfiles;
  /** The environment's files, relative to the project root (base.yaml first). */
  readonly envFiles: readonly string[];
  readonly locate: Locate;
  /** The file that sets a key path, as `locate` names it, without its line (cheap: no syntax tree). */
  readonly fileOf: (path: readonly (string | number)[]) => string;
}

/** Finds an object by kind, namespace and name. */
export type Lookup = (kind: string, namespace: string | undefined, name: string) => ObjectEntry | undefined;

/**
 * What rules on rendered objects read. The lookups are indexed once per environment, so a rule
 * stays linear in the number of objects (fleets have thousands of nodes).
 */
export interface RenderedContext extends SpecContext {
  readonly files: readonly FileEntry[];
  readonly objects: readonly ObjectEntry[];
  /** Every pod template (workloads' and Pods'). */
  readonly templates: readonly PodTemplate[];
  readonly find: Lookup;
  /** The objects of one kind. */
  ofKind(kind: string): readonly ObjectEntry[];
  /** Pod templates in `namespace` that a LabelSelector (`matchLabels`, `matchExpressions`) selects; any namespace when undefined. */
  templatesSelectedBy(selector: unknown, namespace: string | undefined): readonly PodTemplate[];
  /** Pod templates in `namespace` whose labels include every pair of a Service-style map selector (none for an empty one). */
  templatesMatching(selector: Record<string, string>, namespace: string | undefined): readonly PodTemplate[];
  /** Services whose own labels a LabelSelector selects (for ServiceMonitors). */
  servicesSelectedBy(selector: unknown): readonly ObjectEntry[];
}

/** What a rule reports; the runner adds the rule id, environment and (unless given) severity. */
export interface Report {
  readonly object: string;
  readonly file: string;
  /** The line in `file`, for findings against an environment file. */
  readonly line?: number;
  readonly node?: string;
  readonly path?: string;
  readonly message: string;
  readonly fix: string;
  /** Overrides the rule's severity for this finding (for example a warning in a sandbox). */
  readonly severity?: Severity;
}

export type Reporter = (r: Report) => void;

/** The catalogue entry of a rule. */
export interface RuleInfo {
  /** `k8s/<name>` for what the API server (or kubelet) would refuse, `policy/<name>` for fleet policy. */
  readonly id: string;
  readonly severity: Severity;
  /** One line: what the rule requires. */
  readonly title: string;
  /** Why it matters and how to fix it (the README entry). */
  readonly explain: string;
  /** Whether an environment may waive it for a node. API-server rules cannot be waived. */
  readonly waivable: boolean;
}

export interface Rule extends RuleInfo {
  /** Checks the rendered objects. */
  check(ctx: RenderedContext, report: Reporter): void;
  /** Checks the environment alone; run instead of `check` when rendering failed. */
  checkSpec?(ctx: SpecContext, report: Reporter): void;
}

/** Reports against an object entry: fills in object, file and node. */
export function at(e: ObjectEntry, path: string | undefined, message: string, fix: string, severity?: Severity): Report {
  return { object: e.ref, file: e.file, node: e.node, path, message, fix, severity };
}
