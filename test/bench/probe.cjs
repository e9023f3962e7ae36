'use strict';
/**
 * Preloaded into a measured process (`node -r test/bench/probe.cjs ...`) by bench.mjs; never part
 * of nodegen. It observes from outside, so src/ carries no timing code:
 *
 * - always: at exit, writes peak RSS (process.resourceUsage().maxRSS) and whether any file of cdk8s
 *   or cdk8s-plus-27 was loaded to the JSON file named by BENCH_PROBE_OUT;
 * - with BENCH_PROBE_PHASES=1: also times module loading (self time per package) and the synth
 *   phases, by wrapping exported functions of the compiled CLI and its libraries as they load.
 *
 * Times are exclusive: a phase's time excludes the modules it loaded and the phases it called, so
 * the buckets add up to the measured part of the run without double counting.
 */
const { writeFileSync } = require('node:fs');
const Module = require('node:module');
const { performance } = require('node:perf_hooks');

const OUT = process.env.BENCH_PROBE_OUT;
const PHASES = process.env.BENCH_PROBE_PHASES === '1';
const CDK8S = /[\\/]node_modules[\\/]cdk8s(-plus-\d+)?[\\/]/;

/** Milliseconds from process start to this preload running: Node's own bootstrap. */
const bootstrapMs = performance.now();
const buckets = new Map(); // label -> { ms, calls }
const stack = []; // open frames: { label, start, child }
const loaded = new Set();

function enter(label) {
  stack.push({ label, start: performance.now(), child: 0 });
}

function leave() {
  const f = stack.pop();
  const total = performance.now() - f.start;
  const b = buckets.get(f.label) ?? { ms: 0, calls: 0 };
  b.ms += total - f.child;
  b.calls += 1;
  buckets.set(f.label, b);
  if (stack.length > 0) stack[stack.length - 1].child += total;
}

function timed(label, fn) {
  return function timedCall(...args) {
    enter(label);
    try {
      return fn.apply(this, args);
    } finally {
      leave();
    }
  };
}

function wrapExport(exports, name, label) {
  const d = exports ? Object.getOwnPropertyDescriptor(exports, name) : undefined;
  // Re-exports are getters; those are wrapped where they are defined.
  if (d && d.writable && typeof d.value === 'function') exports[name] = timed(label, d.value);
}

/** The bucket a module file belongs to: its package, or nodegen's own compiled code. */
function moduleLabel(filename) {
  const norm = filename.replace(/\\/g, '/');
  if (norm.includes('/node_modules/cdk8s-plus-27/lib/imports/k8s.js')) return 'load: cdk8s-plus-27 imports/k8s';
  const i = norm.lastIndexOf('/node_modules/');
  if (i >= 0) {
    const rest = norm.slice(i + '/node_modules/'.length).split('/');
    return `load: ${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (/\/(lib|bin)\//.test(norm)) return 'load: nodegen (bin/, lib/)';
  return 'load: other';
}

/** After a module loads: wrap the functions that mark synth phases. */
function instrument(filename, exports) {
  const norm = filename.replace(/\\/g, '/');
  if (norm.endsWith('/bin/build.js')) wrapExport(exports, 'ensureFresh', 'launcher: source-hash check');
  else if (norm.endsWith('/lib/src/environment/load.js')) wrapExport(exports, 'loadEnvironment', 'env: load, merge, locate');
  else if (norm.endsWith('/lib/src/environment/schema.js')) {
    const s = exports.environmentSchema;
    if (s && typeof s.safeParse === 'function') s.safeParse = timed('env: zod validate', s.safeParse.bind(s));
  } else if (norm.endsWith('/lib/charts/fleet.js')) wrapExport(exports, 'buildFleet', 'build: constructs (buildFleet)');
  else if (norm.endsWith('/lib/src/synth/write.js')) {
    wrapExport(exports, 'compareFolder', 'write: compare with disk');
    wrapExport(exports, 'writeFolderAtomically', 'write: files + rename');
  } else if (norm.endsWith('/lib/src/synth/render.js')) wrapExport(exports, 'renderEnvironment', 'render: renderEnvironment (own code)');
  else if (/\/lib\/src\/validate\/(gate|validate-[^/]+|schema-validator|[^/]*rules)\.js$/.test(norm)) {
    // Validation shows up as its own phases, one per entry-point file. Helper modules (called
    // per field, hundreds of thousands of times) are left unwrapped: the probe's own cost per
    // call would distort them; their time counts in the phase that called them.
    const label = `validate: ${norm.slice(norm.lastIndexOf('/') + 1, -3)}`;
    for (const name of Object.keys(exports ?? {})) {
      const fn = exports[name];
      if (typeof fn === 'function' && !/^class\b/.test(Function.prototype.toString.call(fn))) wrapExport(exports, name, label);
    }
  } else if (/\/node_modules\/yaml\/dist\/index\.js$/.test(norm) && !norm.includes('/cdk8s/node_modules/')) {
    wrapExport(exports, 'stringify', 'render: yaml.stringify');
    wrapExport(exports, 'parseDocument', 'env: yaml.parseDocument');
  } else if (/\/node_modules\/cdk8s\/lib\/chart\.js$/.test(norm)) {
    const proto = exports.Chart && exports.Chart.prototype;
    if (proto && typeof proto.toJson === 'function') proto.toJson = timed('render: chart.toJson (cdk8s)', proto.toJson);
  }
}

if (PHASES) {
  const load = Module.prototype.load;
  Module.prototype.load = function probedLoad(filename) {
    loaded.add(filename);
    enter(moduleLabel(filename));
    try {
      return load.call(this, filename);
    } finally {
      leave();
      try {
        instrument(filename, this.exports);
      } catch {
        // Observing must never change what the CLI does.
      }
    }
  };
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function probedResolve(...args) {
    enter('load: resolving module paths');
    try {
      return resolve.apply(this, args);
    } finally {
      leave();
    }
  };
}

process.on('exit', () => {
  if (!OUT) return;
  for (const f of Object.keys(Module._cache)) loaded.add(f);
  const files = [...loaded];
  const endMs = performance.now();
  const result = {
    maxRssKiB: process.resourceUsage().maxRSS,
    cdk8sLoaded: files.some((f) => CDK8S.test(f)),
    modulesLoaded: files.length,
    bootstrapMs,
    endMs,
  };
  if (PHASES) {
    result.phases = Object.fromEntries([...buckets].sort((a, b) => b[1].ms - a[1].ms));
  }
  writeFileSync(OUT, JSON.stringify(result));
});
