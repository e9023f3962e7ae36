/**
 * Waivers: an environment's written, reviewable exceptions to a policy rule for one node.
 *
 * ```yaml
 * waivers:
 *   - rule: policy/public-source-ranges
 *     node: geth
 *     reason: inbound P2P peers connect from anywhere; the RPC stays private
 * ```
 *
 * A waived finding is still reported (as waived, with its reason) and blocks nothing. A waiver
 * naming an unknown rule, a rule that cannot be waived or an unknown node is an input error.
 */
import { didYouMean, type Problem } from '../errors.js';
import type { Finding } from './finding.js';
import { RULES, UNUSED_WAIVER } from './rules.js';
import type { SpecContext } from './rule.js';

/** Problems with the environment's waivers, each at the line that holds it. */
export function waiverProblems(ctx: SpecContext): Problem[] {
  const problems: Problem[] = [];
  const ids = RULES.map((r) => r.id);
  const nodes = Object.keys(ctx.spec.nodes);
  const seen = new Set<string>();
  ctx.spec.waivers.forEach((w, i) => {
    const where = (key: string) => {
      const at = ctx.locate(['waivers', i, key]);
      return { file: at.file, line: at.line, path: `waivers.${i}.${key}` };
    };
    const rule = RULES.find((r) => r.id === w.rule);
    if (!rule) {
      const guess = didYouMean(w.rule, ids);
      problems.push({ ...where('rule'), message: `unknown rule "${w.rule}"${guess ? `; did you mean "${guess}"?` : ''} (\`nodegen validate --rules\` lists them)` });
    } else if (!rule.waivable) {
      const why = rule.id.startsWith('k8s/') ? 'the API server refuses what it finds' : rule.id === 'policy/pod-security' ? "the namespace's Pod Security admission refuses what it finds" : 'it has no per-node exception';
      problems.push({ ...where('rule'), message: `rule "${w.rule}" cannot be waived: ${why} (\`nodegen validate --rules\` shows which can)` });
    }
    if (!nodes.includes(w.node)) {
      const guess = didYouMean(w.node, nodes);
      problems.push({ ...where('node'), message: `unknown node "${w.node}"${guess ? `; did you mean "${guess}"?` : ''} (nodes: ${nodes.join(', ') || 'none'})` });
    }
    const key = `${w.rule}\0${w.node}`;
    if (seen.has(key)) problems.push({ ...where('rule'), message: `rule "${w.rule}" is waived twice for node "${w.node}"` });
    seen.add(key);
  });
  return problems;
}

/**
 * Marks the findings the environment's waivers accept, and reports each waiver that accepted
 * nothing (when `reportUnused`: only meaningful when every rule ran).
 */
export function applyWaivers(findings: readonly Finding[], ctx: SpecContext, reportUnused: boolean): Finding[] {
  const used = new Set<number>();
  const out = findings.map((f) => {
    const i = ctx.spec.waivers.findIndex((w) => w.rule === f.rule && w.node === f.node && f.node !== undefined);
    if (i < 0) return f;
    used.add(i);
    const w = ctx.spec.waivers[i]!;
    const at = ctx.locate(['waivers', i]);
    return { ...f, waived: { reason: w.reason, file: at.file, line: at.line } };
  });
  if (reportUnused) {
    ctx.spec.waivers.forEach((w, i) => {
      if (used.has(i)) return;
      const at = ctx.locate(['waivers', i]);
      out.push({
        rule: UNUSED_WAIVER.id,
        severity: UNUSED_WAIVER.severity,
        env: ctx.env,
        file: at.file,
        ...(at.line !== undefined ? { line: at.line } : {}),
        object: `waivers[${i}]`,
        node: w.node,
        message: `the waiver of ${w.rule} for node "${w.node}" accepts no finding`,
        fix: `remove the waiver from ${at.file}`,
      });
    });
  }
  return out;
}
