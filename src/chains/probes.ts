/**
 * Probe scripts, mounted from each node's ConfigMap and run inside the client's own image.
 * They use only what those images ship: the geth image is Alpine (busybox sh, wget, sed, date);
 * bitcoin/bitcoin and the monacoind image are Debian slim (sh, grep, sed, tr, date, and the daemon's cli).
 * Tests run them against local stubs that answer like the nodes.
 */

/**
 * geth is ready when it answers JSON-RPC, is not syncing and its head block is recent.
 * `eth_syncing` is false both when synced and before sync starts, so the head's age decides.
 */
export const GETH_READY_SH = `#!/bin/sh
# Ready: geth answers JSON-RPC, eth_syncing is false and the head block is recent.
set -u
URL="\${RPC_URL:-http://127.0.0.1:8545}"
MAX_AGE="\${MAX_HEAD_AGE_SECONDS:-180}"
rpc() {
  wget -q -O - --header 'Content-Type: application/json' \\
    --post-data "{\\"jsonrpc\\":\\"2.0\\",\\"id\\":1,\\"method\\":\\"$1\\",\\"params\\":$2}" "$URL"
}
syncing=$(rpc eth_syncing '[]') || { echo "not ready: JSON-RPC does not answer at $URL"; exit 1; }
case "$syncing" in
  *'"result":false'*) ;;
  *) echo "not ready: syncing"; exit 1 ;;
esac
head=$(rpc eth_getBlockByNumber '["latest",false]') || { echo "not ready: no head block"; exit 1; }
ts=$(printf '%s' "$head" | sed -n 's/.*"timestamp":"0x\\([0-9a-fA-F]*\\)".*/\\1/p')
[ -n "$ts" ] || { echo "not ready: head block has no timestamp"; exit 1; }
age=$(( $(date +%s) - 0x$ts ))
if [ "$age" -gt "$MAX_AGE" ]; then
  echo "not ready: head block is \${age}s old (limit \${MAX_AGE}s)"
  exit 1
fi
exit 0
`;

/** geth is alive while it answers JSON-RPC at all, synced or not: a syncing node is never killed. */
export const GETH_ALIVE_SH = `#!/bin/sh
# Alive: geth answers JSON-RPC (whether or not it is synced).
set -u
URL="\${RPC_URL:-http://127.0.0.1:8545}"
wget -q -O - --header 'Content-Type: application/json' \\
  --post-data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$URL" | grep -q '"result"' \\
  || { echo "not alive: JSON-RPC does not answer at $URL"; exit 1; }
`;

/**
 * bitcoind / monacoind are ready when initial block download is over, the best block is the best
 * header (or within MAX_HEADER_LAG of it), the best block is younger than MAX_TIP_AGE_SECONDS and at
 * least MIN_PEERS peers are connected. `initialblockdownload` alone is not enough: it latches to
 * false once and never turns true again (Bitcoin Core `m_cached_finished_ibd`; Monacoin v0.20.3
 * src/validation.cpp:1272-1290), so a node that stalls, falls behind or loses every
 * peer would stay Ready. The tip's time comes from `getblockheader` of `bestblockhash`, because
 * Monacoin 0.20's `getblockchaininfo` has no `time` (v0.20.3 src/rpc/blockchain.cpp:1228-1233 writes
 * `mediantime` only). 0 turns the tip-age or peer check off (regtest). The cli authenticates with
 * the cookie the daemon writes into its datadir, so no password is needed in the pod.
 */
export const UTXO_READY_SH = `#!/bin/sh
# Ready: RPC answers, initial block download is over, the best block is within MAX_HEADER_LAG of the
# best header, younger than MAX_TIP_AGE_SECONDS (0: unchecked) and at least MIN_PEERS peers are
# connected (0: unchecked). Cookie auth, no password.
set -u
LAG="\${MAX_HEADER_LAG:-2}"
MAX_AGE="\${MAX_TIP_AGE_SECONDS:-0}"
PEERS="\${MIN_PEERS:-1}"
cli() { "$CLI" -conf="$CONF" -datadir="$DATADIR" -rpcclienttimeout=10 "$@"; }
info=$(cli getblockchaininfo 2>&1) || { echo "not ready: $info"; exit 1; }
info=$(printf '%s' "$info" | tr -d ' \\n')
case "$info" in
  *'"initialblockdownload":false'*) ;;
  *) echo "not ready: initial block download in progress"; exit 1 ;;
esac
blocks=$(printf '%s' "$info" | sed -n 's/.*"blocks":\\([0-9]*\\).*/\\1/p')
headers=$(printf '%s' "$info" | sed -n 's/.*"headers":\\(-\\{0,1\\}[0-9]*\\).*/\\1/p')
[ -n "$blocks" ] && [ -n "$headers" ] || { echo "not ready: getblockchaininfo has no blocks or headers"; exit 1; }
if [ $((headers - blocks)) -gt "$LAG" ]; then
  echo "not ready: best block $blocks is $((headers - blocks)) behind the best header $headers (limit $LAG)"
  exit 1
fi
if [ "$MAX_AGE" -gt 0 ]; then
  hash=$(printf '%s' "$info" | sed -n 's/.*"bestblockhash":"\\([0-9a-fA-F]*\\)".*/\\1/p')
  [ -n "$hash" ] || { echo "not ready: getblockchaininfo has no bestblockhash"; exit 1; }
  header=$(cli getblockheader "$hash" 2>&1) || { echo "not ready: $header"; exit 1; }
  time=$(printf '%s' "$header" | tr -d ' \\n' | sed -n 's/.*"time":\\([0-9]*\\).*/\\1/p')
  [ -n "$time" ] || { echo "not ready: best block header has no time"; exit 1; }
  age=$(( $(date +%s) - time ))
  if [ "$age" -gt "$MAX_AGE" ]; then
    echo "not ready: best block $blocks is \${age}s old (limit \${MAX_AGE}s)"
    exit 1
  fi
fi
if [ "$PEERS" -gt 0 ]; then
  peers=$(cli getconnectioncount 2>&1) || { echo "not ready: $peers"; exit 1; }
  if [ "$peers" -lt "$PEERS" ]; then
    echo "not ready: $peers peer connections (at least $PEERS needed)"
    exit 1
  fi
fi
exit 0
`;

/** Alive while the daemon answers RPC, including its warm-up answer while it loads the block index. */
export const UTXO_ALIVE_SH = `#!/bin/sh
# Alive: the daemon answers RPC; "Loading block index" and other warm-up answers count as alive.
set -u
out=$("$CLI" -conf="$CONF" -datadir="$DATADIR" -rpcclienttimeout=10 getblockcount 2>&1) && exit 0
case "$out" in
  *'error code: -28'*) exit 0 ;;
esac
echo "not alive: $out"
exit 1
`;

/**
 * Lighthouse readiness. Its `/eth/v1/node/health` answers 206 while syncing and ignores the
 * Beacon API's `syncing_status` parameter, and an httpGet probe counts 206 as success; the
 * sigp/lighthouse image (Ubuntu) has no curl or wget, but has bash, whose /dev/tcp speaks HTTP.
 * @see https://ethereum.github.io/beacon-APIs/#/Node/getSyncingStatus
 */
export const BEACON_READY_SH = `#!/bin/bash
# Ready: the Beacon API answers /eth/v1/node/syncing with is_syncing false and is not optimistic.
set -u
HOST="\${BEACON_HOST:-127.0.0.1}"
PORT="\${BEACON_PORT:-5052}"
exec 3<>"/dev/tcp/$HOST/$PORT" || { echo "not ready: Beacon API does not answer on $HOST:$PORT"; exit 1; }
printf 'GET /eth/v1/node/syncing HTTP/1.0\\r\\nHost: localhost\\r\\nAccept: application/json\\r\\n\\r\\n' >&3
body=$(timeout 5 cat <&3 | tr -d ' \\r\\n')
exec 3>&-
case "$body" in
  *'"is_syncing":false'*) ;;
  *) echo "not ready: beacon node is syncing"; exit 1 ;;
esac
case "$body" in
  *'"is_optimistic":true'*) echo "not ready: beacon node is optimistic (execution client behind)"; exit 1 ;;
  *'"el_offline":true'*) echo "not ready: execution client offline"; exit 1 ;;
esac
exit 0
`;
