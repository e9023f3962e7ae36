/**
 * Probe scripts, mounted from each node's ConfigMap and run inside the client's own image.
 * They use only what those images ship: the geth image is Alpine (busybox sh, wget, sed, date);
 * bitcoin/bitcoin and the monacoind image are Debian slim (sh, grep, tr, and the daemon's cli).
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
 * bitcoind / monacoind are ready when initial block download is over. The cli authenticates
 * with the cookie the daemon writes into its datadir, so no password is needed in the pod.
 */
export const UTXO_READY_SH = `#!/bin/sh
# Ready: the daemon answers RPC and initialblockdownload is false (cookie auth, no password).
set -u
info=$("$CLI" -conf="$CONF" -datadir="$DATADIR" -rpcclienttimeout=10 getblockchaininfo 2>&1) \\
  || { echo "not ready: $info"; exit 1; }
case "$(printf '%s' "$info" | tr -d ' \\n')" in
  *'"initialblockdownload":false'*) exit 0 ;;
  *) echo "not ready: initial block download in progress"; exit 1 ;;
esac
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
