/**
 * "validate on the shipped environments reports every placeholder it writes": every image in
 * the committed dist/ that names a placeholder registry is a finding of policy/image-placeholder,
 * and nothing else is; on the mainnet tier none is written at all.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/cli/commands/validate.js';
import { placeholderReason } from '../../src/validate/policy-rules.js';
import { loadEnvironment } from '../../src/environment/load.js';
import { REPO } from '../helpers/project.js';

/** `<env> <file> <kind>/<name> <container> <image>` for every container image in dist/<env>. */
function imagesIn(env: string): { where: string; image: string }[] {
  const out: { where: string; image: string }[] = [];
  for (const file of readdirSync(join(REPO, 'dist', env)).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const o of parseAllDocuments(readFileSync(join(REPO, 'dist', env, file), 'utf8')).map((d) => d.toJS())) {
      const spec = o?.spec?.template?.spec ?? o?.spec?.jobTemplate?.spec?.template?.spec;
      for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
        out.push({ where: `dist/${env}/${file} ${o.kind}/${o.metadata.name} ${c.name}`, image: c.image });
      }
    }
  }
  return out;
}

describe('the shipped environments', () => {
  it('report every placeholder image they write, once, and nothing else', async () => {
    const r = await validate({ root: REPO, all: true });
    const envs = readdirSync(join(REPO, 'dist'));
    const written = envs.flatMap((env) => imagesIn(env).filter((i) => placeholderReason(i.image)).map((i) => `${i.where.split(' ').slice(0, 2).join(' ')} ${i.image}`));
    const reported = r.findings
      .filter((f) => f.rule === 'policy/image-placeholder')
      .map((f) => `${f.file} ${f.object} ${/image "([^"]+)"/.exec(f.message)![1]}`);
    expect(written.length).toBeGreaterThan(0);
    expect(reported.sort()).toEqual(written.sort());
    expect(r.ok).toBe(true);
  });

  it('write no placeholder on the mainnet tier, where it would be an error', () => {
    for (const env of readdirSync(join(REPO, 'dist'))) {
      if (loadEnvironment(env, { root: REPO }).spec.tier !== 'mainnet') continue;
      expect(imagesIn(env).filter((i) => placeholderReason(i.image))).toEqual([]);
    }
  });
});
