/**
 * A finding: one thing a rule found wrong with one object of one environment, with the fix.
 * `nodegen validate` prints findings; `nodegen synth` refuses to write when any is an error.
 */
import type { Problem } from '../errors.js';

/** `error` blocks synth; `warning` is printed and does not. */
export type Severity = 'error' | 'warning';

/** The waiver that accepted a finding, as written in the environment file. */
export interface Waiver {
  readonly reason: string;
  /** The environment file and line that hold the waiver. */
  readonly file: string;
  readonly line?: number;
}

export interface Finding {
  /** The rule's id, such as `policy/public-endpoint`. */
  readonly rule: string;
  readonly severity: Severity;
  /** The environment's name. */
  readonly env: string;
  /** Where the object would be written (`dist/qa/10-geth.yaml`), or the environment file for findings made before rendering. */
  readonly file: string;
  /** The line in `file`, for findings against an environment file. */
  readonly line?: number;
  /** `Kind/name` of the object. */
  readonly object: string;
  /** The node the object belongs to (its `app.kubernetes.io/instance` label), when it is one. */
  readonly node?: string;
  /** Where in the object, as `spec.template.spec.containers[0].args`. */
  readonly path?: string;
  readonly message: string;
  /** What to change, naming the environment key where there is one. */
  readonly fix: string;
  /** Set when an environment waiver accepts this finding; it then blocks nothing. */
  readonly waived?: Waiver;
}

/** Whether a finding blocks synth: an error that no waiver accepts. */
export function isBlocking(f: Finding): boolean {
  return f.severity === 'error' && f.waived === undefined;
}

/** One finding as human text: a heading line, then the message, the fix and any waiver. */
export function formatFinding(f: Finding): string {
  const level = f.waived ? 'waived' : f.severity;
  const where = [f.line ? `${f.file}:${f.line}` : f.file, f.object, f.path].filter(Boolean).join('  ');
  const lines = [`${level} ${f.rule} [${f.env}] ${where}`, `  ${f.message}`, `  fix: ${f.fix}`];
  if (f.waived) lines.push(`  waived by ${f.waived.file}${f.waived.line ? `:${f.waived.line}` : ''}: ${f.waived.reason}`);
  return lines.join('\n');
}

/** A finding as a Problem, for the InputError that synth throws (printed by the CLI's one handler). */
export function findingToProblem(f: Finding): Problem {
  return {
    file: f.file,
    ...(f.line !== undefined ? { line: f.line } : {}),
    path: [f.object, f.path].filter(Boolean).join(' '),
    message: `[${f.rule}] ${f.message}. Fix: ${f.fix}`,
  };
}

/** Code-point order: the same on every machine, and no ICU collator to load (6 ms of every synth). */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders findings for reading: environment, file, object, rule. */
export function compareFindings(a: Finding, b: Finding): number {
  return cmp(a.env, b.env) || cmp(a.file, b.file) || cmp(a.object, b.object) || cmp(a.rule, b.rule) || cmp(a.path ?? '', b.path ?? '') || cmp(a.message, b.message);
}
