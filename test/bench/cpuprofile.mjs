/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): sampled self time by where the code lives
 * (package, Node internals, nodegen's own code), with compilation and garbage collection split
 * out, plus the hottest functions. Self time only, so nothing is counted twice.
 */
import { readFileSync } from 'node:fs';

/** The bucket a profile node belongs to. */
function bucketOf(frame) {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'V8: garbage collection';
    if (functionName === '(program)' || functionName === '(idle)' || functionName === '(root)') return 'V8: program/idle';
    return `native: ${functionName || '?'}`;
  }
  const path = url.replace(/^file:\/\//, '').replace(/\\/g, '/');
  if (path.startsWith('node:')) {
    if (/^node:internal\/modules\//.test(path)) return 'Node: module loader (resolve, read, compile)';
    return 'Node: other internals';
  }
  if (path.includes('/node_modules/cdk8s-plus-27/lib/imports/k8s.js')) return 'pkg: cdk8s-plus-27 imports/k8s';
  const i = path.lastIndexOf('/node_modules/');
  if (i >= 0) {
    const rest = path.slice(i + '/node_modules/'.length).split('/');
    const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    // cdk8s bundles its own copy of yaml; say which copy is busy.
    return path.includes('/cdk8s/node_modules/') ? `pkg: ${pkg} (bundled in cdk8s)` : `pkg: ${pkg}`;
  }
  if (/\/lib\/charts\//.test(path)) return 'nodegen: charts/';
  if (/\/lib\/src\/constructs\//.test(path)) return 'nodegen: constructs';
  if (/\/lib\/src\//.test(path)) return 'nodegen: src/ (other)';
  if (/\/bin\//.test(path)) return 'nodegen: bin/';
  return 'other';
}

/**
 * Reads a .cpuprofile and returns { totalMs, buckets: [{ name, ms, share }], top: [{ fn, ms }] }.
 * Native helpers called from the module loader (readFileUtf8, internalModuleStat, ...) are
 * attributed to the loader, since they are its file-system work.
 */
export function summariseCpuProfile(file, topN = 15) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const buckets = new Map();
  const fns = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const node = nodes.get(id);
    let bucket = bucketOf(node.callFrame);
    if (bucket.startsWith('native: ') || bucket === 'Node: other internals') {
      // Node's own frames and native helpers count as module loading when the module loader
      // called them (reading and stat-ing files, package.json lookups).
      for (let up = nodes.get(parent.get(id)); up; up = nodes.get(parent.get(up.id))) {
        const b = bucketOf(up.callFrame);
        if (b.startsWith('Node: module loader')) {
          bucket = b;
          break;
        }
        if (!b.startsWith('native: ') && b !== 'Node: other internals') break;
      }
    }
    if (bucket.startsWith('Node: module loader') && /^(wrapSafe|compileFunction)$/.test(node.callFrame.functionName)) {
      bucket = 'V8: compiling module code';
    }
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/(lib|bin)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + us);
    total += us;
  }
  const ms = (us) => Math.round(us / 100) / 10;
  return {
    totalMs: ms(total),
    buckets: [...buckets]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: ms(us), share: Math.round((1000 * us) / total) / 10 })),
    top: [...fns]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([fn, us]) => ({ fn, ms: ms(us) })),
  };
}
