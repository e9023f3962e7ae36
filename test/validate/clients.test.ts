/**
 * Reading back what a rendered container runs: flags, network and data directory, the way each
 * client itself would read them.
 */
import { describe, expect, it } from 'vitest';
import { clientOf, networkOf, parseFlags } from '../../src/validate/clients.js';
import { podTemplateOf, type ContainerView } from '../../src/validate/objects.js';
import type { Lookup, ObjectEntry } from '../../src/validate/rule.js';

function container(c: Record<string, unknown>): ContainerView {
  return { c, path: 'x', init: false, name: c['name'] as string, image: c['image'] as string, command: (c['command'] as string[]) ?? [], args: (c['args'] as string[]) ?? [] };
}

function statefulSet(containers: unknown[], volumes: unknown[] = []): ObjectEntry {
  const object = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'n', namespace: 'ns' }, spec: { template: { spec: { containers, volumes } } } };
  return { object, file: 'f', kind: 'StatefulSet', apiVersion: 'apps/v1', name: 'n', namespace: 'ns', ref: 'StatefulSet/n' };
}

/** A lookup over a few objects. */
function lookup(...objects: ObjectEntry[]): Lookup {
  return (kind, namespace, name) => objects.find((o) => o.kind === kind && o.namespace === namespace && o.name === name);
}

describe('flags', () => {
  it('read --name=value, --name value and bare flags', () => {
    expect(parseFlags(['--http', '--http.api', 'eth,debug', '--ws.api=eth', '-conf=/c'])).toEqual([
      { name: 'http', value: undefined, index: 0 },
      { name: 'http.api', value: 'eth,debug', index: 1 },
      { name: 'ws.api', value: 'eth', index: 3 },
      { name: 'conf', value: '/c', index: 4 },
    ]);
  });
});

describe('clients', () => {
  it('are known by their command, or by their image when the image entrypoint runs them', () => {
    expect(clientOf(container({ name: 'x', command: ['geth'] }))).toBe('geth');
    expect(clientOf(container({ name: 'prysm', image: 'gcr.io/prysmaticlabs/prysm/beacon-chain:v7.1.8' }))).toBe('prysm');
    expect(clientOf(container({ name: 'jwt-secret', image: 'ethereum/client-go:v1.17.5', command: ['sh', '-c', 'x'] }))).toBeUndefined();
  });
});

describe('networks', () => {
  it("default to each client's mainnet when nothing selects one", () => {
    const e = statefulSet([{ name: 'geth', command: ['geth'], args: ['--datadir=/data'] }]);
    const t = podTemplateOf(e)!;
    expect(networkOf(t, t.containers[0]!, lookup(e))).toEqual({ network: 'mainnet', mainnet: true, source: 'default' });
  });

  it('take the last network flag geth is given', () => {
    const e = statefulSet([{ name: 'geth', command: ['geth'], args: ['--hoodi', '--mainnet'] }]);
    const t = podTemplateOf(e)!;
    expect(networkOf(t, t.containers[0]!, lookup(e))?.network).toBe('mainnet');
  });

  it("read bitcoind's network from the conf file mounted from the ConfigMap, the command line winning", () => {
    const conf = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'ns' }, data: { 'bitcoin.conf': 'chain=testnet4\nserver=1\n[testnet4]\nport=48333\n' } };
    const cm: ObjectEntry = { object: conf, file: 'f', kind: 'ConfigMap', apiVersion: 'v1', name: 'cfg', namespace: 'ns', ref: 'ConfigMap/cfg' };
    const mounts = [{ name: 'config', mountPath: '/nodegen/config' }];
    const volumes = [{ name: 'config', configMap: { name: 'cfg' } }];
    const e = statefulSet([{ name: 'bitcoind', command: ['bitcoind'], args: ['-conf=/nodegen/config/bitcoin.conf'], volumeMounts: mounts }], volumes);
    const t = podTemplateOf(e)!;
    expect(networkOf(t, t.containers[0]!, lookup(e, cm))).toEqual({ network: 'testnet4', mainnet: false, source: 'bitcoin.conf' });
    const e2 = statefulSet([{ name: 'bitcoind', command: ['bitcoind'], args: ['-conf=/nodegen/config/bitcoin.conf', '-chain=main'], volumeMounts: mounts }], volumes);
    const t2 = podTemplateOf(e2)!;
    expect(networkOf(t2, t2.containers[0]!, lookup(e2, cm))).toEqual({ network: 'main', mainnet: true, source: 'args' });
  });
});
