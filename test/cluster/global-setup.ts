/**
 * Builds (or reuses from the cache) the test bed and starts one control plane for the whole
 * cluster suite; stops it and removes its folder afterwards, also when tests fail. A control plane
 * that cannot start fails the run: the suite is never skipped.
 */
import type { TestProject } from 'vitest/node';
import { startControlPlane } from './control-plane.js';
import { installCrds } from './crds.js';
import { ensureTestbed } from './testbed/build.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The admin kubeconfig of the running control plane. */
    kubeconfig: string;
    /** Paths of the test bed's binaries by name (kubectl, geth, ...). */
    bin: Record<string, string>;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => process.stderr.write(`cluster: ${line}\n`);
  const testbed = ensureTestbed({ log });
  const bin = testbed.bin as Parameters<typeof startControlPlane>[0] & Record<string, string>;
  const started = Date.now();
  const cluster = await startControlPlane(bin, { log });
  try {
    await installCrds(bin.kubectl, cluster.kubeconfig, testbed.crds.files);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  log(`control plane and CRDs ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${cluster.dir})`);
  project.provide('kubeconfig', cluster.kubeconfig);
  project.provide('bin', testbed.bin);
  return () => cluster.stop();
}
