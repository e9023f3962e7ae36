import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadEnvironment } from '../../src/environment/load.js';
import { renderEnvironment } from '../../src/synth/render.js';
import { REPO } from '../helpers/project.js';
import { checkSchema } from '../../src/validate/schema-validator.js';

const root = join(REPO, 'test', 'fixtures', 'projects', 'gitops');
const render = (env: string) => renderEnvironment(loadEnvironment(env, { root }));

describe('GitOps objects', () => {
  it('writes an Argo CD Application pointing at dist/<env>, apart from what kubectl apply -f reads', () => {
    const r = render('argo');
    expect(r.files.map((f) => f.name)).toEqual(['00-namespace.yaml', '10-geth.yaml', '20-bitcoind.yaml', 'Kustomization', 'gitops/argocd.yaml']);
    const app = r.files.find((f) => f.name === 'gitops/argocd.yaml')!.objects[0] as any;
    expect(app).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'nodegen-argo', namespace: 'argocd' },
      spec: {
        project: 'default',
        source: { repoURL: 'https://github.com/example/chain-nodes.git', targetRevision: 'main', path: 'dist/argo' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'chains-argo' },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    });
    const kustomization = parseAllDocuments(r.files.find((f) => f.name === 'Kustomization')!.content)[0]!.toJS();
    expect(kustomization.resources).toEqual(['00-namespace.yaml', '10-geth.yaml', '20-bitcoind.yaml']);
  });

  it('writes a Flux GitRepository and Kustomization, suspended when not automated', () => {
    const objects = render('flux').files.find((f) => f.name === 'gitops/flux.yaml')!.objects as any[];
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual(['source.toolkit.fluxcd.io/v1 GitRepository', 'kustomize.toolkit.fluxcd.io/v1 Kustomization']);
    const [source, kustomization] = objects;
    expect(source.spec).toEqual({ interval: '10m', url: 'ssh://git@github.com/example/chain-nodes.git', ref: { branch: 'release' } });
    expect(source.metadata.namespace).toBe('flux-system');
    expect(kustomization.spec).toMatchObject({ path: './dist/flux', prune: false, suspend: true, sourceRef: { kind: 'GitRepository', name: 'nodegen-flux' } });
  });

  it('writes objects that pass the Argo CD and Flux CRD schemas', () => {
    const objects = [...render('argo').files, ...render('flux').files].filter((f) => f.name.startsWith('gitops/')).flatMap((f) => f.objects);
    expect(objects.map((o) => o.kind)).toEqual(['Application', 'GitRepository', 'Kustomization']);
    for (const o of objects) expect(checkSchema(o), `${o.kind}/${o.metadata.name}`).toEqual({ known: true, issues: [] });
    // The check can fail: a field the CRD does not define is refused.
    const broken = { ...objects[0]!, spec: { ...(objects[0] as any).spec, syncPolicyy: {} } };
    expect((checkSchema(broken) as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
  });

  it('refuses an unknown engine or a repository URL that is not https, ssh or git@', () => {
    expect(() => loadEnvironment('argo', { root, overrides: [{ source: '--set gitops.engine=jenkins', path: ['gitops', 'engine'], value: 'jenkins' }] })).toThrow(/environment "argo" is invalid/);
    try {
      loadEnvironment('argo', { root, overrides: [{ source: '--set gitops.repoURL=ftp://x', path: ['gitops', 'repoURL'], value: 'ftp://x' }] });
      expect.unreachable();
    } catch (e: any) {
      expect(e.problems[0].message).toMatch(/must be an https:\/\/, ssh:\/\/ or git@ repository URL/);
    }
  });
});
