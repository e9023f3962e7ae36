/**
 * Choosing environments from `--env` / `--all`, the same way for every command.
 */
import { UsageError } from '../errors.js';
import { assertEnvironmentExists, listEnvironmentNames } from '../environment/load.js';

export interface EnvironmentSelection {
  /** One environment, by name. */
  readonly env?: string;
  /** Every environment in environments/. */
  readonly all?: boolean;
}

/** The environments selected, in name order. Exactly one of env and all must be given. */
export function selectEnvironments(root: string, s: EnvironmentSelection): string[] {
  if (s.env !== undefined && s.all) throw new UsageError('give either --env <name> or --all, not both');
  if (s.all) return listEnvironmentNames(root);
  if (s.env === undefined) throw new UsageError('say which environment: --env <name> or --all');
  assertEnvironmentExists(root, s.env);
  return [s.env];
}
