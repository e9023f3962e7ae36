/**
 * Node identity on a restored volume. A volume restored from a snapshot carries the snapshotted
 * node's private P2P key, so every replica restored from one snapshot would advertise the same enode
 * or peer ID (peers then drop all but one of them). The reset script runs as an init container on
 * nodes whose storage has `restoreFrom`, and deletes the key files on a volume's first start in its
 * pod, so the client makes a new key; later starts keep it.
 *
 * Which pod a volume's identity belongs to is kept in a marker file on the volume, written by the
 * script: `<namespace>/<pod name>` (the downward API's metadata.namespace and metadata.name; a
 * claim's UID is not available to a pod). A volume restored from a snapshot of a running pod
 * carries that pod's marker, so a restored volume in another replica, or in another namespace,
 * finds a marker naming another pod (or none, for a snapshot of a node without the script) and is
 * reset; a pod restarting on its own volume finds its own name and keeps its key.
 */

/** The marker's name, in the volume's root. */
export const IDENTITY_MARKER = '.nodegen-identity';

/**
 * The identity files, relative to the client's data directory (`--datadir`).
 * - geth: `<datadir>/geth/nodekey` (go-ethereum v1.17.5 node/config.go:36 `datadirPrivateKey`,
 *   in the instance dir `<datadir>/<name>`, node/config.go:380-385).
 * - Lighthouse: `<datadir>/beacon/network/key` and the ENR signed with it, `enr.dat`
 *   (sigp/lighthouse v5.3.0 beacon_node/lighthouse_network/src/service/utils.rs:24,
 *   discovery/mod.rs:53; network dir `<datadir>/beacon/network`, beacon_node/src/config.rs:1130,
 *   common/directory/src/lib.rs:8-9).
 * - Prysm: `<datadir>/network-keys` (OffchainLabs/prysm v7.1.6 beacon-chain/p2p/utils.go:35).
 * bitcoind and monacoind keep no P2P identity on disk (only Tor/I2P keys, which nodegen never enables).
 */
export const IDENTITY_FILES = {
  geth: ['geth/nodekey'],
  lighthouse: ['beacon/network/key', 'beacon/network/enr.dat'],
  prysm: ['network-keys'],
} as const;

/**
 * `reset-identity.sh <volume> <path>...`: with POD_NAMESPACE and POD_NAME set, deletes each path
 * under the volume unless the volume's marker names this pod, then writes the marker. Busybox sh
 * (the geth image) and any POSIX sh.
 */
export const IDENTITY_RESET_SH = `#!/bin/sh
# Gives a volume restored from a snapshot its own node identity, on its first start in this pod only.
# The marker names the pod whose identity the volume holds: namespace/pod.
set -eu
vol="$1"
shift
marker="$vol/${IDENTITY_MARKER}"
owner="$POD_NAMESPACE/$POD_NAME"
was=""
if [ -f "$marker" ]; then was=$(cat "$marker"); fi
if [ "$was" = "$owner" ]; then
  echo "$vol: node identity is $owner's own; kept"
  exit 0
fi
for f in "$@"; do
  if [ -e "$vol/$f" ] || [ -L "$vol/$f" ]; then
    rm -rf "$vol/$f"
    echo "$vol: removed $f, the identity of \${was:-a volume without marker}"
  fi
done
printf '%s\\n' "$owner" > "$marker.new"
mv "$marker.new" "$marker"
echo "$vol: now $owner's; the client makes a new identity"
`;
