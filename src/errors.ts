/**
 * Typed errors. The library throws them; the CLI's one handler at the process edge
 * (src/cli/run.ts) turns them into a message and an exit code. Anything else is an internal
 * error and is the only thing that prints a stack (and only with --debug).
 */

/** Where a problem is: a file, a key path inside it and the 1-based line and column. */
export interface Location {
  readonly file: string;
  readonly path?: string;
  readonly line?: number;
  readonly col?: number;
}

/** One problem found in the user's input. */
export interface Problem extends Location {
  readonly message: string;
}

/**
 * `text` cut to `max` characters, saying how long it was: values from the input are echoed in
 * messages, and a 1 MiB string must not become a 1 MiB message.
 */
export function clip(text: string, max = 80): string {
  // Control characters from the input (a NUL in a quoted key, escape sequences) are shown, not sent to the terminal.
  const shown = text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  if (shown.length <= max) return shown;
  return `${shown.slice(0, max)}… (${text.length.toLocaleString('en-US')} characters)`;
}

/**
 * The first line of an error's (or a text's) message, without yaml's trailing "at line N, column
 * M" (the position is reported apart): messages from libraries and from the user's own code are
 * echoed, their stacks are not.
 */
export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** A message's length limit: the backstop for values that reach a message without clip(). */
const MESSAGE_MAX = 2000;

/** A problem with its key path and message held to readable lengths. */
export function clipProblem(p: Problem): Problem {
  return { ...p, file: clip(p.file, 300), ...(p.path === undefined ? {} : { path: clip(p.path, 200) }), message: clip(p.message, MESSAGE_MAX) };
}

/** Formats a problem as `file:line:col key.path: message`, the shape editors and CI annotate. */
export function formatProblem(problem: Problem): string {
  const p = clipProblem(problem);
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.col ?? 1}` : p.file;
  return p.path ? `${where} ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** The user's input is wrong (exit 1). Carries every problem found, not just the first. */
export class InputError extends Error {
  readonly exitCode = 1;
  constructor(
    message: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** The command line itself is wrong (exit 2). */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A check ran and failed, such as `synth --check` finding stale files (exit 1). */
export class CheckFailedError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailedError';
  }
}

/**
 * Problems without repeats: base.yaml is merged into every environment, so a problem in it is
 * found once per environment and must be reported once.
 */
export function dedupeProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Edit distance, for did-you-mean suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest candidate to `word`, if it is close enough to be a plausible typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * A construct was given props it cannot build (thrown at once, naming the node, the cause and the
 * fix). The synth command reports it as an input error of the environment that set the props.
 */
export class ConstructError extends Error {
  constructor(
    message: string,
    /** The node (construct id) and its prop path (such as `storage.size`), when known. */
    readonly where: { readonly node?: string; readonly key?: string } = {},
  ) {
    super(message);
    this.name = 'ConstructError';
  }
}
