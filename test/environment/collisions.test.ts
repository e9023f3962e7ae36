/**
 * Two environments writing into one namespace of one cluster are refused (issue: copying
 * production.yaml to dr.yaml made two environments overwrite and prune each other).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, copyProject, snapshotTree } from '../helpers/project.js';

let project: { root: string; cleanup: () => void };
beforeEach(() => (project = copyProject()));
afterEach(() => project.cleanup());

const envFile = (name: string) => join(project.root, 'environments', `${name}.yaml`);
const addCluster = (name: string, cluster: string) => writeFileSync(envFile(name), `${readFileSync(envFile(name), 'utf8')}cluster: ${cluster}\n`);

describe('environments that share a namespace', () => {
  it('a copy of production.yaml is refused by synth and validate, both files named, dist/ untouched', async () => {
    writeFileSync(envFile('dr'), readFileSync(envFile('production'), 'utf8'));
    const before = snapshotTree(join(project.root, 'dist'));
    const synth = await cli(project.root, 'synth', '--all');
    expect(synth.code).toBe(1);
    expect(synth.err).toContain('environments/dr.yaml:3:1 namespace: environment "dr" writes into namespace "chains-production", as environment "production" (environments/production.yaml) does, and they do not name two different clusters');
    expect(synth.err).toContain('environments/production.yaml:3:1 namespace: environment "production" writes into namespace "chains-production", as environment "dr" (environments/dr.yaml) does');
    expect(snapshotTree(join(project.root, 'dist'))).toEqual(before);
    const validate = await cli(project.root, 'validate', '--env', 'qa');
    expect(validate.code).toBe(0);
    expect((await cli(project.root, 'validate', '--env', 'dr')).code).toBe(1);
  });

  it('are allowed when both name different clusters, and list shows the cluster; one named is not enough', async () => {
    writeFileSync(envFile('dr'), readFileSync(envFile('production'), 'utf8'));
    addCluster('dr', 'gke-dr');
    expect((await cli(project.root, 'synth', '--env', 'dr')).code).toBe(1);
    addCluster('production', 'gke-prod');
    const synth = await cli(project.root, 'synth', '--env', 'dr');
    expect(synth.code, synth.err).toBe(0);
    const list = await cli(project.root, 'list');
    expect(list.out).toMatch(/^dr {2}\(mainnet, cluster gke-dr, namespace chains-production, /m);
    writeFileSync(envFile('dr'), readFileSync(envFile('dr'), 'utf8').replace('cluster: gke-dr', 'cluster: gke-prod'));
    expect((await cli(project.root, 'synth', '--env', 'dr')).err).toMatch(/on cluster "gke-prod"/);
  });
});
