#!/usr/bin/env node
/**
 * Bundles the CLI (src/cli/run.ts and everything it imports, node_modules included) into lib/cli/:
 * a handful of chunk files instead of about 560 modules. bin/build.js runs it after tsc has
 * type-checked the same sources; bin/nodegen.js runs lib/cli/run.js when it exists.
 *
 * Why (issue 7): resolving, reading and compiling 560 small files was half of every `synth`. The
 * chunks keep the CLI's lazy imports apart (`--help` and `list` still load no cdk8s code) and are
 * few and large, which is what the launcher's V8 code cache (bin/compile-cache.js) needs.
 *
 * It bundles the TypeScript sources, not tsc's CommonJS output, so that packages with an ES module
 * build are tree-shaken: zod's chunk shrinks from 840 to 210 KB (its 40 locales and the unused
 * API are dropped). The library (`main`: lib/src/index.js) and the in-process tests use tsc's
 * lib/ and src/; the CLI tests spawn bin/nodegen.js and so run the bundle.
 *
 *   node bin/bundle.mjs        (bin/build.js calls it; exits 1 with rolldown's message on failure)
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'lib', 'cli');
const ENTRY = join(ROOT, 'src', 'cli', 'run.ts');

/** The package a bundled module comes from: `cdk8s`, `@scope/name`, or `nodegen` for lib/. */
function packageOf(id) {
  const path = id.replace(/\\/g, '/');
  const i = path.lastIndexOf('/node_modules/');
  if (i < 0) return 'nodegen';
  const [first, second] = path.slice(i + '/node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

/**
 * nodegen's sources import each other as `./x.js` (what Node needs of tsc's output); here the
 * file is `./x.ts`. Packages are resolved as they are: some ship both `index.js` and `index.ts`.
 */
const sourceImports = {
  name: 'nodegen-source-imports',
  resolveId(source, importer) {
    if (!importer || importer.includes('/node_modules/') || !source.startsWith('.') || !source.endsWith('.js')) return null;
    return this.resolve(`${source.slice(0, -3)}.ts`, importer, { skipSelf: true });
  },
};

if (!existsSync(ENTRY)) {
  process.stderr.write(`nodegen: ${ENTRY} is missing\n`);
  process.exit(1);
}

/**
 * Whitespace and comments go (the chunks are read on every run; 40% fewer bytes), names stay:
 * stack traces and CPU profiles keep naming nodegen's and the packages' functions. Licence
 * comments stay, at the end of each chunk.
 */
const MINIFY = { compress: false, mangle: false, codegen: { removeWhitespace: true, legalComments: 'eof' } };

const { build } = await import('rolldown');
rmSync(OUT, { recursive: true, force: true });
try {
  const result = await build({
    input: { run: ENTRY },
    platform: 'node',
    plugins: [sourceImports],
    // Node >= 20 runs CommonJS; the chunks require each other and Node's built-ins. Source maps
    // let profiles (npm run bench) and debuggers see the original files; Node does not read them
    // at run time.
    output: { dir: OUT, format: 'cjs', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', sourcemap: true, minify: MINIFY },
    logLevel: 'warn',
  });
  // Which packages each chunk holds (`nodegen` for this repository's code): lets the benchmark
  // tell which code a command loaded, e.g. that `--help` loads no cdk8s.
  const chunks = {};
  for (const item of result.output) {
    if (item.type !== 'chunk') continue;
    const packages = new Set(item.moduleIds.filter((id) => !id.startsWith('\0')).map(packageOf));
    chunks[item.fileName] = [...packages].sort();
  }
  writeFileSync(join(OUT, 'chunks.json'), `${JSON.stringify(chunks, null, 2)}\n`);
} catch (e) {
  rmSync(OUT, { recursive: true, force: true });
  process.stderr.write(`nodegen: bundling the CLI failed:\n${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
