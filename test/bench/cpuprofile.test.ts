import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// The benchmark's profile reader (plain ESM, run by `npm run bench`).
import { PHASES, UNBUNDLED_LOAD_LABEL, codeBucket, summariseCpuProfiles } from './cpuprofile.mjs';

const root = mkdtempSync(join(tmpdir(), 'nodegen-cpuprofile-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const project = join(root, 'project');
const url = (path: string) => pathToFileURL(join(project, path)).href;
const chunk = url('lib/cli/synth-x.js');

// A bundled chunk whose source map sends line 0 to cdk8s, line 1 to src/synth/render.ts and
// line 2 to charts/fleet.ts (VLQ: each line starts a segment at column 0 of the next source).
mkdirSync(join(project, 'lib', 'cli'), { recursive: true });
writeFileSync(join(project, 'lib', 'cli', 'synth-x.js'), 'a\nb\nc\n');
writeFileSync(
  join(project, 'lib', 'cli', 'synth-x.js.map'),
  JSON.stringify({
    version: 3,
    file: 'synth-x.js',
    sources: ['../../node_modules/cdk8s/lib/chart.js', '../../src/synth/render.ts', '../../charts/fleet.ts'],
    names: [],
    mappings: 'AAAA;ACAA;ACAA',
  }),
);

type Frame = { id: number; functionName: string; url?: string; lineNumber?: number; columnNumber?: number; children?: number[] };
const frames: Frame[] = [
  { id: 1, functionName: '(root)', children: [2, 3, 20, 30] },
  { id: 2, functionName: '(program)' },
  { id: 3, functionName: '', url: 'node:internal/main/run_main_module', children: [4] },
  { id: 4, functionName: 'executeUserEntryPoint', url: 'node:internal/modules/run_main', children: [5] },
  { id: 5, functionName: 'Module._load', url: 'node:internal/modules/cjs/loader', children: [6] },
  { id: 6, functionName: '', url: url('bin/nodegen.js'), children: [7, 8] },
  { id: 7, functionName: 'ensureFresh', url: url('bin/build.js') },
  { id: 8, functionName: 'require', url: 'node:internal/modules/helpers', children: [9] },
  { id: 9, functionName: 'Module._load', url: 'node:internal/modules/cjs/loader', children: [10] },
  { id: 10, functionName: 'compileWithCache', url: url('bin/compile-cache.js'), children: [11] },
  { id: 11, functionName: '', url: chunk, lineNumber: 0 },
  { id: 20, functionName: 'processTicksAndRejections', url: 'node:internal/process/task_queues', children: [21] },
  { id: 21, functionName: 'synth', url: chunk, lineNumber: 1, children: [22, 27] },
  { id: 22, functionName: 'renderChecked', url: chunk, lineNumber: 1, children: [23, 26] },
  { id: 23, functionName: 'renderSelected', url: chunk, lineNumber: 1, children: [24, 25] },
  { id: 24, functionName: 'loadEnvironment', url: url('lib/cli/load-y.js'), lineNumber: 0 },
  { id: 25, functionName: 'renderEnvironment', url: chunk, lineNumber: 1, children: [28] },
  { id: 28, functionName: 'buildFleet', url: chunk, lineNumber: 2 },
  { id: 26, functionName: 'validateRendered', url: chunk, lineNumber: 1 },
  { id: 27, functionName: 'writeFolderAtomically', url: chunk, lineNumber: 1 },
  { id: 30, functionName: '(garbage collector)' },
];
const startTime = 1_000_000;

/** Writes a .cpuprofile of `frames` with one sample a millisecond, after 0.5 ms without one. */
function writeProfile(name: string, nodes: Frame[], samples: number[]): { file: string; endTime: number } {
  const file = join(root, `${name}.cpuprofile`);
  const endTime = startTime + 500 + 1000 * samples.length;
  writeFileSync(
    file,
    JSON.stringify({
      nodes: nodes.map((f) => ({
        id: f.id,
        callFrame: { functionName: f.functionName, scriptId: '0', url: f.url ?? '', lineNumber: f.lineNumber ?? -1, columnNumber: f.columnNumber ?? 0 },
        hitCount: 0,
        children: f.children,
      })),
      startTime,
      endTime,
      samples,
      timeDeltas: samples.map((_, i) => (i === 0 ? 500 : 1000)),
    }),
  );
  return { file, endTime };
}

const { file: profileFile, endTime } = writeProfile('run', frames, [2, 4, 7, 11, 10, 6, 24, 24, 25, 28, 28, 28, 26, 27, 30, 2]);
// Measured from outside: spawned 40 ms before profiling began, exited 5 ms after it stopped.
const run = { file: profileFile, spawnStartUs: startTime - 40_000, spawnEndUs: endTime + 5_000 };

function phaseMs(summary: ReturnType<typeof summariseCpuProfiles>): Record<string, number> {
  return Object.fromEntries(summary.phases.map((p: { id: string; ms: number }) => [p.id, p.ms]));
}

describe('the CPU profile summary of the benchmark', () => {
  it('gives each sample to the innermost phase function on its stack, and the time outside the profile to start-up and exit', () => {
    const summary = summariseCpuProfiles([run]);
    expect(phaseMs(summary)).toEqual({
      startup: 42.5, // 40 ms before profiling, 0.5 ms before the first sample, 2 samples before the launcher runs
      launcher: 1,
      load: 2, // the code-cache hook and the module body it runs; the main script's own load does not count
      env: 2,
      build: 3, // inside renderEnvironment: the innermost phase wins
      render: 1,
      gate: 1, // renderChecked's own work once renderSelected returned
      write: 1,
      gc: 1,
      other: 2, // the launcher's own line and a (program) sample after start-up
      exit: 5,
    });
    expect(summary.wallMs).toBe(61.5);
    const shares = summary.phases.reduce((sum: number, p: { share: number }) => sum + p.share, 0);
    expect(shares).toBeCloseTo(100, 0);
  });

  it('lists every phase once, in the order of PHASES, with the labels the README quotes', () => {
    const summary = summariseCpuProfiles([run]);
    expect(summary.phases.map((p: { label: string }) => p.label)).toEqual(PHASES.map((p: { label: string }) => p.label));
    expect(summary.phases.map((p: { label: string }) => p.label)).toContain('module load (code cache)');
    const unbundled = summariseCpuProfiles([run], { bundled: false });
    expect(unbundled.phases.find((p: { id: string }) => p.id === 'load').label).toBe(UNBUNDLED_LOAD_LABEL);
  });

  it('averages several runs of the same command', () => {
    expect(phaseMs(summariseCpuProfiles([run, run]))).toEqual(phaseMs(summariseCpuProfiles([run])));
  });

  it('maps frames of a bundled chunk through its source map to the package or folder they came from', () => {
    const buckets = Object.fromEntries(summariseCpuProfiles([run]).buckets.map((b: { name: string; ms: number }) => [b.name, b.ms]));
    expect(buckets['pkg: cdk8s']).toBe(1);
    expect(buckets['nodegen: charts/']).toBe(3);
    expect(buckets['nodegen: src/synth']).toBe(3);
    expect(buckets['nodegen: bundled CLI (no source map)']).toBe(2);
    expect(buckets['module loader: code-cache hook (bin/compile-cache.js)']).toBe(1);
    const top = summariseCpuProfiles([run]).top.map((f: { fn: string }) => f.fn);
    expect(top).toContain('buildFleet charts/fleet.ts:1');
  });

  it('reads positions on the first line of a chunk compiled through the code-cache wrapper past the wrapper', () => {
    // compile-cache.js puts 62 characters of function wrapper before the chunk's first line.
    writeFileSync(join(project, 'lib', 'cli', 'one-line.js'), 'x\n');
    writeFileSync(
      join(project, 'lib', 'cli', 'one-line.js.map'),
      JSON.stringify({ version: 3, sources: ['../../node_modules/yaml/dist/index.js'], names: [], mappings: 'AAAA' }),
    );
    const oneLine = url('lib/cli/one-line.js');
    const { file } = writeProfile(
      'wrapped',
      [
        { id: 1, functionName: '(root)', children: [2] },
        { id: 2, functionName: '', url: oneLine, lineNumber: 0, columnNumber: 10, children: [3] },
        { id: 3, functionName: 'parse', url: oneLine, lineNumber: 0, columnNumber: 62 },
      ],
      [2, 3, 3],
    );
    const buckets = Object.fromEntries(summariseCpuProfiles([{ file }]).buckets.map((b: { name: string; ms: number }) => [b.name, b.ms]));
    expect(buckets).toEqual({ 'nodegen: bundled chunks, top-level code': 1, 'pkg: yaml': 2 });
  });

  it('names the package of a file, including scoped packages and the yaml copy inside cdk8s', () => {
    expect(codeBucket('/p/node_modules/@scope/pkg/index.js')).toBe('pkg: @scope/pkg');
    expect(codeBucket('/p/node_modules/cdk8s/node_modules/yaml/dist/index.js')).toBe('pkg: yaml (bundled in cdk8s)');
    expect(codeBucket('/p/node_modules/cdk8s-plus-27/lib/imports/k8s.js')).toBe('pkg: cdk8s-plus-27 imports/k8s');
    expect(codeBucket('/p/lib/src/validate/gate.js')).toBe('nodegen: src/validate');
    expect(codeBucket('/p/src/validate/schemas/validators.js')).toBe('nodegen: precompiled schema validators');
    expect(codeBucket('/p/src/validate/schemas/validators.kubernetes.js')).toBe('nodegen: precompiled schema validators');
  });
});
