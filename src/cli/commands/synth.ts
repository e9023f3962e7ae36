/**
 * `nodegen synth`: environments in, dist/<env>/ out. Everything is loaded, rendered and checked
 * in memory first; nothing is written unless every selected environment succeeded.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError, UsageError, type Problem, dedupeProblems } from '../../errors.js';
import { loadEnvironment, parseImageOverride, parseSetOverride, type Override } from '../../environment/load.js';
import { environmentTargets, namespaceCollisions } from '../../environment/collisions.js';
import { renderEnvironment, toYaml, type RenderedEnvironment } from '../../synth/render.js';
import { OutputFolder, compareFolder, fsReason, isFsError, leftovers, type FileReport } from '../../synth/write.js';
import { resolveOutdir } from '../../project.js';
import { selectEnvironments, type EnvironmentSelection } from '../environments.js';
import { renderChecked } from '../../validate/gate.js';
import { loadProjectConfig, type ProjectConfig } from '../../extension.js';
import { applyImpacts, formatImpact, type ApplyImpact } from '../../synth/apply-impact.js';

export interface SynthOptions extends EnvironmentSelection, OverrideOptions {
  /** The project root. */
  readonly root: string;
  /** Output folder; relative paths are taken from the root. @default 'dist' */
  readonly outdir?: string;
  /** Print the objects as one YAML stream instead of writing. @default false */
  readonly stdout?: boolean;
  /** Write nothing; report files whose content differs from what synth would write. @default false */
  readonly check?: boolean;
  /**
   * Aborted before the swap (the CLI aborts it on SIGINT and SIGTERM), the run writes nothing and
   * fails; the swap itself cannot be split. @default - never aborted
   */
  readonly signal?: AbortSignal;
  /** Told once when another run is writing the same output folder and this one waits. @default - nothing is told */
  readonly onWait?: (message: string) => void;
  /** How long to wait for another run writing the same output folder, in milliseconds. @default 120_000 */
  readonly lockTimeoutMs?: number;
}

/** The command-line overrides every rendering command takes. */
export interface OverrideOptions {
  /** `key.path=value` overrides, merged after the environment files. @default [] */
  readonly set?: readonly string[];
  /** `<node>=<repo>:<tag>` image overrides (for pipelines that stamp a fresh tag). @default [] */
  readonly image?: readonly string[];
}

/**
 * What a pipeline may override: what it legitimately varies from run to run. Everything else
 * (exposure, public endpoints, waivers, RPC namespaces and clients, RPC users and their methods, CORS and vhosts, extra
 * arguments, cluster ranges, namespace, tier and networks, sandbox, storage) is policy or
 * reviewed configuration, set only in the committed environment files, so that a pipeline's
 * `--set ... --stdout | kubectl apply -f -` cannot loosen what a reviewer approved.
 */
const OVERRIDABLE: readonly RegExp[] = [
  /^nodes\.[^.]+\.(image|replicas)$/,
  /^nodes\.[^.]+\.resources(\.(requests|limits)(\.(cpu|memory))?)?$/,
  /^nodes\.[^.]+\.consensus\.image$/,
  /^nodes\.[^.]+\.consensus\.resources(\.(requests|limits)(\.(cpu|memory))?)?$/,
];

/** Why an override is refused, or undefined when a pipeline may make it. */
export function overrideRefusal(o: Override): string | undefined {
  const key = o.path.join('.');
  if (OVERRIDABLE.some((re) => re.test(key))) return undefined;
  // Leaving a node out of this run (nodes.<name>=null) loosens nothing.
  if (o.path.length === 2 && o.path[0] === 'nodes' && o.value === null) return undefined;
  return (
    `${key} can be set only in the committed environment files, where the change is reviewed: edit environments/<env>.yaml (or base.yaml). ` +
    'Overrides may set nodes.<node>.image, .replicas and .resources, the same under .consensus, or leave a node out (nodes.<node>=null)'
  );
}

/** The command-line overrides of `--set` and `--image`, in the order given; refuses any that set policy. */
export function parseOverrides(o: OverrideOptions): Override[] {
  const overrides = [...(o.set ?? []).map(parseSetOverride), ...(o.image ?? []).map(parseImageOverride)];
  const refused = overrides.flatMap((override) => {
    const why = overrideRefusal(override);
    return why ? [{ file: override.source, path: override.path.join('.'), message: why }] : [];
  });
  if (refused.length > 0) throw new InputError(`${refused.length === 1 ? 'an override sets' : `${refused.length} overrides set`} what only the environment files may set; dist/ was not changed`, refused);
  return overrides;
}

export interface SynthEnvironmentReport {
  readonly env: string;
  /** The environment's output folder, relative to the root. */
  readonly outdir: string;
  readonly files: readonly FileReport[];
  readonly warnings: readonly string[];
  /**
   * Changes a cluster holding the committed objects will refuse, or that leave data behind
   * (`nodegen diff` shows them per object). Empty with --stdout, which compares with nothing.
   */
  readonly impacts: readonly ApplyImpact[];
}

export interface SynthResult {
  readonly mode: 'write' | 'check' | 'stdout';
  readonly environments: readonly SynthEnvironmentReport[];
  /** With --check: files (relative to the root) that differ, are missing or are stale, and leftovers of a killed run. */
  readonly outOfDate: readonly string[];
  /** With --check: what a killed run left in the output folder (the next synth removes it), relative to the root. */
  readonly leftovers?: readonly string[];
  /** With --stdout: the YAML stream. */
  readonly yaml?: string;
  /** The overrides applied, as given on the command line. */
  readonly overrides: readonly string[];
}

/** Loads and renders every selected environment; throws one InputError with every problem. */
export function renderSelected(root: string, names: readonly string[], overrides: readonly Override[] = [], project?: ProjectConfig): RenderedEnvironment[] {
  const problems: Problem[] = [];
  const rendered: RenderedEnvironment[] = [];
  const targets = environmentTargets(root);
  for (const name of names) {
    try {
      const loaded = loadEnvironment(name, { root, overrides });
      const collisions = namespaceCollisions(loaded, targets);
      if (collisions.length > 0) throw new InputError(`environment "${name}" is invalid`, collisions);
      rendered.push(renderEnvironment(loaded, project));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(...renderProblems(name, e));
    }
  }
  if (problems.length > 0) {
    const which = names.length === 1 ? `environment "${names[0]}" is` : 'environments are';
    throw new InputError(`${which} invalid; dist/ was not changed`, dedupeProblems(problems));
  }
  return rendered;
}

/** The problems of an environment that failed to load or render; an error without any names the environment's file. */
export function renderProblems(name: string, e: InputError): readonly Problem[] {
  return e.problems.length > 0 ? e.problems : [{ file: `environments/${name}.yaml`, message: e.message }];
}


export async function synth(options: SynthOptions): Promise<SynthResult> {
  if (options.stdout && options.check) throw new UsageError('--stdout and --check cannot be combined');
  if (options.stdout && options.outdir !== undefined) throw new UsageError('--stdout writes no files; drop --outdir');
  const { root } = options;
  const names = selectEnvironments(root, options);
  const overrides = parseOverrides(options);
  const project = await loadProjectConfig(root);
  // The validation gate: schemas, API-server rules and policy; any error refuses before a write.
  const rendered = renderChecked({ root, names, outdir: options.outdir, overrides }, () => renderSelected(root, names, overrides, project));
  const applied = overrides.map((o) => o.source);
  const outRoot = resolveOutdir(root, options.outdir);
  const mode = options.stdout ? 'stdout' : options.check ? 'check' : 'write';

  if (mode === 'stdout') {
    // What `kubectl apply -f dist/<env>` would apply: dist/<env>/gitops/ bootstraps the engine apart.
    const objects = rendered.flatMap((r) => r.files.filter((f) => !f.name.includes('/')).flatMap((f) => f.objects));
    return {
      mode,
      environments: rendered.map((r) => ({ env: r.env, outdir: '-', files: [], warnings: r.warnings, impacts: [] })),
      outOfDate: [],
      yaml: toYaml(objects),
      overrides: applied,
    };
  }

  if (mode === 'check') {
    if (existsSync(outRoot) && !statSync(outRoot).isDirectory()) throw new InputError(`the output folder ${relative(root, outRoot) || '.'} is a file, not a folder`);
    // Read only and unlocked: a folder being swapped by a concurrent synth fails as unreadable, exit 1.
    const reports = await compareAll(root, outRoot, rendered);
    const left = leftovers(outRoot).map((p) => relative(root, p));
    const outOfDate = [...reports.flatMap((r) => r.files.filter((f) => f.change !== 'unchanged').map((f) => join(r.outdir, f.file))), ...left];
    return { mode, environments: reports, outOfDate, leftovers: left, overrides: applied };
  }
  // Compared and written under the lock: another run cannot change the folders in between.
  const out = await OutputFolder.open(outRoot, { root, signal: options.signal, onWait: options.onWait, lockTimeoutMs: options.lockTimeoutMs });
  try {
    for (const r of rendered) out.checkReplaceable(join(outRoot, r.env));
    const reports = await compareAll(root, outRoot, rendered);
    await out.replace(rendered.map((r) => ({ dir: join(outRoot, r.env), files: r.files })));
    return { mode, environments: reports, outOfDate: [], overrides: applied };
  } finally {
    out.close();
  }
}

/** Compares every environment's folder with what synth writes, with what a cluster will make of the change. */
async function compareAll(root: string, outRoot: string, rendered: readonly RenderedEnvironment[]): Promise<SynthEnvironmentReport[]> {
  const reports: SynthEnvironmentReport[] = [];
  for (const r of rendered) {
    const dir = join(outRoot, r.env);
    try {
      const files = compareFolder(dir, r.files);
      reports.push({ env: r.env, outdir: relative(root, dir) || '.', files, warnings: r.warnings, impacts: await impactsOf(dir, r, files) });
    } catch (e) {
      if (!isFsError(e)) throw e;
      throw new InputError(`could not read ${relative(root, e.path ?? dir) || '.'}: ${fsReason(e)}; nothing was written`);
    }
  }
  return reports;
}

/**
 * What a cluster holding the committed objects will do with this change. Only the files that
 * change are read and parsed, so an unchanged environment costs nothing.
 */
async function impactsOf(dir: string, r: RenderedEnvironment, files: readonly FileReport[]): Promise<ApplyImpact[]> {
  const touched = files.filter((f) => f.change === 'changed' || f.change === 'removed');
  if (touched.length === 0) return [];
  const { readManifestDocuments } = await import('../../environment/read-file.js');
  // A committed file that cannot be read gives no warnings of its own: synth replaces it.
  const before = touched.flatMap((f) => {
    const read = readManifestDocuments(readFileSync(join(dir, f.file), 'utf8'));
    return 'values' in read ? read.values : [];
  });
  return applyImpacts(before, r.files.flatMap((f) => f.objects));
}

const VERBS: Record<FileReport['change'], string> = { added: 'added', changed: 'changed', removed: 'removed', unchanged: 'unchanged' };

/** Human report: one line per file that changed (or would change), a summary per environment. */
export function formatSynthResult(r: SynthResult): string {
  const lines: string[] = r.overrides.map((o) => `override: ${o}`);
  for (const e of r.environments) {
    for (const w of e.warnings) lines.push(`warning: ${e.env}: ${w}`);
    for (const i of e.impacts) lines.push(...formatImpact(i, '    ').map((l, n) => (n === 0 ? `warning: ${e.env}: ${l}` : l)));
    if (r.mode === 'stdout') continue;
    const changed = e.files.filter((f) => f.change !== 'unchanged');
    if (r.mode === 'check') {
      for (const f of changed) lines.push(`out of date: ${join(e.outdir, f.file)} (${checkWord(f.change)})`);
      if (changed.length === 0) lines.push(`${e.outdir}: up to date (${e.files.length} files)`);
      continue;
    }
    for (const f of changed) lines.push(`${VERBS[f.change].padEnd(8)} ${join(e.outdir, f.file)}`);
    const unchanged = e.files.length - changed.length;
    const files = `${e.files.length} file${e.files.length === 1 ? '' : 's'}`;
    lines.push(
      changed.length === 0
        ? `${e.outdir}: no changes (${files})`
        : `${e.outdir}: ${changed.length} written or removed, ${unchanged} unchanged`,
    );
  }
  for (const l of r.leftovers ?? []) lines.push(`out of date: ${l} (left by an interrupted run; the next \`nodegen synth\` removes it)`);
  const refused = r.environments.flatMap((e) => e.impacts).filter((i) => i.class === 'refused').length;
  if (refused > 0) {
    lines.push(`${refused} object(s) cannot be updated in place: \`kubectl apply\` will refuse them until the steps above are done`);
  }
  if (r.mode === 'check' && r.outOfDate.length > 0) {
    lines.push(`${r.outOfDate.length} file(s) differ from what synth writes now: run \`npx nodegen synth\` and commit dist/`);
  }
  return lines.join('\n');
}

function checkWord(c: FileReport['change']): string {
  return c === 'added' ? 'missing, synth would add it' : c === 'removed' ? 'stale, synth would remove it' : 'content differs';
}
