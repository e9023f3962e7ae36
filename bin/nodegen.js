#!/usr/bin/env node
'use strict';
// Thin launcher: make sure the compiled CLI matches the sources, then run it, with a V8 code cache
// for the bundled CLI's files and the precompiled schema validators (bin/compile-cache.js).
const build = require('./build.js');
const message = build.ensureFresh();
if (message) {
  process.stderr.write(message + '\n');
  process.exitCode = 1;
} else {
  // import() here, in a file Node compiles itself: see setModuleImporter in src/extension.ts.
  build
    .loadCli()
    .cli.main(require('../package.json').version, (url) => import(url))
    .then(exitWhenWritten);
}

/**
 * Ends the process once the command is done and its output written. Left to itself, Node ends
 * only after running V8's pending garbage-collection tasks: 10-25 ms of marking a heap about to
 * be freed, after every command (issue 18). An empty write's callback comes once everything
 * written before it is flushed, also where Node writes to a pipe asynchronously.
 */
function exitWhenWritten() {
  const open = [process.stdout, process.stderr].filter((s) => !s.destroyed);
  let left = open.length;
  if (left === 0) process.exit();
  for (const s of open) s.write('', () => --left === 0 && process.exit());
}
