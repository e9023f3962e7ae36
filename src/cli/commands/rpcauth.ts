/**
 * `nodegen rpcauth <user>`: a new random password, shown once, and the matching `rpcauth` value
 * for bitcoind/monacoind. The same algorithm as Bitcoin Core's share/rpcauth/rpcauth.py: a
 * 16-byte hex salt, and HMAC-SHA256 keyed with the salt (as text) over the password.
 * @see https://github.com/bitcoin/bitcoin/blob/master/share/rpcauth/rpcauth.py
 */
import { createHmac, randomBytes } from 'node:crypto';
import { UsageError } from '../../errors.js';

export interface RpcauthOptions {
  readonly user: string;
  /** Use this password instead of a random one (for reproducing a line). @default - 32 random bytes */
  readonly password?: string;
  /** Salt as 32 hex digits (for reproducing a line). @default - 16 random bytes */
  readonly salt?: string;
}

export interface RpcauthResult {
  readonly user: string;
  readonly password: string;
  /** The value for the environment file's `rpcauth` list: `user:salt$hmac`. */
  readonly rpcauth: string;
}

/** HMAC-SHA256 of the password keyed by the salt, hex, as rpcauth.py computes it. */
export function passwordToHmac(salt: string, password: string): string {
  return createHmac('sha256', salt).update(password).digest('hex');
}

export function rpcauth(o: RpcauthOptions): RpcauthResult {
  if (!/^[A-Za-z0-9_.-]+$/.test(o.user)) {
    throw new UsageError(`user "${o.user}" may hold only letters, digits, "_", "." and "-" (no ":")`);
  }
  if (o.salt !== undefined && !/^[0-9a-f]{32}$/.test(o.salt)) throw new UsageError('salt must be 32 lowercase hex digits');
  const salt = o.salt ?? randomBytes(16).toString('hex');
  const password = o.password ?? randomBytes(32).toString('base64url');
  return { user: o.user, password, rpcauth: `${o.user}:${salt}$${passwordToHmac(salt, password)}` };
}

export function formatRpcauth(r: RpcauthResult): string {
  return [
    'Add to the bitcoind, monacoind or chain-profile node in environments/<env>.yaml (the hash is safe to commit),',
    'with the only methods this user may call (README "RPC consumers"):',
    '    rpcUsers:',
    `      ${r.user}:`,
    `        rpcauth: "${r.rpcauth}"`,
    '        methods: [getblockchaininfo]',
    `or, for the metrics exporter: exporterRpcauth: "${r.rpcauth}"`,
    '',
    `Password for ${r.user}, shown once: put it in a Secret in the cluster (and your secret manager), never in git:`,
    `    kubectl -n <app namespace> create secret generic <name> --from-literal=password='<the password below>'`,
    r.password,
  ].join('\n');
}
