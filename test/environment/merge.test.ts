import { describe, expect, it } from 'vitest';
import { mergeAll, mergeValues } from '../../src/environment/merge.js';

describe('the merge rule', () => {
  it('lets later scalars win', () => {
    expect(mergeValues({ tier: 'testnet' }, { tier: 'mainnet' })).toEqual({ tier: 'mainnet' });
  });

  it('merges maps key by key, recursively', () => {
    const base = { nodes: { geth: { replicas: 1, storage: { size: '300Gi', storageClass: 'ssd' } } } };
    const overlay = { nodes: { geth: { storage: { size: '2Ti' } } } };
    expect(mergeValues(base, overlay)).toEqual({ nodes: { geth: { replicas: 1, storage: { size: '2Ti', storageClass: 'ssd' } } } });
  });

  it('replaces lists instead of concatenating them', () => {
    expect(mergeValues({ extraArgs: ['--a', '--b'] }, { extraArgs: ['--c'] })).toEqual({ extraArgs: ['--c'] });
  });

  it('removes a key when the overlay sets it to null', () => {
    expect(mergeValues({ nodes: { geth: {}, btc: {} } }, { nodes: { btc: null } })).toEqual({ nodes: { geth: {} } });
  });

  it('lets a scalar replace a map and a map replace a scalar', () => {
    expect(mergeValues({ a: { b: 1 } }, { a: 2 })).toEqual({ a: 2 });
    expect(mergeValues({ a: 2 }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });

  it('does not modify its inputs', () => {
    const base = { nodes: { geth: { replicas: 1 } } };
    const overlay = { nodes: { geth: { replicas: 2 } } };
    mergeAll([base, overlay]);
    expect(base.nodes.geth.replicas).toBe(1);
    expect(overlay.nodes.geth.replicas).toBe(2);
  });

  it('applies files in order, the last one winning', () => {
    expect(mergeAll([{ a: 1, b: 1 }, { a: 2 }, { a: 3, c: 3 }])).toEqual({ a: 3, b: 1, c: 3 });
  });
});
