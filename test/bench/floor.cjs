'use strict';
/**
 * The floor under `synth --all`, for `npm run bench` (issue 18): how near a bare Node start this
 * design can come. Never part of nodegen. It runs in a project (a copy, as its working directory)
 * with that project's own launcher parts (bin/build.js's loadCli), so it loads the
 * same bundled chunks through the same V8 code cache as `node bin/nodegen.js` there.
 *
 *   node floor.cjs work <runs> [files.json]
 *       runs `nodegen synth --all` <runs> times in one process, the way the launcher runs a
 *       command, and prints JSON: `files`, what the process compiled through the code cache (the
 *       chunks and validators a `synth --all` loads, in load order), and `ms`, each run's time.
 *       The first run executes cold code; the later ones run what V8 has optimised by then. With
 *       files.json (what an earlier `work` printed), those files are loaded before the first run,
 *       so that no run's time includes loading code.
 *   node floor.cjs load <files.json>
 *       the launcher's own steps (the freshness check, the code cache, the CLI's entry), then
 *       every file listed loaded, then exit as the launcher exits: the start-up no `synth --all`
 *       can avoid.
 *
 * Both exit 1 with a message on stderr when the project's lib/ is stale or a command fails.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const project = process.cwd();
const build = require(join(project, 'bin', 'build.js'));
const [mode, arg] = process.argv.slice(2);

function fail(message) {
  process.stderr.write(`floor: ${message}\n`);
  process.exit(1);
}

/** What bin/nodegen.js does before a command: check lib/, install the code cache, load the entry. */
function launch() {
  const stale = build.ensureFresh();
  if (stale) fail(stale);
  return build.loadCli();
}

/** Loads every file `work` listed in `list` (a JSON file). */
function loadListed(list) {
  const { files } = JSON.parse(readFileSync(list, 'utf8'));
  for (const file of files) {
    try {
      require(file);
    } catch (e) {
      fail(`cannot load ${file}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
}

if (mode === 'work') {
  const runs = Number(arg);
  if (!Number.isInteger(runs) || runs < 1) fail(`work needs a number of runs, got "${arg}"`);
  const { cli, records } = launch();
  if (process.argv[4]) loadListed(process.argv[4]);
  const version = require(join(project, 'package.json')).version;
  const errors = [];
  const io = { cwd: project, color: false, out: () => {}, err: (t) => errors.push(t) };
  (async () => {
    const ms = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const code = await cli.run(['synth', '--all'], io, version);
      ms.push(performance.now() - start);
      // Warnings (placeholder images) go to err too; only a failed run is an error.
      if (code !== 0) fail(`synth --all exited with ${code}:\n${errors.join('\n')}`);
    }
    process.stdout.write(`${JSON.stringify({ files: records.map((r) => r.file), ms })}\n`, () => process.exit(0));
  })().catch((e) => fail(e instanceof Error ? e.message : String(e)));
} else if (mode === 'load') {
  if (!arg) fail('load needs the JSON file that `work` printed');
  launch();
  loadListed(arg);
  process.exit(0);
} else {
  fail('usage: node floor.cjs work <runs> | load <files.json>');
}
