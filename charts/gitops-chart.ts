/**
 * The GitOps engine's objects for one environment: an Argo CD Application, or a Flux GitRepository
 * and Kustomization, pointing at dist/<env>. They live in dist/<env>/gitops/, which neither
 * `kubectl apply -f dist/<env>` (it does not recurse) nor the Kustomization file includes: they are
 * applied once to bootstrap the engine, which then keeps dist/<env> applied.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/application-specification/
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { GitopsSpec } from '../src/environment/schema.js';
import { ENVIRONMENT_LABEL, MANAGED_BY, PART_OF } from '../src/constructs/blockchain-node.js';
import { customResource } from '../src/constructs/custom-resource.js';

export interface GitopsChartProps {
  readonly environment: string;
  /** The namespace the nodes run in (the sync destination). */
  readonly namespace: string;
  readonly gitops: GitopsSpec;
}

/** The folder, inside dist/<env>/, of the engine's objects. */
export const GITOPS_DIR = 'gitops';

export class GitopsChart extends Chart {
  constructor(scope: Construct, id: string, props: GitopsChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { gitops, environment } = props;
    const name = `nodegen-${environment}`;
    const path = gitops.path ?? `dist/${environment}`;
    const labels = {
      'app.kubernetes.io/name': gitops.engine,
      'app.kubernetes.io/instance': name,
      'app.kubernetes.io/component': 'gitops',
      'app.kubernetes.io/part-of': PART_OF,
      'app.kubernetes.io/managed-by': MANAGED_BY,
      [ENVIRONMENT_LABEL]: environment,
    };
    if (gitops.engine === 'argocd') {
      const namespace = gitops.namespace ?? 'argocd';
      customResource(this, 'application', {
        kind: 'Application',
        metadata: { name, namespace, labels },
        spec: {
          project: gitops.project,
          source: { repoURL: gitops.repoURL, targetRevision: gitops.revision, path },
          destination: { server: 'https://kubernetes.default.svc', namespace: props.namespace },
          syncPolicy: {
            ...(gitops.automated ? { automated: { prune: gitops.prune, selfHeal: true } } : {}),
            // The Namespace is one of the synced objects (00-namespace.yaml), with its labels.
            syncOptions: ['CreateNamespace=false', 'ServerSideApply=true'],
          },
        },
      });
    } else {
      const namespace = gitops.namespace ?? 'flux-system';
      customResource(this, 'source', {
        kind: 'GitRepository',
        metadata: { name, namespace, labels },
        spec: { interval: gitops.interval, url: gitops.repoURL, ref: { branch: gitops.revision } },
      });
      customResource(this, 'kustomization', {
        kind: 'Kustomization',
        metadata: { name, namespace, labels },
        spec: {
          interval: gitops.interval,
          path: `./${path}`,
          prune: gitops.prune,
          suspend: !gitops.automated,
          sourceRef: { kind: 'GitRepository', name },
          wait: false,
          timeout: '5m',
        },
      });
    }
  }
}
