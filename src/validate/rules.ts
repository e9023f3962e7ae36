/**
 * The rule catalogue: every check nodegen runs before anything is written, in the order
 * `nodegen validate --rules` and the README list them. Add a rule here and it runs everywhere.
 */
import {
  containerNameRule,
  duplicateObjectRule,
  duplicatePortRule,
  labelsRule,
  namedPortRule,
  objectNameRule,
  portNameRule,
  portNumberRule,
  quantityRule,
  referenceRule,
  requestsWithinLimitsRule,
  selectorMatchRule,
  serviceNameRule,
  serviceSpecRule,
  volumeMountRule,
} from './api-server-rules.js';
import {
  clusterCidrsRule,
  managedFlagsRule,
  corsVhostsRule,
  customReadinessRule,
  forkReadinessRule,
  imagePinnedRule,
  imagePlaceholderRule,
  namespaceRule,
  networkTierRule,
  noSecretsRule,
  podSecurityRule,
  publicEndpointRule,
  publicSourceRangesRule,
  resourcesRule,
  rpcMethodsRule,
  rpcNamespacesRule,
  storageRule,
} from './policy-rules.js';
import type { Rule, RuleInfo } from './rule.js';
import { schemaRule, unknownFieldRule, unknownKindRule } from './schema-rules.js';
import { zmqPrivateRule } from './zmq-rule.js';

/** A waiver that accepted nothing: reported by the runner after waivers are applied. */
export const UNUSED_WAIVER: RuleInfo = {
  id: 'policy/unused-waiver',
  severity: 'warning',
  title: 'every waiver accepts at least one finding',
  explain:
    'A waiver that matches no finding is stale (the node was fixed, renamed or removed) and hides the next real problem ' +
    'of that rule on that node. Remove it from `waivers:`.',
  waivable: false,
};

/** Every rule, schema and API-server rules first, then fleet policy. */
export const RULES: readonly Rule[] = [
  schemaRule,
  unknownFieldRule,
  unknownKindRule,
  objectNameRule,
  labelsRule,
  containerNameRule,
  portNameRule,
  namedPortRule,
  duplicatePortRule,
  portNumberRule,
  quantityRule,
  requestsWithinLimitsRule,
  selectorMatchRule,
  serviceNameRule,
  volumeMountRule,
  referenceRule,
  serviceSpecRule,
  duplicateObjectRule,
  publicEndpointRule,
  publicSourceRangesRule,
  rpcNamespacesRule,
  rpcMethodsRule,
  corsVhostsRule,
  networkTierRule,
  imagePinnedRule,
  imagePlaceholderRule,
  forkReadinessRule,
  resourcesRule,
  storageRule,
  customReadinessRule,
  noSecretsRule,
  podSecurityRule,
  namespaceRule,
  clusterCidrsRule,
  managedFlagsRule,
  zmqPrivateRule,
];

/** The catalogue as data: every rule and the runner's own. */
export function ruleCatalogue(): RuleInfo[] {
  return [...RULES, UNUSED_WAIVER].map(({ id, severity, title, explain, waivable }) => ({ id, severity, title, explain, waivable }));
}

/** The README section: one entry per rule. */
export function formatRuleCatalogue(): string {
  return ruleCatalogue()
    .map((r) => `- \`${r.id}\` (${r.severity}${r.waivable ? ', waivable' : ''}): ${r.title}. ${r.explain}`)
    .join('\n');
}
