'use strict';
/**
 * A V8 code cache for the bundled CLI: the bytecode V8 compiled for a file in one run is kept
 * under lib/.cache/ and handed back to V8 in the next, which then neither parses nor compiles.
 *
 * Why (issue 7): even bundled, compiling the CLI's 5 MB of JavaScript (cdk8s, its Kubernetes
 * imports, zod, yaml, the precompiled schema validators) took about 160 ms of a 500 ms `synth`.
 * Node 22 has this built in (module.enableCompileCache); Node 20, which nodegen supports, does not.
 *
 * How: CommonJS files the caller selects are compiled through vm.Script with the cached data
 * instead of Node's own wrapper (the same function wrapper and arguments). When a file had no
 * cache, or V8 rejected it (another Node version, other V8 flags), the cache is written at exit,
 * after the run, so it includes every function the run compiled lazily. Writes go to a temporary
 * file renamed into place, so concurrent runs never read half a cache; a read-only install simply
 * runs without one. A cache is keyed by the file's name, size and modification time (V8 itself
 * checks only the source's length) and by the Node version and architecture; bin/build.js empties
 * the folder on every build.
 */
const Module = require('node:module');
const vm = require('node:vm');
const { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');

const WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n});'];

/**
 * @typedef {object} CacheRecord
 * @property {string} file       the compiled file
 * @property {'hit' | 'miss' | 'rejected'} status  whether V8 took a cache for it
 * @property {boolean} [written] whether this run wrote its cache (set at exit)
 */

/** The cache folder for this Node version and architecture, under `root`. */
function cacheFolder(root) {
  return join(root, `${process.version}-${process.arch}`);
}

/** The require function Node gives a module, rebuilt for modules compiled here. */
function requireFor(mod) {
  const require = (id) => mod.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.main = process.mainModule;
  require.cache = Module._cache;
  require.extensions = Module._extensions;
  return require;
}

/**
 * Compiles the files `include(filename)` selects with a code cache kept in `root`. Returns the
 * records of this run (filled in as files load; `written` set at exit).
 * @param {{ root: string, include: (filename: string) => boolean }} options
 * @returns {CacheRecord[]}
 */
function install({ root, include }) {
  const folder = cacheFolder(root);
  /** @type {CacheRecord[]} */
  const records = [];
  const toWrite = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename) {
    if (!include(filename)) return compile.call(this, content, filename);
    const { size, mtimeNs } = statSync(filename, { bigint: true });
    const cacheFile = join(folder, `${basename(filename)}.${size}.${mtimeNs}.v8`);
    let cachedData;
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(WRAPPER[0] + content + WRAPPER[1], {
      filename,
      cachedData,
      importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    const status = cachedData === undefined ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
    const record = { file: filename, status };
    records.push(record);
    if (status !== 'hit') toWrite.push({ record, script, cacheFile, stale: `${basename(filename)}.` });
    const fn = script.runInThisContext({ displayErrors: true });
    return fn.call(this.exports, this.exports, requireFor(this), this, filename, dirname(filename));
  };
  process.once('exit', () => {
    for (const { record, script, cacheFile, stale } of toWrite) record.written = writeCache(script, cacheFile, stale);
  });
  return records;
}

/**
 * Writes one cache atomically and removes the caches of older versions of the same file (names
 * starting with `stale`); false when it cannot.
 */
function writeCache(script, cacheFile, stale) {
  try {
    const folder = dirname(cacheFile);
    mkdirSync(folder, { recursive: true });
    const name = basename(cacheFile);
    for (const old of readdirSync(folder)) {
      if (old !== name && old.startsWith(stale) && old.endsWith('.v8')) unlinkSync(join(folder, old));
    }
    const temp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, cacheFile);
    return true;
  } catch {
    // A read-only or full disk: run without a cache.
    return false;
  }
}

module.exports = { install, cacheFolder };
