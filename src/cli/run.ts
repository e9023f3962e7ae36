/**
 * The process edge: the one place that turns errors into messages and exit codes.
 *   0 ok · 1 invalid input or failed check · 2 usage error · 70 internal error
 * Stacks are printed only for internal errors, and only with --debug. With --json, a failure
 * also prints the error document (ErrorDocument) on stdout, so stdout is JSON either way.
 */
import { CommanderError } from 'commander';
import { CheckFailedError, InputError, UsageError, clip, clipProblem, formatProblem, type Problem } from '../errors.js';
import { buildProgram, type Io } from './program.js';
import { setModuleImporter } from '../extension.js';

export const INTERNAL_ERROR_EXIT = 70;

/** Problems printed on stderr; the rest are counted (the JSON document has them all). */
const PROBLEMS_SHOWN = 200;

/**
 * What `--json` prints on stdout when a command fails, instead of its report. `kind` says which
 * of the exit codes it is: `input` (1: an environment file, an override or the project is
 * wrong; `problems` says where), `check-failed` (1: `synth --check` found stale files, and the
 * like), `usage` (2: the command line is wrong), `internal` (70: a bug in nodegen).
 */
export interface ErrorDocument {
  readonly error: {
    readonly kind: 'input' | 'check-failed' | 'usage' | 'internal';
    readonly exitCode: number;
    readonly message: string;
    readonly problems: readonly Problem[];
  };
}

/** Whether the command line asks for JSON (`--json` before any `--`). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function run(argv: readonly string[], io: Io, version: string): Promise<number> {
  const debug = argv.includes('--debug');
  let printed = false;
  const tracked: Io = { ...io, out: (t) => ((printed = true), io.out(t)) };
  /** The error document, when --json was asked for and the command printed no report of its own. */
  const fail = (kind: ErrorDocument['error']['kind'], exitCode: number, message: string, problems: readonly Problem[] = []): number => {
    if (wantsJson(argv) && !printed) {
      const doc: ErrorDocument = { error: { kind, exitCode, message: clip(message, 2000), problems: problems.map(clipProblem) } };
      io.out(JSON.stringify(doc, null, 2));
    }
    return exitCode;
  };
  try {
    await buildProgram(tracked, version).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its message already; --help and --version end here with code 0.
      return e.exitCode === 0 ? 0 : fail('usage', 2, e.message.replace(/^error: /, ''));
    }
    if (e instanceof InputError) {
      io.err(`error: ${clip(e.message, 2000)}`);
      for (const p of e.problems.slice(0, PROBLEMS_SHOWN)) io.err(`  ${formatProblem(p)}`);
      if (e.problems.length > PROBLEMS_SHOWN) io.err(`  ... and ${e.problems.length - PROBLEMS_SHOWN} more (all of them with --json)`);
      if (e.problems.length > 1) io.err(`${e.problems.length} problems.`);
      return fail('input', 1, e.message, e.problems);
    }
    if (e instanceof UsageError) {
      io.err(`error: ${clip(e.message, 2000)} (run with --help for usage)`);
      return fail('usage', 2, e.message);
    }
    if (e instanceof CheckFailedError) {
      io.err(`error: ${e.message}`);
      return fail('check-failed', 1, e.message);
    }
    const err = e instanceof Error ? e : new Error(String(e));
    io.err(`internal error: ${clip(err.message, 2000)}`);
    io.err(debug ? (err.stack ?? '') : 'This is a bug in nodegen. Run again with --debug for the stack trace, and report it.');
    return fail('internal', INTERNAL_ERROR_EXIT, err.message);
  }
}

/**
 * Entry point used by bin/nodegen.js, which passes its own `import()` for the project's
 * nodegen.config.mjs (see setModuleImporter).
 */
export async function main(version: string, importModule?: (url: string) => Promise<unknown>): Promise<void> {
  if (importModule) setModuleImporter(importModule);
  // A reader that stops early (`nodegen --help | head -1`, `synth --stdout | head`) closes the pipe,
  // and the next write fails with EPIPE. That is the reader's choice, not nodegen's failure: the rest
  // of the output is dropped and the command ends with its own exit code (0 unless it failed),
  // without the stack trace of an unhandled 'error' event.
  let stdoutClosed = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    stdoutClosed = true;
  });
  const io: Io = {
    cwd: process.cwd(),
    // https://no-color.org: any non-empty NO_COLOR turns colour off.
    color: Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'],
    out: (t) => {
      if (!stdoutClosed) process.stdout.write(`${t}\n`);
    },
    err: (t) => process.stderr.write(`${t}\n`),
  };
  process.exitCode = await run(process.argv.slice(2), io, version);
}
