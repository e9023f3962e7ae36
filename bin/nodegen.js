#!/usr/bin/env node
'use strict';
// Thin launcher: make sure the compiled CLI matches the sources, then run it.
const message = require('./build.js').ensureFresh();
if (message) {
  process.stderr.write(message + '\n');
  process.exitCode = 1;
} else {
  require('../lib/src/cli/run.js').main(require('../package.json').version);
}
