'use strict';
/**
 * Preloaded into a measured process (`node -r test/bench/probe.cjs ...`) by bench.mjs; never part
 * of nodegen. It observes from outside, so src/ carries no benchmark code. At exit it writes to the
 * JSON file named by BENCH_PROBE_OUT:
 *
 * - maxRssKiB: peak RSS of this process (process.resourceUsage().maxRSS);
 * - modulesLoaded: how many JavaScript files were loaded (require.cache at exit, this probe aside);
 * - chunks / packages: the bundled CLI's chunk files that were loaded (lib/cli/*.js) and, through
 *   lib/cli/chunks.json (written by bin/bundle.mjs), the packages those chunks hold;
 * - cdk8sLoaded: whether any cdk8s code was loaded: a chunk holding cdk8s or cdk8s-plus-27, or,
 *   when the CLI runs unbundled from lib/src, a file under node_modules/cdk8s*;
 * - codeCache: for each file the launcher compiled through vm.Script with a V8 code cache
 *   (bin/compile-cache.js), whether V8 took the cache: 'hit', 'miss' (none yet) or 'rejected'.
 *
 * The probe loads before the launcher installs its compile hook, so it watches require.cache at
 * exit (which holds the chunks whoever compiled them) and wraps vm.Script, which the hook looks up
 * at each compile, to see the cached data V8 was given and whether it was rejected.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { basename, dirname, sep } = require('node:path');
const vm = require('node:vm');

const OUT = process.env.BENCH_PROBE_OUT;
const CDK8S_FILE = /[\\/]node_modules[\\/]cdk8s(-plus-\d+)?[\\/]/;
const CDK8S_PACKAGES = new Set(['cdk8s', 'cdk8s-plus-27']);
const CHUNK_DIR = `${sep}lib${sep}cli${sep}`;

/** @type {Array<{ file: string, status: 'hit' | 'miss' | 'rejected' }>} */
const codeCache = [];
try {
  const Script = vm.Script;
  vm.Script = class ProbedScript extends Script {
    constructor(code, options) {
      super(code, options);
      try {
        if (options && typeof options === 'object' && typeof options.filename === 'string') {
          const status = options.cachedData === undefined ? 'miss' : this.cachedDataRejected ? 'rejected' : 'hit';
          codeCache.push({ file: options.filename, status });
        }
      } catch {
        // Observing must never change what the CLI does.
      }
    }
  };
} catch {
  /* vm.Script not replaceable: no code-cache report */
}

/** Which packages each chunk holds, from the chunks.json beside the chunks (cached per folder). */
const manifests = new Map();
function chunkPackages(file) {
  const dir = dirname(file);
  if (!manifests.has(dir)) {
    try {
      manifests.set(dir, JSON.parse(readFileSync(`${dir}${sep}chunks.json`, 'utf8')));
    } catch {
      manifests.set(dir, {});
    }
  }
  return manifests.get(dir)[basename(file)] ?? [];
}

process.on('exit', () => {
  if (!OUT) return;
  const files = Object.keys(Module._cache).filter((f) => f !== __filename);
  const chunks = files.filter((f) => f.includes(CHUNK_DIR) && f.endsWith('.js'));
  const packages = [...new Set(chunks.flatMap(chunkPackages))].sort();
  const result = {
    maxRssKiB: process.resourceUsage().maxRSS,
    cdk8sLoaded: packages.some((p) => CDK8S_PACKAGES.has(p)) || files.some((f) => CDK8S_FILE.test(f)),
    modulesLoaded: files.length,
    chunks: chunks.map((f) => basename(f)).sort(),
    packages,
    codeCache: codeCache.map(({ file, status }) => ({ file: basename(file), status })),
  };
  writeFileSync(OUT, JSON.stringify(result));
});
