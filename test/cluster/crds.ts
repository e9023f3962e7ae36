/**
 * Installs the real CustomResourceDefinitions (from test/cluster/testbed/crds.json) and waits until
 * the API server serves each, so custom resources are checked by their own OpenAPI schemas and CEL
 * rules, as in a cluster with those operators installed.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Kubectl } from './kubectl.js';

export async function installCrds(kubectlBinary: string, kubeconfig: string, files: readonly string[]): Promise<string[]> {
  const kubectl = new Kubectl(kubectlBinary, kubeconfig);
  const names: string[] = [];
  for (const file of files) {
    // Server-side: several of these CRDs are larger than the 256 KiB annotation client-side apply writes.
    kubectl.run(['apply', '--server-side', '--force-conflicts', '-f', file]);
    names.push((parse(readFileSync(file, 'utf8')) as { metadata: { name: string } }).metadata.name);
  }
  kubectl.run(['wait', '--for=condition=Established', '--timeout=60s', ...names.map((n) => `crd/${n}`)]);
  return names;
}
