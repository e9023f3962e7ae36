/**
 * `nodegen outdated`: every geth and consensus client of the selected environments against the
 * fork table (src/chains/forks.ts) and the newest release nodegen knows, as `npm outdated` lists
 * packages. Exit 1 when a client lacks a fork of its network, past or scheduled.
 */
import { forksMissed, newestKnown, requiredVersion, compareVersions, type ForkClient } from '../../chains/forks.js';
import { loadProjectConfig } from '../../extension.js';
import { forkTargets } from '../../validate/policy-rules.js';
import { distDirOf, renderedContext, specContext } from '../../validate/validate-environment.js';
import { selectEnvironments, type EnvironmentSelection } from '../environments.js';
import { renderSelected } from './synth.js';

export interface OutdatedOptions extends EnvironmentSelection {
  readonly root: string;
}

export interface OutdatedRow {
  readonly env: string;
  readonly node: string;
  readonly client: ForkClient;
  readonly network: string;
  readonly image: string;
  /** The version the node runs, from `version` or the image's tag; undefined when neither says. */
  readonly version?: string;
  /** The lowest version that carries every fork of the network, from the table. */
  readonly required?: string;
  /** The newest release nodegen knows (its default pin). */
  readonly newest: string;
  /** `ok`; `update` (a newer release exists); `missing-fork` (below a fork's minimum); `unknown` (no version to check). */
  readonly status: 'ok' | 'update' | 'missing-fork' | 'unknown';
  /** The forks it lacks: `Fusaka (Osaka) 2025-12-03T21:49:11Z`. */
  readonly missing: readonly string[];
}

export async function outdated(o: OutdatedOptions): Promise<OutdatedRow[]> {
  const names = o.env === undefined && !o.all ? selectEnvironments(o.root, { all: true }) : selectEnvironments(o.root, o);
  const rendered = renderSelected(o.root, names, [], await loadProjectConfig(o.root));
  const rows: OutdatedRow[] = [];
  for (const r of rendered) {
    const ctx = renderedContext(specContext(r.loaded), r, distDirOf(o.root, r.env));
    for (const target of forkTargets(ctx)) {
      const { client, network, version } = target;
      const missing = version === undefined ? [] : forksMissed(client, network, version).map((f) => `${f.name} ${f.at}`);
      const newest = newestKnown(client);
      const status = version === undefined ? 'unknown' : missing.length > 0 ? 'missing-fork' : compareVersions(version, newest) < 0 ? 'update' : 'ok';
      const required = requiredVersion(client, network);
      rows.push({ env: r.env, node: target.t.entry.node ?? target.t.entry.name, client, network, image: target.image, ...(version === undefined ? {} : { version }), ...(required === undefined ? {} : { required }), newest, status, missing });
    }
  }
  return rows;
}

export function formatOutdated(rows: readonly OutdatedRow[]): string {
  const head = ['environment', 'node', 'client', 'network', 'version', 'required', 'newest', 'status'];
  const table = rows.map((r) => [r.env, r.node, r.client, r.network, r.version ?? '?', r.required ?? '-', r.newest, r.status === 'missing-fork' ? `missing ${r.missing.join(', ')}` : r.status === 'unknown' ? 'no version: set version' : r.status]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(head), ...table.map(line)].join('\n');
}
