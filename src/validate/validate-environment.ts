/**
 * Runs the rule catalogue over one environment: on its rendered files when rendering succeeded,
 * else the rules that can judge the environment file alone. Waivers are applied last.
 */
import { join, relative } from 'node:path';
import type { Problem } from '../errors.js';
import type { LoadedEnvironment } from '../environment/load.js';
import type { RenderedEnvironment } from '../synth/render.js';
import { resolveOutdir } from '../project.js';
import { compareFindings, type Finding } from './finding.js';
import { asStr, asStrMap, get, labelSelectorMatches, mapSelectorMatches, podTemplates, type PodTemplate } from './objects.js';
import { RULES } from './rules.js';
import { identifyContainers } from './clients.js';
import type { FileEntry, Json, ObjectEntry, RenderedContext, Report, Rule, SpecContext } from './rule.js';
import { applyWaivers, waiverProblems } from './waivers.js';

/** The label that names the node an object belongs to. */
export const NODE_LABEL = 'app.kubernetes.io/instance';

/** What validating one environment found. */
export interface EnvironmentValidation {
  readonly env: string;
  /** Every finding, waived ones included, in reading order. */
  readonly findings: readonly Finding[];
  /** Input errors that stop the environment (invalid waivers). */
  readonly problems: readonly Problem[];
}

export interface ValidateOptions {
  readonly root: string;
  /** The output folder findings name (`dist`), as synth would write it. @default 'dist' */
  readonly outdir?: string;
  /** Rules to run. @default RULES */
  readonly rules?: readonly Rule[];
}

/** The context every rule reads, from a loaded environment. */
export function specContext(loaded: LoadedEnvironment): SpecContext {
  return {
    env: loaded.name,
    spec: loaded.spec,
    chains: loaded.chains,
    envFiles: loaded.files,
    fileOf: (path) => loaded.fileOf(path.map(String)),
    locate: (path) => {
      const at = loaded.locate(path.map(String));
      return { file: at.file, line: at.line };
    },
  };
}

/** The rendered files as rules see them. */
export function renderedContext(spec: SpecContext, rendered: RenderedEnvironment, distDir: string): RenderedContext {
  const nodes = new Set(Object.keys(spec.spec.nodes));
  const files: FileEntry[] = rendered.files.map((f) => {
    const file = join(distDir, f.name);
    const objects: ObjectEntry[] = f.objects.map((raw) => {
      const object = raw as unknown as Json;
      const kind = String(object['kind']);
      const name = asStr(get(object, 'metadata', 'name')) ?? '';
      const instance = asStr(get(object, 'metadata', 'labels', NODE_LABEL));
      return {
        object,
        file,
        kind,
        apiVersion: String(object['apiVersion']),
        name,
        namespace: asStr(get(object, 'metadata', 'namespace')),
        ref: `${kind}/${name}`,
        node: instance !== undefined && nodes.has(instance) ? instance : undefined,
      };
    });
    return { file, content: f.content, objects };
  });
  return indexed(spec, files);
}

/** Groups items by each `key=value` pair of their labels. */
function labelIndex<T>(items: readonly T[], labelsOf: (t: T) => Record<string, string>): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const item of items) {
    for (const [k, v] of Object.entries(labelsOf(item))) {
      const key = `${k}=${v}`;
      const list = index.get(key);
      if (list) list.push(item);
      else index.set(key, [item]);
    }
  }
  return index;
}

/** The items a selector can select: those with its first matchLabels pair, or all of them. */
function candidates<T>(index: Map<string, T[]>, all: readonly T[], selector: unknown): readonly T[] {
  const first = Object.entries(asStrMap(get(selector, 'matchLabels')))[0];
  return first ? (index.get(`${first[0]}=${first[1]}`) ?? []) : all;
}

function indexed(spec: SpecContext, files: readonly FileEntry[]): RenderedContext {
  const objects = files.flatMap((f) => f.objects);
  const templates = podTemplates(objects);
  identifyContainers(templates, spec.chains);
  const byKey = new Map<string, ObjectEntry>();
  const byKind = new Map<string, ObjectEntry[]>();
  for (const o of objects) {
    const key = `${o.kind}\0${o.namespace ?? ''}\0${o.name}`;
    if (!byKey.has(key)) byKey.set(key, o);
    const list = byKind.get(o.kind);
    if (list) list.push(o);
    else byKind.set(o.kind, [o]);
  }
  const templateIndex = labelIndex(templates, (t) => t.labels);
  const services = byKind.get('Service') ?? [];
  const serviceIndex = labelIndex(services, (e) => asStrMap(get(e.object, 'metadata', 'labels')));
  const inNamespace = (ns: string | undefined) => (t: PodTemplate) => ns === undefined || t.entry.namespace === ns;
  return {
    ...spec,
    files,
    objects,
    templates,
    find: (kind, namespace, name) => byKey.get(`${kind}\0${namespace ?? ''}\0${name}`),
    ofKind: (kind) => byKind.get(kind) ?? [],
    templatesSelectedBy: (selector, namespace) =>
      candidates(templateIndex, templates, selector).filter((t) => inNamespace(namespace)(t) && labelSelectorMatches(selector, t.labels)),
    templatesMatching: (selector, namespace) => {
      const first = Object.entries(selector)[0];
      if (!first) return [];
      return (templateIndex.get(`${first[0]}=${first[1]}`) ?? []).filter((t) => inNamespace(namespace)(t) && mapSelectorMatches(selector, t.labels));
    },
    servicesSelectedBy: (selector) =>
      candidates(serviceIndex, services, selector).filter((e) => labelSelectorMatches(selector, asStrMap(get(e.object, 'metadata', 'labels')))),
  };
}

function runRules(rules: readonly Rule[], spec: SpecContext, run: (rule: Rule, report: (r: Report) => void) => void): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    run(rule, (r) => {
      findings.push({
        rule: rule.id,
        severity: r.severity ?? rule.severity,
        env: spec.env,
        file: r.file,
        ...(r.line !== undefined ? { line: r.line } : {}),
        object: r.object,
        ...(r.node !== undefined ? { node: r.node } : {}),
        ...(r.path ? { path: r.path } : {}),
        message: r.message,
        fix: r.fix,
      });
    });
  }
  return dedupe(findings);
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = JSON.stringify([f.rule, f.file, f.object, f.path, f.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The output folder of one environment, relative to the root (`dist/qa`). */
export function distDirOf(root: string, env: string, outdir?: string): string {
  return relative(root, join(resolveOutdir(root, outdir), env)) || '.';
}

/** Validates a rendered environment with every rule. */
export function validateRendered(loaded: LoadedEnvironment, rendered: RenderedEnvironment, options: ValidateOptions): EnvironmentValidation {
  const spec = specContext(loaded);
  const problems = waiverProblems(spec);
  const ctx = renderedContext(spec, rendered, distDirOf(options.root, loaded.name, options.outdir));
  const findings = runRules(options.rules ?? RULES, spec, (rule, report) => rule.check(ctx, report));
  return { env: loaded.name, findings: applyWaivers(findings, spec, problems.length === 0).sort(compareFindings), problems };
}

/** Validates an environment that could not be rendered, with the rules that judge the file alone. */
export function validateSpecOnly(loaded: LoadedEnvironment, options: ValidateOptions): EnvironmentValidation {
  const spec = specContext(loaded);
  const problems = waiverProblems(spec);
  const findings = runRules(options.rules ?? RULES, spec, (rule, report) => rule.checkSpec?.(spec, report));
  return { env: loaded.name, findings: applyWaivers(findings, spec, false).sort(compareFindings), problems };
}
