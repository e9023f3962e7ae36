/**
 * Who may call which RPC method of bitcoind and monacoind, and the conf lines that say so.
 *
 * How the daemons decide (Bitcoin Core `src/httprpc.cpp`, the same code in Monacoin 0.20, which
 * is Bitcoin Core 0.20 with Monacoin's parameters; monacoinproject/monacoin v0.20.3 lines cited):
 * - `InitRPCAuthentication` (l. 268): `g_rpc_whitelist_default = GetBoolArg("-rpcwhitelistdefault",
 *   IsArgSet("-rpcwhitelist"))`: with any `rpcwhitelist` line the default is already 1; nodegen
 *   writes `rpcwhitelistdefault=1` anyway so that the conf says what it means.
 * - l. 269-285: `rpcwhitelist=<user>:<m1>,<m2>` gives the user exactly those methods (split at ","
 *   and " "); a second line for the same user intersects with the first.
 * - `HTTPReq_JSONRPC` (l. 194-199): a logged-in user with no whitelist entry is refused every
 *   method (HTTP 403) when the default is 1, and allowed every method when it is 0.
 * - l. 203 and 215-228: a user with an entry is refused (403) any method not in it, also inside a batch.
 * - `RPCAuthorized` (l. 144-145) takes the user name from the login; the cookie's login is
 *   `__cookie__:<random hex>` (`src/rpc/request.cpp` l. 62, `GenerateAuthCookie`), so the in-pod
 *   cookie user is subject to the whitelist like anyone else and gets its own entry.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/httprpc.cpp (the same decision today)
 * @see https://github.com/monacoinproject/monacoin/blob/v0.20.3/src/httprpc.cpp
 */

/** The user name of cookie authentication (`src/rpc/request.cpp`, COOKIEAUTH_USER). */
export const COOKIE_USER = '__cookie__';

/**
 * What the cookie login (in-pod tools only: the probes and an operator's `kubectl exec ... -cli`)
 * may call: the probe scripts' `getblockchaininfo` and `getblockcount`, and read-only diagnostics.
 * Nothing that changes the node: restart a pod with `kubectl delete pod` (SIGTERM shuts down cleanly).
 */
export const IN_POD_METHODS: readonly string[] = [
  'getbestblockhash', 'getblockchaininfo', 'getblockcount', 'getblockheader', 'getchaintips', 'getconnectioncount',
  'getmempoolinfo', 'getnettotals', 'getnetworkinfo', 'getpeerinfo', 'getrpcinfo', 'help', 'listbanned', 'uptime',
];

/**
 * Methods that change the node, its peers or its chain state, mine, or handle keys and wallets
 * (the wallet is disabled, but listing a wallet method means someone plans to keep keys here).
 * An app consumer must not get them; `policy/rpc-methods` refuses them unless waived.
 */
export const DANGEROUS_METHODS: ReadonlySet<string> = new Set([
  // node control
  'stop', 'logging', 'setmocktime', 'mockscheduler', 'echo', 'echojson', 'echoipc',
  // peers
  'addnode', 'clearbanned', 'disconnectnode', 'setban', 'setnetworkactive', 'addconnection', 'addpeeraddress', 'sendmsgtopeer', 'getblockfrompeer',
  // chain state
  'invalidateblock', 'reconsiderblock', 'preciousblock', 'pruneblockchain', 'savemempool', 'importmempool', 'dumptxoutset', 'loadtxoutset', 'verifychain',
  // mining
  'generate', 'generateblock', 'generatetoaddress', 'generatetodescriptor', 'submitblock', 'submitheader', 'prioritisetransaction', 'getblocktemplate',
  // keys and wallets
  'signmessagewithprivkey', 'dumpprivkey', 'importprivkey', 'dumpwallet', 'importwallet', 'importaddress', 'importpubkey', 'importmulti',
  'importdescriptors', 'importprunedfunds', 'removeprunedfunds', 'backupwallet', 'restorewallet', 'createwallet', 'loadwallet', 'unloadwallet',
  'encryptwallet', 'walletpassphrase', 'walletpassphrasechange', 'walletlock', 'sethdseed', 'upgradewallet', 'migratewallet',
  'sendtoaddress', 'sendmany', 'send', 'sendall', 'bumpfee', 'psbtbumpfee', 'signrawtransactionwithwallet', 'walletprocesspsbt',
  'walletcreatefundedpsbt', 'settxfee', 'lockunspent', 'abandontransaction', 'rescanblockchain', 'abortrescan', 'keypoolrefill',
]);

/**
 * Methods that read the chain, the mempool or the node's state, or that check and broadcast a
 * transaction someone else signed (`sendrawtransaction`, `testmempoolaccept`, `submitpackage`):
 * what wallet backends, explorers and analytics call. A method in neither list is most likely a
 * typo (the daemon accepts any name in a whitelist, and the consumer then gets 403 for it).
 */
export const READ_AND_BROADCAST_METHODS: ReadonlySet<string> = new Set([
  ...IN_POD_METHODS,
  'getblock', 'getblockfilter', 'getblockhash', 'getblockstats', 'getchainstates', 'getchaintxstats', 'getdeploymentinfo', 'getdifficulty',
  'getmempoolancestors', 'getmempooldescendants', 'getmempoolentry', 'getrawmempool', 'gettxout', 'gettxoutproof', 'gettxoutsetinfo',
  'gettxspendingprevout', 'scanblocks', 'scantxoutset', 'verifytxoutproof', 'waitforblock', 'waitforblockheight', 'waitfornewblock',
  'getmemoryinfo', 'getmininginfo', 'getnetworkhashps', 'getprioritisedtransactions', 'getaddednodeinfo', 'getaddrmaninfo', 'getnodeaddresses', 'ping',
  'analyzepsbt', 'combinepsbt', 'combinerawtransaction', 'converttopsbt', 'createpsbt', 'createrawtransaction', 'decodepsbt',
  'decoderawtransaction', 'decodescript', 'descriptorprocesspsbt', 'finalizepsbt', 'getrawtransaction', 'joinpsbts', 'utxoupdatepsbt',
  'sendrawtransaction', 'submitpackage', 'testmempoolaccept', 'signrawtransactionwithkey', 'fundrawtransaction',
  'createmultisig', 'deriveaddresses', 'estimatesmartfee', 'estimaterawfee', 'getdescriptorinfo', 'getindexinfo', 'validateaddress', 'verifymessage',
  'getorphantxs', 'enumeratesigners', 'getzmqnotifications',
]);

/** One login and the only methods it may call. */
export interface RpcUser {
  readonly user: string;
  /** The `rpcauth` line (`user:salt$hmac`); undefined for the cookie login, which needs none. */
  readonly rpcauth?: string;
  readonly methods: readonly string[];
}

/**
 * The conf lines for a set of users: their `rpcauth` lines, `rpcwhitelistdefault=1` (a login with
 * no whitelist entry can call nothing) and one `rpcwhitelist` line per user, methods sorted and
 * deduplicated, users sorted, so the output is deterministic.
 */
export function rpcAccessLines(users: readonly RpcUser[]): Array<readonly [string, string | number]> {
  const sorted = [...users].sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  return [
    ...sorted.flatMap((u) => (u.rpcauth ? [['rpcauth', u.rpcauth] as const] : [])),
    ['rpcwhitelistdefault', 1],
    ...sorted.map((u) => ['rpcwhitelist', `${u.user}:${[...new Set(u.methods)].sort().join(',')}`] as const),
  ];
}
