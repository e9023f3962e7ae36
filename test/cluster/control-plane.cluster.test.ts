/**
 * Negative controls: the test bed enforces what the other cases rely on. A pod the "restricted"
 * Pod Security level forbids is refused, RBAC denies what no role grants, a CRD's schema refuses an
 * unknown field, and the StatefulSet controller runs. Without these, "applies cleanly" could mean
 * "nothing was checked".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './kubectl.js';
import { clusterKubectl } from './helpers.js';

const kubectl = clusterKubectl();
const NS = 'nodegen-controls';

describe('the test bed enforces what a real cluster enforces', () => {
  beforeAll(() => {
    kubectl.deleteNamespace(NS);
    kubectl.run(['create', 'namespace', NS]);
    kubectl.run(['label', 'namespace', NS, 'pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/enforce-version=latest']);
  });
  afterAll(() => kubectl.deleteNamespace(NS));

  it('runs Kubernetes v1.35 (the version of the vendored schemas)', () => {
    const version = kubectl.json<{ serverVersion: { gitVersion: string } }>(['version']);
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.35\.\d+$/);
  });

  it('Pod Security admission refuses a pod with no security context in a "restricted" namespace', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'root', namespace: NS }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } };
    const r = kubectl.run(['create', '-f', '-'], { input: JSON.stringify(pod), allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
  });

  it('RBAC denies a service account what no role grants', () => {
    kubectl.run(['create', 'serviceaccount', 'nobody', '-n', NS]);
    const r = kubectl.run(['auth', 'can-i', 'list', 'secrets', '-n', NS], { as: `system:serviceaccount:${NS}:nobody`, allowFailure: true });
    expect(r.code).toBe(1);
    expect(r.out.trim()).toBe('no');
  });

  it('a CRD\'s schema refuses an unknown field (strict field validation)', () => {
    const monitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'typo', namespace: NS },
      spec: { selector: {}, endpoints: [{ port: 'metrics', intervall: '30s' }] },
    };
    const r = kubectl.run(['apply', '-f', '-'], { input: JSON.stringify(monitor), allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/unknown field "spec\.endpoints\[0\]\.intervall"/);
  });

  it('the StatefulSet controller creates pods (they stay Pending: there is no scheduler)', async () => {
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'probe', namespace: NS },
      spec: {
        serviceName: 'probe',
        selector: { matchLabels: { app: 'probe' } },
        template: {
          metadata: { labels: { app: 'probe' } },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
          },
        },
      },
    };
    kubectl.run(['apply', '-f', '-'], { input: JSON.stringify(sts) });
    const phase = await eventually(
      () => kubectl.list('pods', NS).find((p) => p.metadata.name === 'probe-0')?.status as { phase: string } | undefined,
      () => 'pod probe-0 was not created',
    );
    expect(phase.phase).toBe('Pending');
  });
});
