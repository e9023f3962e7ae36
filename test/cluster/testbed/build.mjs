#!/usr/bin/env node
/**
 * Builds the cluster suite's test bed from the Go module proxy: the Kubernetes control plane
 * (kube-apiserver, kube-controller-manager, kubectl), etcd, geth, the certificate maker, and the
 * CustomResourceDefinitions of the custom resources nodegen writes. Each Go module beside this file
 * pins its versions in its go.mod and go.sum; crds.json pins the CRD files.
 *
 * Binaries go to a per-user cache outside the clone, as Go's own caches do:
 *   $NODEGEN_TESTBED_CACHE, else $XDG_CACHE_HOME/nodegen/testbed, else ~/.cache/nodegen/testbed
 * one folder per component, named by its version and a hash of everything that decides the build
 * (go.mod, go.sum, sources, flags, the Go version): a second run reuses it, a changed pin builds
 * anew beside it. A folder appears only when its build has finished (built in a temporary folder,
 * then renamed), so an interrupted build is never mistaken for a finished one.
 *
 * Run it alone to build everything and see the times: `node test/cluster/testbed/build.mjs`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The Kubernetes release's own version stamp (hack/lib/version.sh sets the same variables). */
function kubernetesLdflags(version) {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const vars = { gitVersion: version, gitMajor: major, gitMinor: minor, gitTreeState: 'clean' };
  return Object.entries(vars)
    .flatMap(([name, value]) => [
      `-X k8s.io/component-base/version.${name}=${value}`,
      `-X k8s.io/client-go/pkg/version.${name}=${value}`,
    ])
    .join(' ');
}

/**
 * What each component builds. `pin` is the module whose version names the folder; `binaries` maps
 * each output name to its package.
 */
export const COMPONENTS = {
  kubernetes: {
    pin: 'k8s.io/kubernetes',
    binaries: {
      'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
      'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
      kubectl: 'k8s.io/kubernetes/cmd/kubectl',
    },
    // Kubernetes releases are static binaries (CGO_ENABLED=0 in hack/lib/golang.sh).
    env: { CGO_ENABLED: '0' },
    ldflags: kubernetesLdflags,
  },
  etcd: {
    pin: 'go.etcd.io/etcd/server/v3',
    binaries: { etcd: 'go.etcd.io/etcd/server/v3' },
    env: { CGO_ENABLED: '0' },
  },
  geth: {
    pin: 'github.com/ethereum/go-ethereum',
    binaries: { geth: 'github.com/ethereum/go-ethereum/cmd/geth' },
    // geth's release builds use cgo (secp256k1 in C); gcc is on the machine.
    env: {},
  },
  pki: {
    pin: undefined,
    binaries: { pki: '.' },
    env: { CGO_ENABLED: '0' },
  },
};

/** The cache folder (see the file header). */
export function cacheRoot(env = process.env) {
  if (env.NODEGEN_TESTBED_CACHE) return env.NODEGEN_TESTBED_CACHE;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'nodegen', 'testbed');
}

/** A build step failed; the message says which and why, without a stack. */
export class TestbedError extends Error {
  name = 'TestbedError';
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) {
    const missing = result.error.code === 'ENOENT';
    throw new TestbedError(
      missing
        ? `${command} was not found on PATH: the cluster suite builds its control plane with Go (1.25 or newer)`
        : `${command} ${args.join(' ')}: ${result.error.message}`,
    );
  }
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new TestbedError(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${output}`);
  }
  return result.stdout;
}

let goVersionMemo;
function goVersion() {
  goVersionMemo ??= run('go', ['env', 'GOVERSION', 'GOOS', 'GOARCH']).trim().split('\n').join('-');
  return goVersionMemo;
}

/** The version go.mod requires for `module` (the pin), e.g. v1.35.4. */
export function pinnedVersion(goMod, module) {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match) throw new TestbedError(`go.mod does not require ${module}`);
  return match[1];
}

function sourceFiles(dir) {
  return readdirSync(dir)
    .filter((name) => name === 'go.mod' || name === 'go.sum' || name.endsWith('.go'))
    .sort();
}

/** Where component `name` is (or will be) cached, and what its build runs. */
export function plan(name, env = process.env) {
  const component = COMPONENTS[name];
  if (!component) throw new TestbedError(`unknown test-bed component ${name}; known: ${Object.keys(COMPONENTS).join(', ')}`);
  const moduleDir = join(HERE, name);
  const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  const version = component.pin ? pinnedVersion(goMod, component.pin) : 'local';
  const ldflags = component.ldflags ? component.ldflags(version) : '';
  const hash = createHash('sha256');
  for (const file of sourceFiles(moduleDir)) hash.update(`${file}\0`).update(readFileSync(join(moduleDir, file))).update('\0');
  hash.update(JSON.stringify({ binaries: component.binaries, env: component.env, ldflags, go: goVersion() }));
  const dir = join(cacheRoot(env), `${name}-${version}-${hash.digest('hex').slice(0, 12)}`);
  return { name, component, moduleDir, version, ldflags, dir };
}

function finished(dir) {
  return existsSync(join(dir, 'build.json'));
}

/** Moves a finished temporary folder into place; a concurrent build that won keeps its folder. */
function publish(tmp, dir) {
  try {
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    if (!finished(dir)) throw error;
  }
}

/** Builds one component unless its cache folder exists; returns its folder and binaries. */
export function ensureComponent(name, { log = () => {}, env = process.env } = {}) {
  const p = plan(name, env);
  const binaries = Object.fromEntries(Object.keys(p.component.binaries).map((bin) => [bin, join(p.dir, bin)]));
  if (finished(p.dir)) return { ...p, binaries, built: false, seconds: 0 };
  mkdirSync(dirname(p.dir), { recursive: true });
  const tmp = mkdtempSync(`${p.dir}.partial-`);
  const started = Date.now();
  log(`building ${name} ${p.version} (${Object.keys(binaries).join(', ')}) into ${p.dir}`);
  try {
    // -mod=readonly: go.sum must already hold every checksum; a build never edits the pins.
    // -buildvcs=false: no version-control stamp (the binaries are named by their pins instead).
    const buildEnv = { ...process.env, ...p.component.env, GOFLAGS: '-mod=readonly -buildvcs=false' };
    for (const [bin, pkg] of Object.entries(p.component.binaries)) {
      const args = ['build', '-trimpath', '-o', join(tmp, bin)];
      if (p.ldflags) args.push('-ldflags', p.ldflags);
      args.push(pkg);
      run('go', args, { cwd: p.moduleDir, env: buildEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    }
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    writeFileSync(join(tmp, 'build.json'), `${JSON.stringify({ component: name, version: p.version, go: goVersion(), seconds }, null, 2)}\n`);
    publish(tmp, p.dir);
    log(`built ${name} in ${seconds} s`);
    return { ...p, binaries, built: true, seconds };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * Downloads the CRD files named in crds.json from their projects' Go modules (verified by the Go
 * checksum database, and each file by its sha256 in crds.json) into the cache; returns the files.
 */
export function ensureCrds({ log = () => {}, env = process.env } = {}) {
  const manifestText = readFileSync(join(HERE, 'crds.json'), 'utf8');
  const manifest = JSON.parse(manifestText);
  const dir = join(cacheRoot(env), `crds-${sha256(manifestText).slice(0, 12)}`);
  const files = manifest.sources.flatMap((source) => source.files.map((file) => join(dir, source.name, file.replaceAll('/', '__'))));
  if (finished(dir)) return { dir, files, built: false };
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = mkdtempSync(`${dir}.partial-`);
  const started = Date.now();
  try {
    // Outside any module, so the download edits no go.mod; into a module cache of its own that is
    // removed afterwards (the modules unpack to about 800 MB, of which a few CRD files are kept).
    const scratch = mkdtempSync(join(tmpdir(), 'nodegen-crds-'));
    const goEnv = { ...process.env, GOFLAGS: '-mod=mod', GOMODCACHE: join(scratch, 'mod') };
    try {
      for (const source of manifest.sources) {
        log(`downloading ${source.module}@${source.version}`);
        const out = run('go', ['mod', 'download', '-json', `${source.module}@${source.version}`], { cwd: scratch, env: goEnv });
        const info = JSON.parse(out);
        if (info.Error) throw new TestbedError(`${source.module}@${source.version}: ${info.Error}`);
        mkdirSync(join(tmp, source.name));
        for (const file of [...source.files, source.licenseFile]) {
          const bytes = readFileSync(join(info.Dir, file));
          const expected = source.sha256?.[file];
          if (expected && sha256(bytes) !== expected) {
            throw new TestbedError(`${source.module}@${source.version} ${file}: sha256 ${sha256(bytes)}, crds.json pins ${expected}`);
          }
          writeFileSync(join(tmp, source.name, file.replaceAll('/', '__')), bytes);
        }
      }
    } finally {
      // Go writes its module cache read-only; its own clean makes it removable.
      spawnSync('go', ['clean', '-modcache'], { cwd: scratch, env: goEnv, stdio: 'ignore' });
      rmSync(scratch, { recursive: true, force: true });
    }
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    writeFileSync(join(tmp, 'build.json'), `${JSON.stringify({ component: 'crds', seconds }, null, 2)}\n`);
    publish(tmp, dir);
    log(`downloaded the CRDs in ${seconds} s`);
    return { dir, files, built: true };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

/** Everything the cluster suite needs; builds what the cache lacks. */
export function ensureTestbed({ components = Object.keys(COMPONENTS), log = () => {}, env = process.env } = {}) {
  const built = Object.fromEntries(components.map((name) => [name, ensureComponent(name, { log, env })]));
  const bin = Object.assign({}, ...Object.values(built).map((c) => c.binaries));
  return { bin, components: built, crds: ensureCrds({ log, env }) };
}

// Run alone: build everything and print where it is and how long each part took.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const log = (line) => process.stderr.write(`testbed: ${line}\n`);
  try {
    const names = process.argv.slice(2);
    const testbed = ensureTestbed({ components: names.length ? names : undefined, log });
    for (const c of Object.values(testbed.components)) {
      console.log(`${c.name.padEnd(11)} ${c.version.padEnd(8)} ${c.built ? `built in ${c.seconds} s` : 'cached'}  ${c.dir}`);
    }
    console.log(`crds        ${testbed.crds.built ? 'downloaded' : 'cached'}  ${testbed.crds.dir}`);
    console.log(`total ${Math.round((Date.now() - started) / 100) / 10} s`);
  } catch (error) {
    if (!(error instanceof TestbedError)) throw error;
    console.error(`testbed: ${error.message}`);
    process.exitCode = 1;
  }
}
