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
import { dnsLabel, image, quantity, resourcesSchema } from '../environment/schema.js';
import { packageRoot } from '../project.js';
import { profileSchema, resolveProfile, type UtxoProfile } from './profile.js';

/** The profiles a project's nodes may name, by client. */
export type ChainProfiles = ReadonlyMap<string, UtxoProfile>;

/** nodegen's own profiles, in its package. */
export const BUILT_IN_PROFILES_DIR = 'src/chains/profiles';

let builtIns: ChainProfiles | undefined;

/** bitcoind and monacoind, read once. */
export function builtInProfiles(): ChainProfiles {
  return (builtIns ??= readProfiles(packageRoot(), BUILT_IN_PROFILES_DIR, true, new Map()));
}

/** One built-in profile. */
export function builtInProfile(client: 'bitcoind' | 'monacoind'): UtxoProfile {
  return builtInProfiles().get(client)!;
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
  const profiles = readProfiles(root, CHAINS_DIR, false, builtInProfiles());
  projects.set(root, { stamp, profiles });
  return profiles;
}

function readProfiles(root: string, folder: string, builtIn: boolean, base: ChainProfiles): ChainProfiles {
  const problems: Problem[] = [];
  const out = new Map(base);
  const dir = join(root, folder);
  if (!statSync(dir).isDirectory()) throw new InputError(`${folder} is not a folder: chain profiles are files ${folder}/<client>.yaml`);
  const names = readdirSync(dir).sort();
  for (const f of names.filter((n) => /\.ya?ml$/i.test(n) && !n.endsWith('.yaml'))) {
    problems.push({ file: join(folder, f), message: `rename it to ${f.replace(/\.ya?ml$/i, '.yaml')}: nodegen reads only .yaml files, so it would be ignored` });
  }
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
    const sameDaemon = [...out.values()].find((o) => o.daemon === p.daemon);
    if (p.client !== name) {
      problems.push({ ...locateInFile(read, ['client']), message: `"${p.client}" must be the file's name, "${name}": nodes name a profile by its file` });
    } else if (out.has(name)) {
      problems.push({ ...locateInFile(read, ['client']), message: `"${name}" is nodegen's own profile (${out.get(name)!.file}); a project cannot replace it: a node sets its own image, version and sizes` });
    } else if (sameDaemon) {
      // Validation tells clients apart by the program their containers run.
      problems.push({ ...locateInFile(read, ['daemon']), message: `"${p.daemon}" is already the daemon of profile "${sameDaemon.client}" (${sameDaemon.file}): each profile runs its own program` });
    } else {
      out.set(name, resolveProfile(p, rel, builtIn));
    }
  }
  if (problems.length > 0) throw new InputError(`chain profiles in ${folder}/ are invalid`, problems);
  return out;
}
