/**
 * Who may call what, decided the way bitcoind and monacoind decide it, over the conf nodegen
 * writes. The model follows monacoinproject/monacoin v0.20.3 `src/httprpc.cpp` (the same code as
 * Bitcoin Core 0.20, and the same decision in Bitcoin Core today):
 * - login, `multiUserAuthorized` (l. 95-132): `rpcauth=<user>:<salt>$<hmac>`, HMAC-SHA256 keyed by
 *   the salt over the password; the cookie `__cookie__:<hex>` (`src/rpc/request.cpp` l. 62, 81);
 * - `InitRPCAuthentication` (l. 268-285): the default is `rpcwhitelistdefault`, else whether any
 *   `rpcwhitelist` is set; lines split at "," and " ", and a user's lines intersect;
 * - `HTTPReq_JSONRPC` (l. 194-205): no whitelist entry and the default on: 403; an entry without
 *   the method: 403.
 */
import { describe, expect, it } from 'vitest';
import { App, Chart } from 'cdk8s';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { BitcoindNode } from '../../src/constructs/bitcoind-node.js';
import { MonaNode } from '../../src/constructs/mona-node.js';
import { rpcauth } from '../../src/cli/commands/rpcauth.js';
import { COOKIE_USER, DANGEROUS_METHODS } from '../../src/chains/rpc-methods.js';
import { EXPORTER_METHODS } from '../../src/chains/utxo-exporter.js';
import { UTXO_ALIVE_SH, UTXO_READY_SH } from '../../src/chains/probes.js';
import { REPO } from '../helpers/project.js';

/** The daemon's RPC access state, read from a conf as `gArgs` would hold it (global part and every section). */
class DaemonRpc {
  private readonly auth: string[] = [];
  private readonly whitelist = new Map<string, Set<string>>();
  private readonly whitelistDefault: boolean;
  private readonly cookie = `${COOKIE_USER}:${'ab'.repeat(32)}`;

  constructor(conf: string) {
    let defaultArg: string | undefined;
    const lines = conf.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('['));
    for (const line of lines) {
      const [key, ...rest] = line.split('=');
      const value = rest.join('=');
      if (key === 'rpcauth') this.auth.push(value);
      if (key === 'rpcwhitelistdefault') defaultArg = value;
      if (key === 'rpcwhitelist') {
        // l. 269-285: the user before ':', methods split at "," and " ", intersected with earlier lines.
        const pos = value.indexOf(':');
        const user = pos < 0 ? value : value.slice(0, pos);
        const intersect = this.whitelist.has(user);
        const previous = this.whitelist.get(user) ?? new Set<string>();
        let next = new Set<string>();
        if (pos >= 0) {
          next = new Set(value.slice(pos + 1).split(/[, ]/));
          if (intersect) next = new Set([...next].filter((m) => previous.has(m)));
        }
        this.whitelist.set(user, pos >= 0 ? next : previous);
      }
    }
    // l. 268: GetBoolArg("-rpcwhitelistdefault", IsArgSet("-rpcwhitelist")).
    this.whitelistDefault = defaultArg === undefined ? lines.some((l) => l.startsWith('rpcwhitelist=')) : !['0', ''].includes(defaultArg);
  }

  /** The cookie file's content (`user:password`), as the daemon writes it at start. */
  get cookieFile(): string {
    return this.cookie;
  }

  /** `RPCAuthorized` + `HTTPReq_JSONRPC`: the HTTP status of one call. */
  call(userColonPass: string, method: string): 200 | 401 | 403 {
    const user = userColonPass.slice(0, userColonPass.indexOf(':'));
    const pass = userColonPass.slice(userColonPass.indexOf(':') + 1);
    const loggedIn =
      userColonPass === this.cookie ||
      this.auth.some((a) => {
        const [name, salt, hash] = a.split(/[:$]/);
        return name === user && createHmac('sha256', salt!).update(pass).digest('hex') === hash;
      });
    if (!loggedIn) return 401;
    const list = this.whitelist.get(user);
    if (!list && this.whitelistDefault) return 403;
    if (list && !list.has(method)) return 403;
    return 200;
  }
}

const conf = (build: (c: Chart) => BitcoindNode | MonaNode, file: string) => {
  const chart = new Chart(new App(), 'test', { disableResourceNameHashes: true });
  build(chart);
  const cm = (chart.toJson() as any[]).find((o) => o.kind === 'ConfigMap');
  return cm.data[file] as string;
};

/** The methods the probe scripts call, read from the scripts themselves. */
function probeMethods(): string[] {
  const calls = [UTXO_READY_SH, UTXO_ALIVE_SH].flatMap((s) => [...s.matchAll(/(?:\bcli|rpcclienttimeout=10) ([a-z]+)/g)].map((m) => m[1]!));
  return [...new Set(calls)].sort();
}

describe('RPC access as the daemon decides it, over the conf nodegen writes', () => {
  const wallet = rpcauth({ user: 'wallet-api', password: 'wallet-password-1' });
  const analytics = rpcauth({ user: 'analytics', password: 'analytics-password-1' });
  const exporter = rpcauth({ user: 'exporter', password: 'exporter-password-1' });
  const props = {
    rpcUsers: {
      'wallet-api': { rpcauth: wallet.rpcauth, methods: ['getblockchaininfo', 'getblock', 'sendrawtransaction'] },
      analytics: { rpcauth: analytics.rpcauth, methods: ['getblockstats', 'getblock'] },
    },
    metricsExporter: true,
    exporterRpcauth: exporter.rpcauth,
  };
  const daemons = {
    bitcoind: new DaemonRpc(conf((c) => new BitcoindNode(c, 'btc', { ...props, network: 'main' }), 'bitcoin.conf')),
    monacoind: new DaemonRpc(conf((c) => new MonaNode(c, 'mona', { ...props, image: 'registry.internal/monacoind:0.20.4' }), 'monacoin.conf')),
  };
  const login = (r: { user: string; password: string }) => `${r.user}:${r.password}`;

  describe.each(Object.entries(daemons))('%s', (_, d) => {
    it("lets each consumer call exactly its listed methods, and nothing else (stop included)", () => {
      for (const m of ['getblockchaininfo', 'getblock', 'sendrawtransaction']) expect(d.call(login(wallet), m)).toBe(200);
      for (const m of ['stop', 'getblockstats', 'setban', 'invalidateblock', 'help']) expect(d.call(login(wallet), m)).toBe(403);
      expect(d.call(login(analytics), 'getblockstats')).toBe(200);
      expect(d.call(login(analytics), 'sendrawtransaction')).toBe(403);
      expect(d.call(login(analytics), 'stop')).toBe(403);
    });

    it('refuses a wrong password and a user it does not know', () => {
      expect(d.call('wallet-api:guess', 'getblock')).toBe(401);
      expect(d.call(`analytics:${wallet.password}`, 'getblock')).toBe(401);
      expect(d.call('admin:admin', 'stop')).toBe(401);
    });

    it('lets the exporter call every method it uses, and not stop', () => {
      for (const m of EXPORTER_METHODS) expect(d.call(login(exporter), m)).toBe(200);
      for (const m of ['stop', 'sendrawtransaction', 'getblock']) expect(d.call(login(exporter), m)).toBe(403);
    });

    it('keeps the in-pod probes working through the cookie, which cannot stop the node or change it either', () => {
      expect(probeMethods()).toEqual(['getblockchaininfo', 'getblockcount', 'getblockheader', 'getconnectioncount']);
      for (const m of probeMethods()) expect(d.call(d.cookieFile, m)).toBe(200);
      for (const m of DANGEROUS_METHODS) expect(d.call(d.cookieFile, m)).toBe(403);
    });
  });

  it('a login without a whitelist line gets nothing (rpcwhitelistdefault=1), where =0 would give it everything', () => {
    const text = conf((c) => new BitcoindNode(c, 'btc', props), 'bitcoin.conf');
    const stray = rpcauth({ user: 'stray', password: 'stray-password-1' });
    const withStray = text.replace('rpcwhitelistdefault=1', `rpcauth=${stray.rpcauth}\nrpcwhitelistdefault=1`);
    expect(new DaemonRpc(withStray).call(login(stray), 'getblockchaininfo')).toBe(403);
    // The opposite setting, which nodegen never writes, opens every method to such a login.
    expect(new DaemonRpc(withStray.replace('rpcwhitelistdefault=1', 'rpcwhitelistdefault=0')).call(login(stray), 'stop')).toBe(200);
  });
});

describe('the shipped environments', () => {
  const ENVIRONMENTS = ['develop', 'nodetest', 'production', 'qa', 'staging'];
  it.each(ENVIRONMENTS)('%s: every login of every UTXO node has a whitelist without stop, and the probes work', (env) => {
    const files = ['20-bitcoind.yaml', '30-monacoind.yaml'];
    let checked = 0;
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(join(REPO, 'dist', env, f), 'utf8');
      } catch {
        continue;
      }
      for (const doc of parseAllDocuments(text).map((x) => x.toJS())) {
        if (doc?.kind !== 'ConfigMap') continue;
        const c = doc.data['bitcoin.conf'] ?? doc.data['monacoin.conf'];
        // An Electrum indexer's ConfigMap holds fulcrum.conf (test/chains/fulcrum.test.ts).
        if (c === undefined) continue;
        const lines: string[] = c.split('\n');
        const users = lines.filter((l) => l.startsWith('rpcauth=')).map((l) => l.slice(8).split(':')[0]);
        const listed = lines.filter((l) => l.startsWith('rpcwhitelist=')).map((l) => l.slice(13).split(':')[0]);
        // nodetest's bitcoind has an indexer, which logs in as its own user.
        const indexer = env === 'nodetest' && f === '20-bitcoind.yaml' ? ['indexer'] : [];
        expect(users.sort()).toEqual(['analytics', 'exporter', ...indexer, 'wallet-api']);
        expect(listed.sort()).toEqual([COOKIE_USER, ...users].sort());
        expect(lines).toContain('rpcwhitelistdefault=1');
        // REST answers without a login (httprest.cpp): it stays off.
        expect(lines).toContain('rest=0');
        const d = new DaemonRpc(c);
        for (const m of probeMethods()) expect(d.call(d.cookieFile, m)).toBe(200);
        expect(d.call(d.cookieFile, 'stop')).toBe(403);
        for (const l of lines.filter((x) => x.startsWith('rpcwhitelist='))) expect(l.slice(13).split(/[:,]/)).not.toContain('stop');
        checked++;
      }
    }
    expect(checked).toBe(env === 'staging' || env === 'production' ? 1 : 2);
  });
});
