/**
 * policy/zmq-private: the ZeroMQ feed has no authentication, so no rendered object may make it
 * public, in any environment, while nodegen's own objects (ClusterIP `<node>-zmq`, namespace peers)
 * pass even in a sandbox whose RPC is public.
 */
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/cli/commands/validate.js';
import { manifestFindings, PROJECT } from './helpers.js';

describe('policy/zmq-private', () => {
  it('finds each way the fixture opens the feed: the LoadBalancer port, the ipBlock and the open rule', () => {
    const found = manifestFindings('policy-zmq-private/fail.yaml').filter((f) => f.rule === 'policy/zmq-private');
    expect(found.map((f) => `${f.object} ${f.path}`).sort()).toEqual([
      'NetworkPolicy/btc-zmq-open spec.ingress[0].from[0]',
      'NetworkPolicy/btc-zmq-open spec.ingress[1]',
      'Service/btc-public spec.ports[1]',
    ]);
    expect(found.every((f) => f.severity === 'error')).toBe(true);
    // The RPC port on the same LoadBalancer is another rule's business.
    expect(found.some((f) => f.path === 'spec.ports[0]')).toBe(false);
  });

  it('passes the sandbox whose bitcoind publishes ZeroMQ beside public RPC', async () => {
    const r = await validate({ root: PROJECT, env: 'sandbox' });
    expect(r.findings.filter((f) => f.rule === 'policy/zmq-private')).toEqual([]);
  });

  it('cannot be waived', async () => {
    const { RULES } = await import('../../src/validate/rules.js');
    expect(RULES.find((r) => r.id === 'policy/zmq-private')?.waivable).toBe(false);
  });
});
