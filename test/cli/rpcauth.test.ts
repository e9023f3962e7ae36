/**
 * `nodegen rpcauth` must produce exactly what Bitcoin Core's share/rpcauth/rpcauth.py produces,
 * or bitcoind/monacoind reject the password. The expected values below were computed with Python's
 * hmac module, the way rpcauth.py does it (salt = token_hex(16), used as UTF-8 text for the key):
 *
 *   python3 -c "import hmac; print(hmac.new(b'cb77f0957de88ff388cf817ddbc7273e', b'secret-password', 'sha256').hexdigest())"
 *   python3 -c "import hmac; print(hmac.new(bytearray('00112233445566778899aabbccddeeff','utf-8'), bytearray('pässwörd \$:=+/','utf-8'), 'SHA256').hexdigest())"
 */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatRpcauth, passwordToHmac, rpcauth } from '../../src/cli/commands/rpcauth.js';
import { run } from '../../src/cli/run.js';
import type { Io } from '../../src/cli/program.js';
import { UsageError } from '../../src/errors.js';
import { RPCAUTH_PATTERN } from '../../src/constructs/utxo-node.js';

/** Known answers from Python's hmac module (see the one-liners above). */
const VECTORS = [
  {
    salt: 'cb77f0957de88ff388cf817ddbc7273e',
    password: 'secret-password',
    hmac: '4f2dea5d4e79d6781f2f7f9db44eedd74626f8619981e0469853268989774162',
  },
  {
    // Non-ASCII and shell/conf-special characters: both sides must be hashed as UTF-8.
    salt: '00112233445566778899aabbccddeeff',
    password: 'pässwörd $:=+/',
    hmac: '091c871acadbbb1e38c80ac8f435d8f85ee2cca333e5ed4967195f26ddc40074',
  },
] as const;

const LINE = /^([A-Za-z0-9_.-]+):([0-9a-f]{32})\$([0-9a-f]{64})$/;

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  // The project root (the brief's /work/main, found from this file so a fresh clone works too).
  return { cwd: join(__dirname, '..', '..'), stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe('passwordToHmac', () => {
  it.each(VECTORS)('matches rpcauth.py for salt $salt', ({ salt, password, hmac }) => {
    expect(passwordToHmac(salt, password)).toBe(hmac);
  });
});

describe('rpcauth', () => {
  it.each(VECTORS)('reproduces the rpcauth.py line for a given salt and password ($salt)', ({ salt, password, hmac }) => {
    const r = rpcauth({ user: 'alice', salt, password });
    expect(r).toEqual({ user: 'alice', password, rpcauth: `alice:${salt}$${hmac}` });
  });

  it('makes a line of the form user:<32 hex>$<64 hex> that the node constructs accept', () => {
    const r = rpcauth({ user: 'wallet-api' });
    const m = LINE.exec(r.rpcauth);
    expect(m).not.toBeNull();
    expect(m![1]).toBe('wallet-api');
    expect(RPCAUTH_PATTERN.test(r.rpcauth)).toBe(true);
  });

  it('hashes the password it returns with the salt in the line', () => {
    const r = rpcauth({ user: 'alice' });
    const [, , salt, hmac] = LINE.exec(r.rpcauth)!;
    // Independent of passwordToHmac: the key is the salt's hex text, not its bytes.
    expect(createHmac('sha256', Buffer.from(salt!, 'utf8')).update(Buffer.from(r.password, 'utf8')).digest('hex')).toBe(hmac);
  });

  it('draws a new salt and a new password on every call', () => {
    const a = rpcauth({ user: 'alice' });
    const b = rpcauth({ user: 'alice' });
    expect(a.password).not.toBe(b.password);
    expect(LINE.exec(a.rpcauth)![2]).not.toBe(LINE.exec(b.rpcauth)![2]);
    expect(a.rpcauth).not.toBe(b.rpcauth);
  });

  it('makes passwords long enough and safe to paste into a conf file or a URL', () => {
    const { password } = rpcauth({ user: 'alice' });
    expect(password).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  });

  it.each(['ali:ce', ':alice', 'alice:', 'a b', ''])('rejects the user name %j with a UsageError', (user) => {
    expect(() => rpcauth({ user })).toThrow(UsageError);
  });

  it('names the colon problem in the error for a user with ":"', () => {
    expect(() => rpcauth({ user: 'ali:ce' })).toThrow(/":"/);
  });

  it('rejects a salt that is not 32 lowercase hex digits', () => {
    expect(() => rpcauth({ user: 'alice', salt: 'ABCDEF' })).toThrow(UsageError);
  });
});

describe('nodegen rpcauth', () => {
  it('prints the rpcauth line and the password exactly once, and exits 0', async () => {
    const io = capture();
    const code = await run(['rpcauth', 'alice'], io, '0.0.0');
    expect(code).toBe(0);
    expect(io.stderr).toEqual([]);
    const text = io.stdout.join('\n');
    const line = /"(alice:[0-9a-f]{32}\$[0-9a-f]{64})"/.exec(text);
    expect(line).not.toBeNull();
    const [, salt, hmac] = LINE.exec(line![1]!)!.slice(1);
    // The password is the last line; it is the one the hash was made from, and appears once.
    const password = text.trimEnd().split('\n').at(-1)!;
    expect(password).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(passwordToHmac(salt!, password)).toBe(hmac);
    expect(text.split(password).length - 1).toBe(1);
    expect(text).toBe(formatRpcauth({ user: 'alice', password, rpcauth: line![1]! }));
  });

  it('refuses a user name with ":" with exit code 2 and prints no password', async () => {
    const io = capture();
    const code = await run(['rpcauth', 'ali:ce'], io, '0.0.0');
    expect(code).toBe(2);
    expect(io.stdout).toEqual([]);
    expect(io.stderr.join('\n')).toMatch(/^error: user "ali:ce"/);
  });
});
