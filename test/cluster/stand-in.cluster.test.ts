/**
 * The validation gate is a stand-in for the API server; here the two are compared. Every fixture
 * environment of the validation tests (test/fixtures/validate/project) is synthesized: what synth
 * accepts must apply cleanly on the real API server, with the real CRDs (GKE Managed Prometheus,
 * restored VolumeSnapshots, GitOps objects...) and Pod Security admission. What synth refuses was
 * refused with a reason before any cluster saw it. A generated fleet of realistic size goes the
 * same way.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, copyProject } from '../helpers/project.js';
import { fleetYaml } from '../bench/fleet.mjs';
import { readManifests } from './kubectl.js';
import { clusterKubectl, expectPodsAdmitted, namespaceOf, readBack, REPO, warnings } from './helpers.js';

const kubectl = clusterKubectl();
const FIXTURES = join(REPO, 'test', 'fixtures', 'validate', 'project');
const NAMES = readdirSync(join(FIXTURES, 'environments'))
  .filter((f) => f.endsWith('.yaml') && f !== 'base.yaml')
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

/** Applies dist/<env> (and its gitops/ folder) into an empty namespace and checks it all. */
async function applyAndCheck(dist: string): Promise<number> {
  const objects = readManifests(dist);
  kubectl.deleteNamespace(namespaceOf(objects));
  const applied = kubectl.run(['apply', '-f', dist]);
  expect(warnings(applied.err)).toEqual([]);
  expect(readBack(kubectl, objects)).toEqual([]);
  await expectPodsAdmitted(kubectl, objects);
  const gitops = join(dist, 'gitops');
  if (existsSync(gitops)) {
    const bootstrap = readManifests(gitops);
    for (const ns of new Set(bootstrap.map((o) => o.metadata.namespace!))) kubectl.run(['create', 'namespace', ns], { allowFailure: true });
    kubectl.run(['apply', '-f', gitops]);
    expect(readBack(kubectl, bootstrap)).toEqual([]);
  }
  return objects.length;
}

describe('what synth accepts, the API server accepts', () => {
  const root = mkdtempSync(join(tmpdir(), 'nodegen-fixtures-'));
  cpSync(FIXTURES, root, { recursive: true });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const accepted: string[] = [];

  it.each(NAMES)('fixture environment %s', async (name) => {
    const synth = await cli(root, 'synth', '--env', name);
    if (synth.code !== 0) {
      // Refused before any cluster saw it, with the rule and the fix.
      expect(synth.code).toBe(1);
      expect(synth.err).toMatch(/Fix: |fails validation|is invalid/);
      return;
    }
    accepted.push(name);
    expect(await applyAndCheck(join(root, 'dist', name))).toBeGreaterThan(0);
  });

  it('the comparison covers the optional objects (restored snapshots, GKE Managed Prometheus, PodMonitor, GitOps)', () => {
    expect(accepted).toEqual(expect.arrayContaining(['valid', 'features', 'features-gke', 'features-podmonitor']));
  });

  it('a generated fleet of 30 nodes (bench/fleet.mjs) applies and every one of its pods is admitted', async () => {
    const project = copyProject();
    try {
      writeFileSync(join(project.root, 'environments', 'fleet-30.yaml'), fleetYaml(30, ['geth', 'bitcoind', 'monacoind']));
      const synth = await cli(project.root, 'synth', '--env', 'fleet-30');
      expect(synth.code, synth.err).toBe(0);
      const dist = join(project.root, 'dist', 'fleet-30');
      expect(await applyAndCheck(dist)).toBeGreaterThan(100);
      expect(readManifests(dist).filter((o) => o.kind === 'StatefulSet')).toHaveLength(30);
      kubectl.deleteNamespace(namespaceOf(readManifests(dist)));
    } finally {
      project.cleanup();
    }
  });
});
