import { defineConfig } from 'vitest/config';

/**
 * The cluster suite (`npm run test:cluster`): tests against a real kube-apiserver, etcd and
 * kube-controller-manager, and a real geth, built from the Go module proxy by
 * test/cluster/testbed/build.mjs. Not part of `npm test`, which needs no Go.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.cluster.test.ts'],
    // test/global-setup.ts builds nodegen (the prune and GitOps cases run synth); the cluster's
    // own setup builds or reuses the test bed and starts one control plane for every file.
    globalSetup: ['test/global-setup.ts', 'test/cluster/global-setup.ts'],
    // One control plane, shared: files run one after another, each in its own namespaces.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
