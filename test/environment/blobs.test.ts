/**
 * `consensus.blobs` in environment files: a wrong mode is reported with its line, the storage
 * minimum follows the columns the mode keeps, and extraArgs cannot pick a mode behind its back.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { validate } from '../../src/cli/commands/validate.js';
import { copyProject, developProblems, writeDevelop } from '../helpers/project.js';

const project = copyProject();
afterAll(() => project.cleanup());

const findings = async (overlay: string, rule: string) => {
  writeDevelop(project.root, overlay);
  return (await validate({ root: project.root, env: 'develop' })).findings.filter((f) => f.rule === rule);
};

describe('consensus.blobs in an environment file', () => {
  it('refuses a mode the clients do not have, naming the file, key and line', () => {
    const problems = developProblems(project.root, 'nodes:\n  geth:\n    consensus:\n      blobs: full\n');
    const p = problems.find((x) => x.path === 'nodes.geth.consensus.blobs');
    expect(p, JSON.stringify(problems)).toBeDefined();
    expect(p!.message).toMatch(/none.*semi-supernode.*supernode/);
    expect(p!.file).toBe('environments/develop.yaml');
    expect(p!.line).toBe(9);
  });

  it.each([
    // hoodi: CONSENSUS_MIN_STORAGE 80Gi plus the columns kept at 14 blobs per block
    ['supernode', '500Gi', '540Gi'],
    ['semi-supernode', '300Gi', '310Gi'],
  ])('refuses a %s on %s, below its minimum of %s (policy/storage)', async (mode, size, min) => {
    const found = await findings(`nodes:\n  geth:\n    consensus:\n      blobs: ${mode}\n      storage: { size: ${size} }\n`, 'policy/storage');
    expect(found.map((f) => f.message)).toEqual([`lighthouse on hoodi gets ${size}, below the realistic minimum of ${min}`]);
    expect(found[0]!.fix).toContain(`nodes.geth.consensus.storage.size in environments/develop.yaml to at least ${min}`);
  });

  it('passes a supernode at its minimum, and a plain node at the old one', async () => {
    expect(await findings('nodes:\n  geth:\n    consensus:\n      blobs: supernode\n      storage: { size: 540Gi }\n', 'policy/storage')).toEqual([]);
    expect(await findings('nodes:\n  geth:\n    consensus:\n      blobs: none\n      storage: { size: 80Gi }\n', 'policy/storage')).toEqual([]);
  });

  it('holds a mode set through extraArgs to the same minimum, and refuses the flag there (policy/managed-flags)', async () => {
    const overlay = 'nodes:\n  geth:\n    consensus:\n      storage: { size: 150Gi }\n      extraArgs: ["--subscribe-all-data-column-subnets", "--semi-supernode"]\n';
    const storage = await findings(overlay, 'policy/storage');
    expect(storage.map((f) => f.message)).toEqual(['lighthouse on hoodi gets 150Gi, below the realistic minimum of 310Gi']);
    const managed = await findings(overlay, 'policy/managed-flags');
    expect(managed.map((f) => `${f.path}: ${f.message}`)).toEqual([
      'nodes.geth.consensus.extraArgs[0]: --subscribe-all-data-column-subnets sets what the environment key consensus.blobs controls',
      'nodes.geth.consensus.extraArgs[1]: --semi-supernode sets what the environment key consensus.blobs controls',
    ]);
  });
});
