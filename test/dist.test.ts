/**
 * The committed dist/ is what reviewers read and pipelines apply: it must be current, and every
 * object in it must carry the properties that matter.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { synth } from '../src/cli/commands/synth.js';
import { listEnvironmentNames } from '../src/environment/load.js';
import { REPO } from './helpers/project.js';
import { readFolder } from '../src/synth/write.js';

const ENVIRONMENTS = ['develop', 'nodetest', 'production', 'qa', 'staging'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
}

function objectsOf(env: string): { file: string; obj: Obj }[] {
  const dir = join(REPO, 'dist', env);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => ({ file, obj: d.toJS() as Obj })));
}

describe('the committed dist/', () => {
  it('holds the five environments', () => {
    expect(listEnvironmentNames(REPO)).toEqual(ENVIRONMENTS);
    expect(readdirSync(join(REPO, 'dist')).sort()).toEqual(ENVIRONMENTS);
  });

  it('equals a fresh synth of all five environments', async () => {
    const result = await synth({ root: REPO, all: true, check: true });
    expect(result.outOfDate).toEqual([]);
  });

  describe.each(ENVIRONMENTS)('%s', (env) => {
    const objects = objectsOf(env);

    it('puts the Namespace first, so one `kubectl apply -f` works', () => {
      expect(objects[0]!.file).toBe('00-namespace.yaml');
      expect(objects[0]!.obj.kind).toBe('Namespace');
      const ns = objects[0]!.obj.metadata.name;
      for (const { obj } of objects.slice(1)) expect(obj.metadata.namespace).toBe(ns);
    });

    it('lists every file in its Kustomization', () => {
      const k = parseAllDocuments(readFileSync(join(REPO, 'dist', env, 'Kustomization'), 'utf8'))[0]!.toJS();
      expect(k.kind).toBe('Kustomization');
      expect(k.resources).toEqual(readdirSync(join(REPO, 'dist', env)).filter((f) => f.endsWith('.yaml')).sort());
    });

    it('labels every object with the standard labels and the environment', () => {
      for (const { obj } of objects) {
        const labels = obj.metadata.labels ?? {};
        for (const key of ['name', 'instance', 'component', 'part-of']) expect(labels[`app.kubernetes.io/${key}`], `${obj.kind}/${obj.metadata.name} ${key}`).toBeTruthy();
        expect(labels['app.kubernetes.io/managed-by']).toBe('nodegen');
        expect(labels['nodegen.dev/environment']).toBe(env);
      }
    });

    it('names objects with stable DNS-1123 labels and no hash suffixes', () => {
      const seen = new Set<string>();
      for (const { obj } of objects) {
        expect(obj.metadata.name).toMatch(DNS_LABEL);
        expect(obj.metadata.name).not.toMatch(/-[0-9a-f]{8}$/);
        const key = `${obj.kind}/${obj.metadata.name}`;
        expect(seen.has(key), key).toBe(false);
        seen.add(key);
      }
    });

    it('runs one StatefulSet per node, each with a governing headless Service that exists', () => {
      const services = new Set(objects.filter((o) => o.obj.kind === 'Service').map((o) => o.obj.metadata.name));
      const sets = objects.filter((o) => o.obj.kind === 'StatefulSet').map((o) => o.obj);
      // The mainnet tier leaves monacoind out until a real image replaces base.yaml's placeholder.
      const mainnet = env === 'staging' || env === 'production';
      // nodetest's bitcoind has an Electrum indexer, a StatefulSet of its own.
      const indexer = env === 'nodetest' ? ['bitcoind-indexer'] : [];
      // nodetest also tries Litecoin, a node of the project's chain profile chains/litecoind.yaml,
      // and runs the shipped custom node (README "Custom nodes").
      const trying = env === 'nodetest' ? ['litecoind', 'zebra'] : [];
      expect(sets.map((s) => s.metadata.name).sort()).toEqual(mainnet ? ['bitcoind', 'geth'] : ['bitcoind', ...indexer, 'geth', ...trying, 'monacoind'].sort());
      for (const s of sets) {
        expect(services.has(s.spec.serviceName)).toBe(true);
        expect(s.spec.template.metadata.labels).toMatchObject(s.spec.selector.matchLabels);
      }
    });

    it('keeps port names within 15 characters and unique per container', () => {
      for (const { obj } of objects.filter((o) => o.obj.kind === 'StatefulSet')) {
        for (const c of obj.spec.template.spec.containers) {
          const names = (c.ports ?? []).map((p: { name: string }) => p.name);
          for (const n of names) expect(n.length).toBeLessThanOrEqual(15);
          expect(new Set(names).size).toBe(names.length);
        }
      }
    });

    it('contains no Secret and no password', () => {
      for (const { obj } of objects) expect(obj.kind).not.toBe('Secret');
      const text = [...readFolder(join(REPO, 'dist', env)).values()].join('\n');
      expect(text).not.toMatch(/rpcpassword|PRIVATE KEY/);
    });
  });
});
