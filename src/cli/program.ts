/**
 * Commander wiring: each command declares its options and calls its plain function. Command
 * modules are imported when their command runs, so `--help` and `list` never load cdk8s.
 */
import { Command, Option } from 'commander';
import { CheckFailedError } from '../errors.js';
import { findProjectRoot } from '../project.js';

/** Where a command writes: injectable so tests capture output without spawning a process. */
export interface Io {
  readonly cwd: string;
  /** Colour the output (a TTY without NO_COLOR). @default false */
  readonly color?: boolean;
  out(text: string): void;
  err(text: string): void;
}

/** Commander reducer for repeatable options. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

export function buildProgram(io: Io, version: string): Command {
  const program = new Command('nodegen')
    .description('Synthesize reviewable Kubernetes YAML for geth, bitcoind, monacoind and other Bitcoin-family full nodes, per environment.')
    .version(version, '-V, --version')
    .option('--debug', 'print stack traces of internal errors')
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText('after', examples(['npx nodegen synth --env qa', 'npx nodegen synth --all --check', 'npx nodegen list']));

  const root = () => findProjectRoot(io.cwd);
  const json = (v: unknown) => io.out(JSON.stringify(v, null, 2));

  program
    .command('synth')
    .description('write dist/<env>/ from environments/base.yaml + environments/<env>.yaml')
    .addOption(new Option('-e, --env <name>', 'the environment to synthesize'))
    .option('-a, --all', 'synthesize every environment')
    .option('-o, --outdir <dir>', 'output folder; relative paths are from the project root (default: dist)')
    .option('--stdout', 'print the objects as one YAML stream instead of writing files')
    .option('--check', 'write nothing; exit 1 listing files that differ from what synth would write')
    .option('--json', 'print the report as JSON')
    .option('--set <key.path=value>', 'override a value, merged after the environment files (repeatable)', collect, [])
    .option('--image <node=repo:tag>', "override a node's image (repeatable)", collect, [])
    .addHelpText(
      'after',
      examples([
        'npx nodegen synth --env qa',
        'npx nodegen synth --env qa --image geth=ethereum/client-go:v1.17.10 --stdout',
        'npx nodegen synth --all',
        'npx nodegen synth --all --check     # the pull-request gate',
        'npx nodegen synth --env qa --stdout | kubectl diff -f -',
      ]),
    )
    .action(async (o: { env?: string; all?: boolean; outdir?: string; stdout?: boolean; check?: boolean; json?: boolean; set: string[]; image: string[] }) => {
      const { synth, formatSynthResult } = await import('./commands/synth.js');
      // Only a run that writes defers interrupts: the others change nothing when they end at once.
      const interrupts = o.check || o.stdout ? undefined : (await import('./signals.js')).deferInterrupts();
      const result = await synth({
        root: root(), env: o.env, all: o.all, outdir: o.outdir, stdout: o.stdout, check: o.check, set: o.set, image: o.image,
        signal: interrupts?.signal, onWait: io.err,
      }).finally(() => interrupts?.dispose());
      if (o.json) json(result);
      else {
        if (result.yaml !== undefined) io.out(result.yaml.replace(/\n$/, ''));
        const report = formatSynthResult(result);
        if (report) (result.mode === 'stdout' ? io.err : io.out)(report);
      }
      if (result.mode === 'check' && result.outOfDate.length > 0) {
        throw new CheckFailedError(`dist/ is out of date (${result.outOfDate.length} file(s))`);
      }
    });

  program
    .command('validate')
    .description('run every check synth runs before writing (schemas, API-server rules, policy); write nothing')
    .addOption(new Option('-e, --env <name>', 'the environment to validate (default: every environment)'))
    .option('-a, --all', 'validate every environment')
    .option('--set <key.path=value>', 'override a value, as for synth (repeatable)', collect, [])
    .option('--image <node=repo:tag>', "override a node's image, as for synth (repeatable)", collect, [])
    .option('--rules', 'list the rules instead of validating')
    .option('--json', 'print the findings as JSON')
    .addHelpText('after', examples(['npx nodegen validate --all', 'npx nodegen validate --env qa --json', 'npx nodegen validate --rules']))
    .action(async (o: { env?: string; all?: boolean; rules?: boolean; json?: boolean; set: string[]; image: string[] }) => {
      const { validate, formatValidateResult, listRules, formatRules } = await import('./commands/validate.js');
      if (o.rules) {
        if (o.json) json(listRules());
        else io.out(formatRules(listRules()));
        return;
      }
      const result = await validate({ root: root(), env: o.env, all: o.all, set: o.set, image: o.image });
      if (o.json) json(result);
      else io.out(formatValidateResult(result));
      if (!result.ok) {
        const errors = result.environments.reduce((n, e) => n + e.errors, 0);
        throw new CheckFailedError(`${errors} error(s): synth would refuse to write`);
      }
    });

  /** The options of the commands that compare what synth writes with a folder (diff, plan). */
  const comparing = (command: Command, verb: string) =>
    command
      .addOption(new Option('-e, --env <name>', `the environment to ${verb}`))
      .option('-a, --all', `${verb} every environment`)
      .option('-o, --outdir <dir>', 'the folder holding the committed output (default: dist)')
      .option('--against <dir>', 'compare with this folder of environment folders, such as the dist/ a cluster runs (default: the outdir)')
      .option('--set <key.path=value>', 'override a value, as for synth (repeatable)', collect, [])
      .option('--image <node=repo:tag>', "override a node's image, as for synth (repeatable)", collect, []);

  comparing(program.command('diff').description('show, object by object, how dist/ would change; exit 1 when it would'), 'compare')
    .option('--json', 'print the differences as JSON')
    .addHelpText(
      'after',
      examples([
        'npx nodegen diff --env production',
        'npx nodegen diff --all --json',
        'git worktree add /tmp/live origin/main && npx nodegen diff --env production --against /tmp/live/dist',
      ]),
    )
    .action(async (o: { env?: string; all?: boolean; outdir?: string; against?: string; json?: boolean; set: string[]; image: string[] }) => {
      const { diff, formatDiff } = await import('./commands/diff.js');
      const result = await diff({ root: root(), env: o.env, all: o.all, outdir: o.outdir, against: o.against, set: o.set, image: o.image });
      if (o.json) json(result);
      else io.out(formatDiff(result, io.color ?? false));
      if (!result.identical) throw new CheckFailedError(`dist/ differs from what synth would write (${result.objects.length} object(s))`);
    });

  comparing(program.command('plan').description('the steps for every change a running cluster would refuse, or that leaves data behind'), 'plan')
    .option('--script', 'print the steps of one environment as a bash script that ends with its apply command')
    .option('--json', 'print the plan as JSON')
    .addHelpText(
      'after',
      examples(['npx nodegen plan --env production', 'npx nodegen plan --env production --script > plan.sh', 'npx nodegen plan --all --json']),
    )
    .action(async (o: { env?: string; all?: boolean; outdir?: string; against?: string; script?: boolean; json?: boolean; set: string[]; image: string[] }) => {
      const { plan, formatPlan } = await import('./commands/plan.js');
      const result = await plan({ root: root(), env: o.env, all: o.all, outdir: o.outdir, against: o.against, script: o.script, set: o.set, image: o.image });
      if (o.json) json(result);
      else io.out(o.script ? result.script!.trimEnd() : formatPlan(result));
    });

  program
    .command('list')
    .description('show each environment with its tier, exposure and nodes')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples(['npx nodegen list', 'npx nodegen list --json']))
    .action(async (o: { json?: boolean }) => {
      const { list, formatList } = await import('./commands/list.js');
      const envs = await list({ root: root() });
      if (o.json) json(envs);
      else io.out(formatList(envs));
    });

  program
    .command('outdated')
    .description("each geth and consensus client against its network's forks and the newest release nodegen knows; exit 1 when one lacks a fork")
    .addOption(new Option('-e, --env <name>', 'one environment (default: all)'))
    .option('-a, --all', 'every environment (the default)')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples(['npx nodegen outdated', 'npx nodegen outdated --env production --json']))
    .action(async (o: { env?: string; all?: boolean; json?: boolean }) => {
      const { outdated, formatOutdated } = await import('./commands/outdated.js');
      const rows = await outdated({ root: root(), env: o.env, all: o.all });
      if (o.json) json(rows);
      else io.out(formatOutdated(rows));
      const behind = rows.filter((r) => r.status === 'missing-fork' || r.status === 'unknown');
      if (behind.length > 0) throw new CheckFailedError(`${behind.length} client(s) lack a fork of their network or name no version: see policy/fork-readiness`);
    });

  program
    .command('init')
    .description('set up nodegen in this repository: environments/, cdk8s.yaml, a CI pipeline, package.json scripts (never overwrites)')
    .option('-e, --env <names>', 'the environments to write, comma-separated (default: nodetest,develop,qa,staging,production)')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples(['npx --no nodegen init', 'npx --no nodegen init --env qa,production']))
    .action(async (o: { env?: string; json?: boolean }) => {
      const { init, formatInit } = await import('./commands/init.js');
      const r = init({ dir: io.cwd, envs: o.env?.split(',').map((e) => e.trim()).filter((e) => e !== ''), version });
      if (o.json) json(r);
      else io.out(formatInit(r));
    });

  program
    .command('schema')
    .description('print the JSON Schema of environment files, or of chain profiles (editors use the committed copies)')
    .option('--profile', 'the schema of chain profile files (chains/<client>.yaml)')
    .addHelpText('after', examples(['npx nodegen schema > environments/environment.schema.json', 'npx nodegen schema --profile > chains/profile.schema.json']))
    .action(async (o: { profile?: boolean }) => {
      const { environmentJsonSchema, profileJsonSchema } = await import('./commands/schema.js');
      if (o.profile) {
        io.out(profileJsonSchema().replace(/\n$/, ''));
        return;
      }
      const { loadChainProfiles } = await import('../chains/profiles.js');
      io.out(environmentJsonSchema(loadChainProfiles(root())).replace(/\n$/, ''));
    });

  program
    .command('rpcauth')
    .description('make a random RPC password (shown once) and its rpcauth hash for bitcoind, monacoind and chain profiles')
    .argument('<user>', 'the RPC user name')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples(['npx nodegen rpcauth wallet-api']))
    .action(async (user: string, o: { json?: boolean }) => {
      const { rpcauth, formatRpcauth } = await import('./commands/rpcauth.js');
      const r = rpcauth({ user });
      if (o.json) json(r);
      else io.out(formatRpcauth(r));
    });

  return program;
}
