import { describe, expect, it } from 'vitest';
import { isPrivateCidr } from '../../src/validate/policy-rules.js';

describe('isPrivateCidr', () => {
  it('accepts ranges inside RFC 1918, RFC 6598 and IPv6 unique local addresses', () => {
    for (const c of ['10.0.0.0/8', '10.4.0.0/14', '172.16.0.0/12', '172.31.255.0/24', '192.168.0.0/16', '100.64.0.0/10', 'fd00:10::/64', 'fc00::/7']) expect(isPrivateCidr(c), c).toBe(true);
  });
  it('refuses ranges that reach outside them, however little', () => {
    for (const c of ['0.0.0.0/0', '10.0.0.0/7', '172.0.0.0/8', '172.32.0.0/12', '192.168.0.0/15', '203.0.113.0/24', '100.128.0.0/10', '::/0', '2001:db8::/32', 'fc00::/6']) expect(isPrivateCidr(c), c).toBe(false);
  });
});
