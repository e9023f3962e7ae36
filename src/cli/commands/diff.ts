/**
 * `nodegen diff`: what would change in the committed dist/, object by object, as unified diffs.
 * The review step before a commit, and a gate in CI (exit 1 when anything differs).
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { structuredPatch } from 'diff';
import { parseAllDocuments } from 'yaml';
import { resolveOutdir } from '../../project.js';
import { InputError, UsageError, clip, type Problem } from '../../errors.js';
import { readManifestDocuments } from '../../environment/read-file.js';
import { loadProjectConfig } from '../../extension.js';
import { toYaml } from '../../synth/render.js';
import { compareFolder, readFolder } from '../../synth/write.js';
import { applyImpacts, formatImpact, type ApplyImpact, type ManifestObject } from '../../synth/apply-impact.js';
import { selectEnvironments, type EnvironmentSelection } from '../environments.js';
import { parseOverrides, renderSelected, type OverrideOptions } from './synth.js';

export interface DiffOptions extends EnvironmentSelection, OverrideOptions {
  readonly root: string;
  /** The folder holding the committed output. @default 'dist' */
  readonly outdir?: string;
  /**
   * Compare with this folder of environment folders instead of the committed output, such as the
   * dist/ of the revision a cluster runs. @default - the outdir
   */
  readonly against?: string;
}

export interface ObjectDiff {
  readonly env: string;
  /** The file the object is (or would be) in, relative to the root. */
  readonly file: string;
  /** `Kind/name`. */
  readonly object: string;
  readonly change: 'added' | 'changed' | 'removed';
  /** Unified diff of the object's YAML, without colour. */
  readonly patch: string;
  /** Set when a cluster holding the old object refuses the change, or the change leaves data behind. */
  readonly impacts?: readonly ApplyImpact[];
}

export interface DiffSummary {
  readonly env: string;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
}

export interface DiffResult {
  readonly objects: readonly ObjectDiff[];
  readonly summary: readonly DiffSummary[];
  readonly overrides: readonly string[];
  /** True when the committed dist/ equals what synth would write. */
  readonly identical: boolean;
  /** Every change that cannot be applied in place or leaves data behind, with its environment. */
  readonly impacts: readonly (ApplyImpact & { readonly env: string })[];
}

interface Entry {
  readonly file: string;
  readonly text: string;
  readonly value: ManifestObject;
}

function keyOf(o: unknown, file: string): string {
  const obj = (o ?? {}) as { kind?: string; metadata?: { name?: string } };
  return `${obj.kind ?? 'Unknown'}/${obj.metadata?.name ?? file}`;
}

/** Objects of the committed folder, keyed by `Kind/name`, each as normalised YAML; files in `skip` are not read. */
function committedObjects(dir: string, rootDir: string, skip: ReadonlySet<string>): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const unreadable: Problem[] = [];
  for (const [name, content] of readFolder(dir, skip)) {
    const file = relative(rootDir, join(dir, name));
    const read = readManifestDocuments(content);
    if ('reason' in read) {
      unreadable.push({ file, message: `cannot be read as YAML: ${read.reason}; synth rewrites it` });
      continue;
    }
    for (const value of read.values) {
      if (value === null || value === undefined) continue;
      out.set(keyOf(value, name), { file, text: toYaml([value]), value: value as ManifestObject });
    }
  }
  if (unreadable.length > 0) throw new InputError('the committed output cannot be compared', unreadable);
  return out;
}

function patchOf(key: string, before: string, after: string): string {
  const p = structuredPatch(`a/${key}`, `b/${key}`, before, after, '', '', { context: 3 });
  const lines = [`--- a/${key}`, `+++ b/${key}`];
  for (const h of p.hunks) lines.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines);
  return lines.join('\n');
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export async function diff(options: DiffOptions): Promise<DiffResult> {
  const { root } = options;
  const names = selectEnvironments(root, options);
  const overrides = parseOverrides(options);
  const rendered = renderSelected(root, names, overrides, await loadProjectConfig(root));
  if (options.against !== undefined && options.outdir !== undefined) throw new UsageError('--against and --outdir name the same folder: give one');
  const outRoot = resolveOutdir(root, options.against ?? options.outdir);
  // A folder named on purpose must exist: comparing with nothing would report every object as new.
  if (options.against !== undefined && !isFolder(outRoot)) {
    throw new InputError(`--against ${clip(options.against)}: ${existsSync(outRoot) ? 'is not a folder' : 'no such folder'} (it names a folder of environment folders, such as the dist/ a cluster runs)`);
  }
  const objects: ObjectDiff[] = [];
  const summary: DiffSummary[] = [];
  const impacts: (ApplyImpact & { env: string })[] = [];
  for (const r of rendered) {
    const dir = join(outRoot, r.env);
    // Bytes first: a file synth would write exactly as committed holds no change, so neither side
    // of it is parsed or printed again (most files of most diffs).
    const same = new Set(compareFolder(dir, r.files).filter((c) => c.change === 'unchanged').map((c) => c.file));
    const before = committedObjects(dir, root, same);
    const after = new Map<string, Entry>();
    for (const f of r.files) {
      if (same.has(f.name)) continue;
      const values = f.objects.length > 0 ? f.objects : parseAllDocuments(f.content).map((d) => d.toJS());
      for (const v of values) after.set(keyOf(v, f.name), { file: relative(root, join(dir, f.name)), text: toYaml([v]), value: v as ManifestObject });
    }
    const envImpacts = applyImpacts([...before.values()].map((e) => e.value), [...after.values()].map((e) => e.value));
    impacts.push(...envImpacts.map((i) => ({ env: r.env, ...i })));
    const counts = { added: 0, changed: 0, removed: 0 };
    for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const b = before.get(key);
      const a = after.get(key);
      if (b && a && b.text === a.text) continue;
      const change = !b ? 'added' : !a ? 'removed' : 'changed';
      counts[change]++;
      const own = envImpacts.filter((i) => i.object === key);
      objects.push({ env: r.env, file: (a ?? b)!.file, object: key, change, patch: patchOf(key, b?.text ?? '', a?.text ?? ''), ...(own.length > 0 ? { impacts: own } : {}) });
    }
    summary.push({ env: r.env, ...counts });
  }
  return { objects, summary, overrides: overrides.map((o) => o.source), identical: objects.length === 0, impacts };
}

const COLORS = { add: '\x1b[32m', del: '\x1b[31m', hunk: '\x1b[36m', head: '\x1b[1m', warn: '\x1b[33m', reset: '\x1b[0m' };

function colorLine(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return `${COLORS.head}${line}${COLORS.reset}`;
  if (line.startsWith('+')) return `${COLORS.add}${line}${COLORS.reset}`;
  if (line.startsWith('-')) return `${COLORS.del}${line}${COLORS.reset}`;
  if (line.startsWith('@@')) return `${COLORS.hunk}${line}${COLORS.reset}`;
  return line;
}

/** The human report: each object's diff, then one summary line per environment. */
export function formatDiff(r: DiffResult, color: boolean): string {
  const out: string[] = r.overrides.map((o) => `override: ${o}`);
  for (const d of r.objects) {
    out.push(`${d.change} ${d.object} in ${d.file}`);
    for (const impact of d.impacts ?? []) {
      out.push(...formatImpact(impact).map((l, i) => (i === 0 ? `! ${l}` : `!   ${l.trimStart()}`)).map((l) => (color ? `${COLORS.warn}${l}${COLORS.reset}` : l)));
    }
    out.push(...d.patch.split('\n').map((l) => (color ? colorLine(l) : l)));
    out.push('');
  }
  for (const s of r.summary) {
    const own = r.impacts.filter((i) => i.env === s.env);
    const refused = own.filter((i) => i.class === 'refused').length;
    const data = own.length - refused;
    const notes = [refused > 0 ? `${refused} cannot be applied in place` : '', data > 0 ? `${data} leave data behind` : ''].filter(Boolean);
    out.push(`${s.env}: ${s.added} added, ${s.changed} changed, ${s.removed} removed${notes.length > 0 ? ` (${notes.join(', ')}: see the lines marked !)` : ''}`);
  }
  return out.join('\n');
}
