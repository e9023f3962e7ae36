/**
 * Fulcrum, the Electrum server nodegen attaches to a bitcoind node (`indexer:`), and the facts
 * nodegen relies on, each read from its source at the pinned tag. File:line citations below are
 * at cculianu/Fulcrum tag v2.1.1 (commit f06d28f, 2026-05-07).
 *
 * Why Fulcrum and not electrs: Fulcrum is actively released (v2.0.0 2025-09, v2.1.0 2025-11, v2.1.1
 * 2026-05), and its own CI publishes a multi-arch image for every release tag
 * (`.github/workflows/publish.yml`: `docker buildx build ... -t cculianu/fulcrum:${TAG_NAME}` on
 * `release: released`); electrs publishes no official image (romanz/electrs issue 752, "Official Dockerhub image", open;
 * the maintainer answered with doc/binaries.md). Fulcrum serves BTC, BCH and LTC only
 * (README.md:6, 23), so it cannot serve Monacoin.
 * @see https://github.com/cculianu/Fulcrum/blob/v2.1.1/doc/fulcrum-example-config.conf
 */

/** The pinned release; re-check {@link FULCRUM_METHODS} and {@link FULCRUM_CONF_KEYS} when moving it. */
export const FULCRUM_VERSION = 'v2.1.1';
/** Built from contrib/docker/Dockerfile by the project's release workflow (publish.yml). */
export const FULCRUM_IMAGE = `cculianu/fulcrum:${FULCRUM_VERSION}`;
/**
 * The Electrum TCP port (the example config's `tcp = 0.0.0.0:50001`; the image `EXPOSE`s 50001
 * and 50002). Only TCP is served: TLS (50002) is for the open internet, and this port is never public.
 */
export const ELECTRUM_PORT = 50001;
/** The stats HTTP endpoint (`/stats`), loopback only: the liveness probe reads it. */
export const FULCRUM_STATS_PORT = 8080;
/** The admin RPC (FulcrumAdmin), loopback only: for `kubectl exec ... FulcrumAdmin -p 8000 getinfo`. */
export const FULCRUM_ADMIN_PORT = 8000;
/** Where the database lives in the container. */
export const FULCRUM_DATA = '/data';
/** The key of the indexer's bitcoind password in its Secret. */
export const INDEXER_SECRET_KEY = 'password';

/** The Secret holding the indexer's bitcoind password, in the node's namespace; created by the operator. */
export function indexerSecretName(node: string): string {
  return `${node}-rpc-indexer`;
}

/**
 * Every bitcoind RPC method Fulcrum calls when its node is Bitcoin Core (it learns that from
 * `getnetworkinfo`'s subversion "/Satoshi:", BitcoinD.cpp:230), with where it calls it. The
 * indexer's `rpcwhitelist` is exactly these. Left out on purpose: `getdsprooflist`/`getdsproof`
 * (BCH only: never probed on Core, BitcoinD.cpp:244-251, 344-345), `estimatefee` (only without
 * `estimatesmartfee`, Servers.cpp:1433-1450) and `daemon.passthrough`'s arbitrary methods (only
 * for `daemon_passthrough_subnets`, which nodegen leaves empty, Servers.cpp:2669-2675).
 */
export const FULCRUM_METHODS: Readonly<Record<string, readonly string[]>> = {
  getblockchaininfo: ['src/Controller.cpp:403'],
  getblockhash: ['src/Controller.cpp:573', 'src/BitcoinD.cpp:366'],
  getblock: ['src/Controller.cpp:577'],
  getrawmempool: ['src/Controller/SynchMempoolTask.cpp:296'],
  getrawtransaction: ['src/Controller/SynchMempoolTask.cpp:421', 'src/Controller.cpp:255', 'src/Servers.cpp:2276', 'src/Mempool.cpp:1245'],
  getnetworkinfo: ['src/BitcoinD.cpp:259'],
  getzmqnotifications: ['src/BitcoinD.cpp:411'],
  // The keep-alive ping: `help` until `uptime` is detected (fastPing starts false, BitcoinD.h:319).
  uptime: ['src/BitcoinD.cpp:43', 'src/BitcoinD.cpp:531'],
  help: ['src/BitcoinD.cpp:44'],
  estimatesmartfee: ['src/Servers.cpp:1440'],
  getblockheader: ['src/Servers.cpp:1515'],
  sendrawtransaction: ['src/Servers.cpp:2054'],
  submitpackage: ['src/Servers.cpp:2201'],
  getmempoolinfo: ['src/Servers.cpp:2654'],
  validateaddress: ['src/Servers.cpp:3276'],
};

/** Methods Fulcrum only calls on other daemons (BCH nodes), with why it never calls them on Bitcoin Core. */
export const FULCRUM_METHODS_NOT_ON_CORE: Readonly<Record<string, string>> = {
  getdsprooflist: 'double-spend proofs are BCH only: Core "definitely lacks" them (BitcoinD.cpp:244-251), so they are never probed (BitcoinD.cpp:344-345)',
  getdsproof: 'double-spend proofs, BCH only (Controller/SynchDSPsTask.cpp runs only with the RPC present)',
  estimatefee: 'only when the node lacks estimatesmartfee (Servers.cpp:1433-1450); Core has it since 0.15',
};

/** The configuration keys nodegen writes, with where v2.1.1 reads each. */
export const FULCRUM_CONF_KEYS: Readonly<Record<string, string>> = {
  datadir: 'src/App.cpp:875',
  bitcoind: 'src/App.cpp:892',
  rpcuser: 'src/App.cpp:903',
  tcp: 'src/App.cpp:910',
  stats: 'src/App.cpp:996',
  admin: 'src/App.cpp:1000',
  peering: 'src/App.cpp:1058',
  announce: 'src/App.cpp:1062',
  db_mem: 'src/App.cpp:1305',
};

/**
 * Read from the environment when the config file has no `rpcpassword` (App.cpp:388, 905): the
 * pod sets it from the Secret, so the password is never in the ConfigMap.
 */
export const FULCRUM_PASSWORD_ENV = 'RPCPASSWORD';

/** Fulcrum per network: realistic database sizes (unpruned bitcoind with txindex behind it). */
export interface FulcrumNetworkParams {
  /** Default volume size. */
  readonly defaultStorage: string;
  /** Default rocksdb memory (`db_mem`, MiB); kept well under the memory limit. */
  readonly dbMem: number;
}

/**
 * Mainnet: 133 GB in Aug 2023 (README.md:37 at v2.1.1; cculianu/Fulcrum PR 194 lists `du` of each
 * table), growing by about 20 GB a year (raspibolt PR 1338), so about 200 GB late 2026: 300Gi
 * leaves room for a year or two. The test networks' indexes are far smaller (their chains are).
 */
/** The Bitcoin networks Fulcrum indexes. */
export type FulcrumNetwork = 'main' | 'testnet4' | 'signet' | 'regtest' | 'test';

export const FULCRUM_NETWORKS: Readonly<Record<FulcrumNetwork, FulcrumNetworkParams>> = {
  main: { defaultStorage: '300Gi', dbMem: 2048 },
  test: { defaultStorage: '100Gi', dbMem: 1024 },
  testnet4: { defaultStorage: '30Gi', dbMem: 1024 },
  signet: { defaultStorage: '30Gi', dbMem: 1024 },
  regtest: { defaultStorage: '5Gi', dbMem: 256 },
};

export interface FulcrumConfOptions {
  /** `host:port` of bitcoind's RPC. */
  readonly bitcoind: string;
  /** The indexer's RPC user; the password comes from {@link FULCRUM_PASSWORD_ENV}. */
  readonly rpcUser: string;
  readonly dbMem: number;
}

/** The config file Fulcrum reads (its first positional argument, App.cpp:658, 737). */
export function renderFulcrumConf(o: FulcrumConfOptions, header: string): string {
  const lines: Array<readonly [string, string | number]> = [
    ['datadir', FULCRUM_DATA],
    ['bitcoind', o.bitcoind],
    ['rpcuser', o.rpcUser],
    // Plain TCP for the cluster's clients; the NetworkPolicy admits the listed namespaces only.
    ['tcp', `0.0.0.0:${ELECTRUM_PORT}`],
    ['stats', `127.0.0.1:${FULCRUM_STATS_PORT}`],
    ['admin', `127.0.0.1:${FULCRUM_ADMIN_PORT}`],
    // A private server: it neither looks for other Electrum servers nor announces itself to them.
    ['peering', 'false'],
    ['announce', 'false'],
    ['db_mem', o.dbMem],
  ];
  for (const [k] of lines) if (!(k in FULCRUM_CONF_KEYS)) throw new Error(`fulcrum.conf key "${k}" has no citation in FULCRUM_CONF_KEYS`);
  return [...header.split('\n').map((l) => `# ${l}`.trimEnd()), `# The bitcoind password is read from the environment (${FULCRUM_PASSWORD_ENV}, set from a Secret), App.cpp:905.`, ...lines.map(([k, v]) => `${k} = ${v}`), ''].join('\n');
}

/**
 * The probes, run by the image's python3 (contrib/docker/Dockerfile installs it).
 * - `ready`: indexed to the tip. Fulcrum opens its Electrum port only after it first reaches
 *   bitcoind's tip (Controller.cpp:179-182), so a closed port means "still indexing". Once open,
 *   the index height (Electrum `blockchain.headers.subscribe`) must be within MAX_LAG_BLOCKS of
 *   bitcoind's `blocks`, and bitcoind's `blocks` within MAX_LAG_BLOCKS of its `headers`
 *   (`getblockchaininfo`, one of the indexer's own methods, with the indexer's login).
 * - `alive`: the stats endpoint answers (started once the database is open, App.cpp:283-288).
 */
export const FULCRUM_PROBE_PY = `#!/usr/bin/env python3
# Fulcrum probes. "ready": indexed to bitcoind's tip. "alive": the stats endpoint answers.
import base64, json, os, socket, sys, urllib.error, urllib.request

PORT = int(os.environ.get("ELECTRUM_PORT", "${ELECTRUM_PORT}"))
STATS = os.environ.get("STATS_URL", "http://127.0.0.1:${FULCRUM_STATS_PORT}/stats")
BITCOIND = os.environ.get("BITCOIND_URL", "")
MAX_LAG = int(os.environ.get("MAX_LAG_BLOCKS", "2"))
TIMEOUT = 8


def out(ok, msg):
    print(msg)
    sys.exit(0 if ok else 1)


def stats_state():
    try:
        with urllib.request.urlopen(STATS, timeout=TIMEOUT) as r:
            data = json.loads(r.read().decode())
        if isinstance(data, list):
            data = data[0] if data else {}
        sm = ((data or {}).get("Controller") or {}).get("StateMachine") or {}
        return "state %s at height %s" % (sm.get("State", "?"), sm.get("Height", "?"))
    except Exception as e:  # diagnostics only
        return "stats unavailable: %s" % e


def electrum_height():
    with socket.create_connection(("127.0.0.1", PORT), timeout=TIMEOUT) as s:
        s.settimeout(TIMEOUT)
        s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"blockchain.headers.subscribe","params":[]}\\n')
        buf = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                raise OSError("connection closed before an answer")
            buf += chunk
            while b"\\n" in buf:
                line, buf = buf.split(b"\\n", 1)
                msg = json.loads(line)
                if msg.get("id") == 1:
                    if msg.get("error"):
                        raise OSError("error %s" % msg["error"])
                    return int(msg["result"]["height"])


def bitcoind_info():
    body = json.dumps({"jsonrpc": "1.0", "id": "probe", "method": "getblockchaininfo", "params": []}).encode()
    req = urllib.request.Request(BITCOIND, data=body, headers={"Content-Type": "application/json"})
    cred = "%s:%s" % (os.environ.get("RPCUSER", ""), os.environ.get("RPCPASSWORD", ""))
    req.add_header("Authorization", "Basic " + base64.b64encode(cred.encode()).decode())
    with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
        res = json.loads(r.read().decode())["result"]
    return int(res["blocks"]), int(res["headers"])


def ready():
    try:
        height = electrum_height()
    except (OSError, ValueError, KeyError, TypeError) as e:
        out(False, "not ready: still indexing (Electrum port %d: %s; %s)" % (PORT, e, stats_state()))
    try:
        blocks, headers = bitcoind_info()
    except urllib.error.HTTPError as e:
        out(False, "not ready: bitcoind at %s refused getblockchaininfo (HTTP %d): check the Secret and the rpcauth line" % (BITCOIND, e.code))
    except Exception as e:
        out(False, "not ready: bitcoind unreachable at %s: %s" % (BITCOIND, e))
    if headers - blocks > MAX_LAG:
        out(False, "not ready: bitcoind itself is behind (%d blocks of %d headers)" % (blocks, headers))
    if blocks - height > MAX_LAG:
        out(False, "not ready: index at %d, bitcoind at %d (%d behind, limit %d)" % (height, blocks, blocks - height, MAX_LAG))
    out(True, "ready: indexed to %d (bitcoind %d)" % (height, blocks))


def alive():
    try:
        with urllib.request.urlopen(STATS, timeout=TIMEOUT) as r:
            r.read()
    except Exception as e:
        out(False, "not alive: %s does not answer: %s" % (STATS, e))
    out(True, "alive")


if __name__ == "__main__":
    {"ready": ready, "alive": alive}.get(sys.argv[1] if len(sys.argv) > 1 else "ready", ready)()
`;
