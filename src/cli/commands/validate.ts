/**
 * `nodegen validate`: every check synth runs before writing (Kubernetes schemas, API-server rules,
 * fleet policy), on every selected environment, writing nothing. Prints every finding at once,
 * waived ones with their reasons.
 */
import { InputError, type Problem, dedupeProblems } from '../../errors.js';
import { listEnvironmentNames, loadEnvironment, type Override } from '../../environment/load.js';
import { environmentTargets, namespaceCollisions, type EnvironmentTargets } from '../../environment/collisions.js';
import { findingToProblem, formatFinding, isBlocking, type Finding } from '../../validate/finding.js';
import { ruleCatalogue } from '../../validate/rules.js';
import type { RuleInfo } from '../../validate/rule.js';
import { validateRendered, validateSpecOnly, type EnvironmentValidation } from '../../validate/validate-environment.js';
import { selectEnvironments, type EnvironmentSelection } from '../environments.js';
import { renderEnvironment } from '../../synth/render.js';
import { loadProjectConfig, type ProjectConfig } from '../../extension.js';
import { parseOverrides, renderProblems, type OverrideOptions } from './synth.js';

export interface ValidateOptions extends EnvironmentSelection, OverrideOptions {
  readonly root: string;
}

export interface ValidatedEnvironment {
  readonly env: string;
  readonly errors: number;
  readonly warnings: number;
  readonly waived: number;
}

export interface ValidateResult {
  readonly environments: readonly ValidatedEnvironment[];
  /** Every finding of every environment, waived ones included. */
  readonly findings: readonly Finding[];
  /** Whether nothing blocks synth. */
  readonly ok: boolean;
}

function validateOne(root: string, name: string, overrides: readonly Override[], targets: EnvironmentTargets, project?: ProjectConfig): EnvironmentValidation & { readonly inputProblems: readonly Problem[] } {
  let loaded;
  try {
    loaded = loadEnvironment(name, { root, overrides });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { env: name, findings: [], problems: [], inputProblems: renderProblems(name, e) };
  }
  const collisions = namespaceCollisions(loaded, targets);
  if (collisions.length > 0) return { env: name, findings: [], problems: [], inputProblems: collisions };
  try {
    // synth's own rendering of the environment just loaded, so validate judges exactly what synth would write.
    return { ...validateRendered(loaded, renderEnvironment(loaded, project), { root }), inputProblems: [] };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { ...validateSpecOnly(loaded, { root }), inputProblems: renderProblems(name, e) };
  }
}

/**
 * Validates the selected environments (all of them when none is named).
 * @throws InputError when an environment cannot be loaded or rendered, or a waiver is invalid
 */
export async function validate(options: ValidateOptions): Promise<ValidateResult> {
  const names = options.env === undefined && !options.all ? listEnvironmentNames(options.root) : selectEnvironments(options.root, options);
  const overrides = parseOverrides(options);
  const targets = environmentTargets(options.root);
  const project = await loadProjectConfig(options.root);
  const results = names.map((n) => validateOne(options.root, n, overrides, targets, project));
  const inputProblems = results.flatMap((r) => [...r.inputProblems, ...r.problems]);
  if (inputProblems.length > 0) {
    const blocking = results.flatMap((r) => r.findings.filter(isBlocking).map(findingToProblem));
    throw new InputError('cannot validate: the environment files are invalid', dedupeProblems([...inputProblems, ...blocking]));
  }
  const findings = results.flatMap((r) => r.findings);
  return {
    environments: results.map((r) => ({
      env: r.env,
      errors: r.findings.filter(isBlocking).length,
      warnings: r.findings.filter((f) => f.severity === 'warning' && !f.waived).length,
      waived: r.findings.filter((f) => f.waived).length,
    })),
    findings,
    ok: findings.every((f) => !isBlocking(f)),
  };
}


function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Human report: each finding, then one summary line per environment. */
export function formatValidateResult(r: ValidateResult): string {
  const lines = r.findings.map(formatFinding);
  if (lines.length > 0) lines.push('');
  for (const e of r.environments) {
    const parts = [plural(e.errors, 'error'), plural(e.warnings, 'warning'), ...(e.waived > 0 ? [`${e.waived} waived`] : [])];
    lines.push(`${e.env}: ${e.errors === 0 ? 'ok' : 'refused'} (${parts.join(', ')})`);
  }
  return lines.join('\n');
}

/** The rule catalogue, for `nodegen validate --rules`. */
export function listRules(): RuleInfo[] {
  return ruleCatalogue();
}

export function formatRules(rules: readonly RuleInfo[]): string {
  const width = Math.max(...rules.map((r) => r.id.length));
  return rules.map((r) => `${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.waivable ? 'waivable' : '        '}  ${r.title}`).join('\n');
}
