'use strict';
/**
 * Reference point for the benchmark: the same fleet synthesised the way a plain cdk8s app does it,
 * `app.synth()` (what the app command run by `cdk8s synth` ends with), instead of nodegen's render
 * and write. It reuses nodegen's compiled loader and charts, so the two differ only in how the
 * construct tree becomes files. The cdk8s CLI itself adds its own start-up on top of this.
 *
 *   node test/bench/cdk8s-reference.cjs <project root> <out dir> (--all | <env>...)
 */
const { mkdirSync } = require('node:fs');
const { join, resolve } = require('node:path');

const [root, outdir, ...rest] = process.argv.slice(2).map((a, i) => (i < 2 ? resolve(a) : a));
if (!root || !outdir || rest.length === 0) {
  process.stderr.write('usage: cdk8s-reference.cjs <project root> <out dir> (--all | <env>...)\n');
  process.exit(2);
}
const { loadEnvironment, listEnvironmentNames } = require(join(root, 'lib/src/environment/load.js'));
const { buildFleet } = require(join(root, 'lib/charts/fleet.js'));

const names = rest[0] === '--all' ? listEnvironmentNames(root) : rest;
for (const name of names) {
  const { app } = buildFleet(name, loadEnvironment(name, { root }).spec);
  // buildFleet's App writes to '.', so synthesise from inside the environment's folder.
  const dir = join(outdir, name);
  mkdirSync(dir, { recursive: true });
  process.chdir(dir);
  app.synth();
}
