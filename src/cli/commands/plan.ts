/**
 * `nodegen plan`: for every change between the committed dist/ (or `--against <dir>`) and what
 * synth writes now that a running cluster will refuse, the ordered steps that carry it out without
 * losing data; and the changes that leave data behind. `--script` writes the steps as a bash
 * script a pipeline runs after review, ending with the environment's apply-and-prune command.
 */
import { InputError, UsageError } from '../../errors.js';
import { applyCommand } from '../../synth/apply.js';
import { formatImpact, type ApplyImpact } from '../../synth/apply-impact.js';
import { diff, type DiffOptions } from './diff.js';

export interface PlanOptions extends DiffOptions {
  /** Also return the steps of the one selected environment as a bash script. @default false */
  readonly script?: boolean;
}

export interface EnvironmentPlan {
  readonly env: string;
  /** Changes that cannot be applied in place, and changes that leave data behind. */
  readonly impacts: readonly ApplyImpact[];
}

export interface PlanResult {
  readonly environments: readonly EnvironmentPlan[];
  /** With `script`: the bash script. */
  readonly script?: string;
}

export async function plan(options: PlanOptions): Promise<PlanResult> {
  if (options.script && (options.all || !options.env)) throw new UsageError('--script writes the plan of one environment: give --env <name>');
  const d = await diff(options);
  const environments = d.summary.map((s) => ({ env: s.env, impacts: d.impacts.filter((i) => i.env === s.env).map(({ env: _, ...i }) => i) }));
  if (!options.script) return { environments };
  return { environments, script: planScript(environments[0]!, options.outdir ?? 'dist') };
}

/** The plan of one environment as a bash script; refuses when a step needs a person. */
export function planScript(p: EnvironmentPlan, distDir: string): string {
  const manual = p.impacts.filter((i) => i.class === 'refused' && !i.commands);
  if (manual.length > 0) {
    throw new InputError(
      `the plan for "${p.env}" cannot be run as a script: ${manual.length === 1 ? 'one change needs' : `${manual.length} changes need`} a person (a new volume or a new snapshot object)`,
      manual.map((i) => ({ file: `${distDir}/${p.env}`, path: i.object, message: `${i.reason}. ${i.steps.join('; ')}` })),
    );
  }
  const comment = (lines: readonly string[]) => lines.map((l) => `# ${l}`.trimEnd());
  const lines = [
    '#!/usr/bin/env bash',
    `# nodegen plan --env ${p.env} --script: carries out what \`kubectl apply\` would refuse, then applies`,
    `# ${distDir}/${p.env}. Review it, commit the new ${distDir}/, and run it from the project root with`,
    "# the environment's kube context.",
    'set -euo pipefail',
  ];
  for (const i of p.impacts.filter((x) => x.class === 'refused')) lines.push('', ...comment(formatImpact(i).slice(0, 1 + i.fields.length)), ...i.commands!);
  lines.push('', applyCommand(p.env, distDir));
  const data = p.impacts.filter((i) => i.class === 'data');
  if (data.length > 0) lines.push('', '# Applied, but data stays behind (nothing here deletes it):', ...data.flatMap((i) => comment(formatImpact(i))));
  return `${lines.join('\n')}\n`;
}

/** The human report: per environment, each change with its reason and numbered steps. */
export function formatPlan(r: PlanResult): string {
  const out: string[] = [];
  for (const e of r.environments) {
    if (e.impacts.length === 0) {
      out.push(`${e.env}: every change applies in place (kubectl apply -f dist/${e.env})`);
      continue;
    }
    out.push(`${e.env}: ${e.impacts.length} change(s) need steps before or after the apply`);
    for (const i of e.impacts) out.push(...formatImpact(i).map((l) => `  ${l}`), '');
  }
  return out.join('\n').trimEnd();
}
