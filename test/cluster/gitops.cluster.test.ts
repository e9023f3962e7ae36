/**
 * The GitOps bootstrap files (dist/<env>/gitops) against a real API server with the real Argo CD
 * and Flux CRDs installed: they apply, read back whole, and re-apply without changes; the
 * environment they point at applies too.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { cli, copyProject } from '../helpers/project.js';
import { readManifests } from './kubectl.js';
import { clusterKubectl, expectPodsAdmitted, readBack, warnings } from './helpers.js';

const kubectl = clusterKubectl();

describe.each([
  { env: 'qa', gitops: { engine: 'argocd', repoURL: 'https://github.com/example/chain-nodes.git', prune: true }, file: 'argocd.yaml', kinds: ['Application'] },
  {
    env: 'develop',
    gitops: { engine: 'flux', repoURL: 'ssh://git@github.com/example/chain-nodes.git', revision: 'release', automated: false, interval: '10m' },
    file: 'flux.yaml',
    kinds: ['GitRepository', 'Kustomization'],
  },
])('GitOps bootstrap of environment "$env" ($gitops.engine)', ({ env, gitops: settings, file, kinds }) => {
  const project = copyProject();
  const root = project.root;
  beforeAll(async () => {
    const path = join(root, 'environments', `${env}.yaml`);
    const doc = parseDocument(readFileSync(path, 'utf8'));
    doc.set('gitops', settings);
    writeFileSync(path, doc.toString());
    const synth = await cli(root, 'synth', '--env', env);
    expect(synth.code, synth.err).toBe(0);
  });
  afterAll(() => project.cleanup());

  it(`gitops/${file} applies with its CRDs installed, reads back whole, and re-applies unchanged`, () => {
    const gitops = join(root, 'dist', env, 'gitops');
    const objects = readManifests(gitops);
    expect(objects.map((o) => o.kind)).toEqual(kinds);
    for (const namespace of new Set(objects.map((o) => o.metadata.namespace!))) {
      // The engine's own namespace exists wherever the engine is installed.
      kubectl.run(['create', 'namespace', namespace], { allowFailure: true });
    }
    kubectl.run(['delete', '-f', gitops, '--ignore-not-found', '--wait=true']);
    const applied = kubectl.run(['apply', '-f', gitops]);
    expect(warnings(applied.err)).toEqual([]);
    expect(readBack(kubectl, objects)).toEqual([]);
    const diff = kubectl.run(['diff', '-f', gitops], { allowFailure: true });
    expect(diff.code, diff.out).toBe(0);
  });

  it('the folder the engine syncs applies as the engine applies it (server-side) and its pods are admitted', async () => {
    const dist = join(root, 'dist', env);
    const objects = readManifests(dist);
    const namespace = objects.find((o) => o.kind === 'Namespace')!.metadata.name;
    kubectl.deleteNamespace(namespace);
    const applied = kubectl.run(['apply', '--server-side', '-k', dist]);
    expect(warnings(applied.err)).toEqual([]);
    expect(readBack(kubectl, objects)).toEqual([]);
    await expectPodsAdmitted(kubectl, objects);
  });
});
