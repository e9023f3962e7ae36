/**
 * The process edge: the one place that turns errors into messages and exit codes.
 *   0 ok · 1 invalid input or failed check · 2 usage error · 70 internal error
 * Stacks are printed only for internal errors, and only with --debug.
 */
import { CommanderError } from 'commander';
import { CheckFailedError, InputError, UsageError, formatProblem } from '../errors.js';
import { buildProgram, type Io } from './program.js';

export const INTERNAL_ERROR_EXIT = 70;

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function run(argv: readonly string[], io: Io, version: string): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    await buildProgram(io, version).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its message already; --help and --version end here with code 0.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof InputError) {
      io.err(`error: ${e.message}`);
      for (const p of e.problems) io.err(`  ${formatProblem(p)}`);
      if (e.problems.length > 1) io.err(`${e.problems.length} problems.`);
      return 1;
    }
    if (e instanceof UsageError) {
      io.err(`error: ${e.message} (run with --help for usage)`);
      return 2;
    }
    if (e instanceof CheckFailedError) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    io.err(`internal error: ${err.message}`);
    io.err(debug ? (err.stack ?? '') : 'This is a bug in nodegen. Run again with --debug for the stack trace, and report it.');
    return INTERNAL_ERROR_EXIT;
  }
}

/** Entry point used by bin/nodegen.js. */
export async function main(version: string): Promise<void> {
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
