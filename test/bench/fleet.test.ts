import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadEnvironment } from '../../src/environment/load.js';
import { renderEnvironment } from '../../src/synth/render.js';
// The benchmark's generator (plain ESM, run by `npm run bench`).
import { fleetName, fleetYaml } from './fleet.mjs';

const REPO = join(__dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'nodegen-fleet-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A project holding the real base.yaml and a generated fleet of `count` nodes. */
function project(count: number): string {
  mkdirSync(join(root, 'environments'), { recursive: true });
  copyFileSync(join(REPO, 'environments', 'base.yaml'), join(root, 'environments', 'base.yaml'));
  const base = parse(readFileSync(join(root, 'environments', 'base.yaml'), 'utf8')) as { nodes?: object };
  const baseNodes = Object.keys(base.nodes ?? {});
  writeFileSync(join(root, 'environments', `${fleetName(count)}.yaml`), fleetYaml(count, baseNodes));
  return fleetName(count);
}

describe('the benchmark fleet generator', () => {
  it('writes a valid environment with exactly the requested number of nodes, the three clients in turn', () => {
    const name = project(30);
    const { spec } = loadEnvironment(name, { root });
    const clients = Object.values(spec.nodes).map((n) => n.client);
    expect(clients).toHaveLength(30);
    expect(clients.filter((c) => c === 'geth')).toHaveLength(10);
    expect(clients.filter((c) => c === 'bitcoind')).toHaveLength(10);
    expect(clients.filter((c) => c === 'monacoind')).toHaveLength(10);
  });

  it('renders every generated node, so the benchmark measures synthesis and not an error exit', () => {
    const name = project(6);
    const rendered = renderEnvironment(loadEnvironment(name, { root }));
    const objects = rendered.files.flatMap((f) => f.objects);
    const statefulSets = objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name);
    for (const node of ['geth-00000', 'bitcoind-00001', 'monacoind-00002', 'geth-00003', 'bitcoind-00004', 'monacoind-00005']) {
      expect(statefulSets).toContain(node);
    }
  });
});
