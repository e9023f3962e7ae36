/**
 * Where chain profiles come from: nodegen's own (src/chains/profiles/*.yaml in its package) and
 * the project's (`chains/<client>.yaml`), each read with the environment files' guards and
 * validated by the one profile schema, every problem with its file and line.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, type Problem } from '../errors.js';
import { readEnvironmentFile } from '../environment/read-file.js';
import { fileSchemaProblems, locateInFile } from '../environment/schema-problems.js';
import { CHAINS_DIR } from '../environment/paths.js';
import { schemaParts } from '../environment/schema.js';
import { profileSchema, resolveProfile, type ProfileSpec, type UtxoProfile } from './profile.js';
import { BUILT_IN_PROFILES } from './profiles/built-in.js';

/** The profiles a project's nodes may name, by client. */
export type ChainProfiles = ReadonlyMap<string, UtxoProfile>;

/** nodegen's own profiles, in its package: the YAML they are generated from. */
export const BUILT_IN_PROFILES_DIR = 'src/chains/profiles';

let builtIns: ChainProfiles | undefined;

/**
 * bitcoind and monacoind. Their source is src/chains/profiles/*.yaml, in the format of a
 * project's profiles; what runs is that YAML as the profile schema validated it, generated into
 * ./profiles/built-in.ts (`npm test` fails when the two differ), so no run parses it again.
 */
export function builtInProfiles(): ChainProfiles {
  return (builtIns ??= new Map(BUILT_IN_PROFILES.map(({ file, spec }) => [spec.client, resolveProfile(spec, file, true)])));
}

/** One built-in profile. */
export function builtInProfile(client: 'bitcoind' | 'monacoind'): UtxoProfile {
  return builtInProfiles().get(client)!;
}

/** The text of ./profiles/built-in.ts for the validated built-in profile files. */
export function formatBuiltInProfilesModule(profiles: readonly ProfileFile[]): string {
  return [
    '/**',
    ` * Generated from ${BUILT_IN_PROFILES_DIR}/*.yaml as the profile schema validates them: edit the YAML, then`,
    ' * regenerate with `UPDATE_BUILT_IN_PROFILES=1 npx vitest run test/chains/profiles.test.ts`',
    ' * (`npm test` fails while this file and the YAML differ).',
    ' */',
    "import type { ProfileSpec } from '../profile.js';",
    '',
    `export const BUILT_IN_PROFILES: ReadonlyArray<{ readonly file: string; readonly spec: ProfileSpec }> = ${JSON.stringify(profiles, null, 2)};`,
    '',
  ].join('\n');
}

/** Profiles read, by project root, with the names, sizes and times of their files. */
const projects = new Map<string, { readonly stamp: string; readonly profiles: ChainProfiles }>();

/**
 * The built-in profiles and the project's `chains/*.yaml`.
 * @throws InputError with every problem of every profile file.
 */
export function loadChainProfiles(root: string): ChainProfiles {
  const dir = join(root, CHAINS_DIR);
  if (!existsSync(dir)) return builtInProfiles();
  const stamp = readdirSync(dir).sort().map((f) => {
    const s = statSync(join(dir, f), { throwIfNoEntry: false });
    return `${f}:${s?.size}:${s?.mtimeMs}`;
  }).join('\n');
  const known = projects.get(root);
  if (known?.stamp === stamp) return known.profiles;
  const profiles = new Map(builtInProfiles());
  for (const { file, spec } of readProfileFiles(root, CHAINS_DIR, builtInProfiles())) profiles.set(spec.client, resolveProfile(spec, file, false));
  projects.set(root, { stamp, profiles });
  return profiles;
}

/** A profile file, validated: its path (relative to its root) and its value. */
export interface ProfileFile {
  readonly file: string;
  readonly spec: ProfileSpec;
}

/**
 * Reads and validates every profile of `folder` (relative to `root`), beside the profiles of
 * `base`, whose names and daemons they may not take.
 * @throws InputError with every problem of every file.
 */
export function readProfileFiles(root: string, folder: string, base: ChainProfiles): ProfileFile[] {
  const problems: Problem[] = [];
  const out: ProfileFile[] = [];
  const taken = new Map<string, { readonly client: string; readonly daemon: string; readonly file: string }>([...base.values()].map((p) => [p.client, p]));
  const dir = join(root, folder);
  if (!statSync(dir).isDirectory()) throw new InputError(`${folder} is not a folder: chain profiles are files ${folder}/<client>.yaml`);
  const names = readdirSync(dir).sort();
  for (const f of names.filter((n) => /\.ya?ml$/i.test(n) && !n.endsWith('.yaml'))) {
    problems.push({ file: join(folder, f), message: `rename it to ${f.replace(/\.ya?ml$/i, '.yaml')}: nodegen reads only .yaml files, so it would be ignored` });
  }
  const { dnsLabel, quantity, image, resourcesSchema } = schemaParts();
  const schema = profileSchema({ dnsLabel, quantity, image, resources: resourcesSchema });
  for (const f of names.filter((n) => n.endsWith('.yaml'))) {
    const rel = join(folder, f);
    const read = readEnvironmentFile(root, join(root, rel), problems);
    if (!read) continue;
    const result = fileSchemaProblems(schema, read);
    if ('problems' in result) {
      problems.push(...result.problems);
      continue;
    }
    const p = result.value;
    const name = f.slice(0, -'.yaml'.length);
    const sameDaemon = [...taken.values()].find((o) => o.daemon === p.daemon);
    if (p.client !== name) {
      problems.push({ ...locateInFile(read, ['client']), message: `"${p.client}" must be the file's name, "${name}": nodes name a profile by its file` });
    } else if (taken.has(name)) {
      problems.push({ ...locateInFile(read, ['client']), message: `"${name}" is nodegen's own profile (${taken.get(name)!.file}); a project cannot replace it: a node sets its own image, version and sizes` });
    } else if (sameDaemon) {
      // Validation tells clients apart by the program their containers run.
      problems.push({ ...locateInFile(read, ['daemon']), message: `"${p.daemon}" is already the daemon of profile "${sameDaemon.client}" (${sameDaemon.file}): each profile runs its own program` });
    } else {
      taken.set(name, { client: name, daemon: p.daemon, file: rel });
      out.push({ file: rel, spec: p });
    }
  }
  if (problems.length > 0) throw new InputError(`chain profiles in ${folder}/ are invalid`, problems);
  return out;
}
