/**
 * The gate `nodegen synth` passes before it writes or compares anything: every rule over what it
 * is about to write. Errors refuse the whole run (one problem per finding, dist/ untouched);
 * warnings and waived findings travel on as the report's warnings.
 */
import { InputError, type Problem } from '../errors.js';
import { loadEnvironment, type Override } from '../environment/load.js';
import type { RenderedEnvironment } from '../synth/render.js';
import { findingToProblem, isBlocking, type Finding } from './finding.js';
import { validateRendered, validateSpecOnly, type EnvironmentValidation } from './validate-environment.js';

export interface GateOptions {
  readonly root: string;
  /** The environments being synthesized. */
  readonly names: readonly string[];
  /** synth's --outdir, so findings name the files it would write. */
  readonly outdir?: string;
  /** synth's --set/--image overrides, applied as when rendering. @default [] */
  readonly overrides?: readonly Override[];
}

/** A non-blocking finding as one line of synth's report. */
export function formatWarning(f: Finding): string {
  if (f.waived) return `waived ${f.rule} for node ${f.node ?? '?'} (${f.object}): ${f.waived.reason}`;
  return `${f.rule} ${f.file} ${f.object}${f.path ? ` ${f.path}` : ''}: ${f.message} (fix: ${f.fix})`;
}

/** For environments that failed to render: what the rules that need no rendering say, so the refusal names them. */
function specFindings(o: GateOptions): Problem[] {
  const out: Problem[] = [];
  for (const name of o.names) {
    try {
      const v = validateSpecOnly(loadEnvironment(name, { root: o.root, overrides: o.overrides }), o);
      out.push(...v.problems, ...v.findings.filter(isBlocking).map(findingToProblem));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      // Load problems are in the render error already.
    }
  }
  return out;
}

/**
 * Renders through `render` (synth's own rendering) and validates the result.
 * @returns the rendered environments, each with the validation's warnings added
 * @throws InputError with one problem per error finding (or input problem); nothing is written
 */
export function renderChecked(o: GateOptions, render: () => RenderedEnvironment[]): RenderedEnvironment[] {
  let rendered: RenderedEnvironment[];
  try {
    rendered = render();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const extra = specFindings(o);
    throw extra.length > 0 ? new InputError(e.message, [...e.problems, ...extra]) : e;
  }
  // Each rendered environment carries the environment it was rendered from: no second load.
  const results: Array<{ readonly r: RenderedEnvironment; readonly v: EnvironmentValidation }> = rendered.map((r) => ({
    r,
    v: validateRendered(r.loaded, r, o),
  }));
  const problems = results.flatMap(({ v }) => [...v.problems, ...v.findings.filter(isBlocking).map(findingToProblem)]);
  if (problems.length > 0) {
    const which = o.names.length === 1 ? `environment "${o.names[0]}" fails` : 'environments fail';
    throw new InputError(`${which} validation (run \`nodegen validate\` for details); dist/ was not changed`, problems);
  }
  return results.map(({ r, v }) => ({ ...r, warnings: [...r.warnings, ...v.findings.filter((f) => !isBlocking(f)).map(formatWarning)] }));
}
