/**
 * Helpers for the operations tests: build a fleet from an environment written inline, find objects
 * in it, and validate custom resources against the vendored CRD JSON schemas
 * (src/validate/schemas/crds.json, generated from datreeio/CRDs-catalog, MIT).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { buildFleet } from '../../charts/fleet.js';
import { environmentSchemaFor } from '../../src/environment/schema.js';
import { builtInProfiles } from '../../src/chains/profiles.js';

const environmentSchema = environmentSchemaFor(builtInProfiles());
import { REPO } from '../helpers/project.js';

export interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  rules?: any;
  roleRef?: any;
  subjects?: any;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** The smallest valid environment: one node of each client, testnet, private. */
export function baseEnvironment(): Record<string, any> {
  return {
    namespace: 'chains-test',
    tier: 'testnet',
    clusterCidrs: ['10.0.0.0/8'],
    storage: { storageClass: 'premium-rwo' },
    rpcClients: { namespaces: ['wallet-api'] },
    nodes: {
      geth: { client: 'geth' },
      // Each exporter logs in as its own user (a salted hash; no password is known here).
      bitcoind: { client: 'bitcoind', exporterRpcauth: `exporter:${'0'.repeat(32)}$${'1'.repeat(64)}` },
      monacoind: { client: 'monacoind', image: 'registry.internal/monacoind:0.20.4', exporterRpcauth: `exporter:${'2'.repeat(32)}$${'3'.repeat(64)}` },
    },
  };
}

/** Builds the fleet of an inline environment; returns its files (in Kustomization order) and objects. */
export function fleetOf(env: Record<string, any>, name = 'test'): { files: string[]; objects: Obj[]; byFile: Record<string, Obj[]> } {
  const fleet = buildFleet(name, environmentSchema.parse(env));
  const byFile: Record<string, Obj[]> = {};
  for (const c of fleet.charts) byFile[c.file] = c.chart.toJson() as Obj[];
  return { files: fleet.charts.map((c) => c.file), objects: Object.values(byFile).flat(), byFile };
}

export function find(objects: readonly Obj[], kind: string, name: string): Obj {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} in ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
}

export function kinds(objects: readonly Obj[], kind: string): Obj[] {
  return objects.filter((o) => o.kind === kind);
}

interface Bundle {
  readonly kinds: Record<string, object>;
  readonly definitions?: Record<string, object>;
}

let ajv: Ajv | undefined;
let crds: Bundle | undefined;
const compiled = new Map<string, ValidateFunction>();

/**
 * CRD schemas carry Go regular expressions; the one Go-only construct among the kinds nodegen
 * writes is a leading `(?i)` (PrometheusRule's partial_response_strategy), which JavaScript spells
 * as the `i` flag.
 */
function goRegExp(pattern: string, flags: string): RegExp {
  return pattern.startsWith('(?i)') ? new RegExp(pattern.slice(4), `${flags}i`) : new RegExp(pattern, flags);
}
// ajv names the engine in generated code; it is only used in process here.
goRegExp.code = 'goRegExp';

/** Validates a custom resource against its CRD's JSON schema; returns readable errors (empty: valid). */
export function crdErrors(o: Obj): string[] {
  if (!ajv || !crds) {
    const dir = join(REPO, 'src', 'validate', 'schemas');
    crds = JSON.parse(readFileSync(join(dir, 'crds.json'), 'utf8')) as Bundle;
    const kubernetes = JSON.parse(readFileSync(join(dir, 'kubernetes.json'), 'utf8')) as Bundle;
    ajv = new Ajv({ allErrors: true, strict: false, code: { regExp: goRegExp } });
    for (const f of ['int32', 'int64', 'double', 'float', 'byte', 'date-time', 'quantity']) ajv.addFormat(f, true);
    ajv.addSchema({ definitions: kubernetes.definitions }, 'kubernetes.json');
  }
  const key = `${o.apiVersion}/${o.kind}`;
  let fn = compiled.get(key);
  if (!fn) {
    const schema = crds.kinds[key];
    if (!schema) throw new Error(`no vendored CRD schema for ${key}`);
    fn = ajv.compile(schema);
    compiled.set(key, fn);
  }
  return fn(o) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
