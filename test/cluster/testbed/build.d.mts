/** Types of build.mjs, for the cluster suite's TypeScript. */
export interface BuiltComponent {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  readonly binaries: Record<string, string>;
  readonly built: boolean;
  readonly seconds: number;
}
export interface Testbed {
  /** Every binary by name: kube-apiserver, kube-controller-manager, kubectl, etcd, geth, pki. */
  readonly bin: Record<string, string>;
  readonly components: Record<string, BuiltComponent>;
  readonly crds: { readonly dir: string; readonly files: string[]; readonly built: boolean };
}
export class TestbedError extends Error {}
export function cacheRoot(env?: NodeJS.ProcessEnv): string;
export function ensureTestbed(options?: { components?: string[]; log?: (line: string) => void; env?: NodeJS.ProcessEnv }): Testbed;
