/**
 * Upgrades against a real API server: a cluster running an earlier commit's dist/<env> takes the
 * current one with the README's apply-and-prune command, as the pipeline does after a merge.
 * And the baseline for day-2 changes: what the API server refuses to change in place.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { cli, copyProject } from '../helpers/project.js';
import { readManifests } from './kubectl.js';
import { clusterKubectl, ENVIRONMENTS, expectPodsAdmitted, namespaceOf, previousDist, readBack, readmeApplyCommand, REPO, warnings } from './helpers.js';

const kubectl = clusterKubectl();

describe.each(ENVIRONMENTS)('upgrading dist/%s', (env) => {
  const current = join(REPO, 'dist', env);
  const objects = readManifests(current);
  const namespace = namespaceOf(objects);
  const previous = previousDist(env);
  afterAll(() => previous && rmSync(dirname(dirname(previous.dir)), { recursive: true, force: true }));

  it('from the previous committed version to the current one applies in place and leaves nothing stale', async () => {
    expect(previous, `git history holds no earlier dist/${env}`).toBeDefined();
    kubectl.deleteNamespace(namespace);
    kubectl.run(readmeApplyCommand(env, previous!.dir));
    const upgraded = kubectl.run(readmeApplyCommand(env, current), { allowFailure: true });
    expect(upgraded.code, `applying dist/${env} over ${previous!.commit.slice(0, 7)} ("${previous!.subject}") failed:\n${upgraded.err}`).toBe(0);
    expect(warnings(upgraded.err)).toEqual([]);
    expect(readBack(kubectl, objects)).toEqual([]);
    await expectPodsAdmitted(kubectl, objects);
    const diff = kubectl.run(['diff', '-f', current], { allowFailure: true });
    expect(diff.code, diff.out).toBe(0);
  });
});

describe('what the API server refuses to change in place (the day-2 baseline)', () => {
  const project = copyProject();
  afterAll(() => project.cleanup());

  it('a grown disk (nodes.<name>.storage.size) is refused on the StatefulSet: volumeClaimTemplates are immutable', async () => {
    const env = 'qa';
    const dist = join(project.root, 'dist', env);
    const namespace = namespaceOf(readManifests(dist));
    kubectl.deleteNamespace(namespace);
    kubectl.run(['apply', '-f', dist]);

    const file = join(project.root, 'environments', `${env}.yaml`);
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.setIn(['nodes', 'bitcoind', 'storage', 'size'], '150Gi');
    writeFileSync(file, doc.toString());
    const synth = await cli(project.root, 'synth', '--env', env);
    expect(synth.code, synth.err).toBe(0);

    const applied = kubectl.run(['apply', '-f', dist], { allowFailure: true });
    expect(applied.code).not.toBe(0);
    expect(applied.err).toMatch(/The StatefulSet "bitcoind" is invalid: spec: Forbidden: updates to statefulset spec for fields other than/);
    // Everything else in the folder was applied: kubectl goes on past the refused object.
    expect(applied.out).toMatch(/configmap\/bitcoind-config (configured|unchanged)/);

    // The README's way ("Growing disks", step 2): recreate the StatefulSet around its pods.
    const pods = () => kubectl.list('pods', namespace, 'app.kubernetes.io/instance=bitcoind').map((p) => `${p.metadata.name} ${p.metadata.uid}`).sort();
    const before = pods();
    expect(before.length).toBeGreaterThan(0);
    kubectl.run(['delete', 'statefulset', 'bitcoind', '-n', namespace, '--cascade=orphan']);
    kubectl.run(['apply', '-f', dist]);
    const sts = kubectl.json<{ spec: { volumeClaimTemplates: { spec: { resources: { requests: { storage: string } } } }[] } }>(['get', 'statefulset', 'bitcoind', '-n', namespace]);
    expect(sts.spec.volumeClaimTemplates[0]!.spec.resources.requests.storage).toBe('150Gi');
    // The same pods (same UIDs), adopted by the new StatefulSet: nothing restarted.
    expect(pods()).toEqual(before);
    const diff = kubectl.run(['diff', '-f', dist], { allowFailure: true });
    expect(diff.code, diff.out).toBe(0);
  });
});
