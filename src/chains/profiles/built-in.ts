/**
 * Generated from src/chains/profiles/*.yaml as the profile schema validates them: edit the YAML, then
 * regenerate with `UPDATE_BUILT_IN_PROFILES=1 npx vitest run test/chains/profiles.test.ts`
 * (`npm test` fails while this file and the YAML differ).
 */
import type { ProfileSpec } from '../profile.js';

export const BUILT_IN_PROFILES: ReadonlyArray<{ readonly file: string; readonly spec: ProfileSpec }> = [
  {
    "file": "src/chains/profiles/bitcoind.yaml",
    "spec": {
      "client": "bitcoind",
      "chain": "bitcoin",
      "displayName": "Bitcoin Core",
      "version": "31.1",
      "image": "bitcoin/bitcoin:31.1",
      "daemon": "bitcoind",
      "cli": "bitcoin-cli",
      "confFile": "bitcoin.conf",
      "runAsUser": 101,
      "terminationGracePeriodSeconds": 600,
      "supports": {
        "rpcauth": true,
        "rpcwhitelist": true,
        "chainOption": true
      },
      "zmq": {
        "ports": {
          "rawblock": 28332,
          "rawtx": 28333,
          "hashblock": 28334,
          "sequence": 28335,
          "hashtx": 28336
        }
      },
      "metricsPort": 9332,
      "electrumIndexer": true,
      "resources": {
        "requests": {
          "cpu": "1",
          "memory": "2Gi"
        },
        "limits": {
          "cpu": "2",
          "memory": "4Gi"
        }
      },
      "tiers": {
        "testnet": "testnet4",
        "mainnet": "main"
      },
      "networks": {
        "main": {
          "mainnet": true,
          "section": "main",
          "datadir": "",
          "ports": {
            "p2p": 8333,
            "rpc": 8332
          },
          "storage": {
            "minimum": "1152Gi",
            "default": "1536Gi",
            "minimumTxindex": "1280Gi",
            "defaultTxindex": "1664Gi"
          },
          "resources": {
            "requests": {
              "cpu": "2",
              "memory": "4Gi"
            },
            "limits": {
              "cpu": "4",
              "memory": "8Gi"
            }
          },
          "readiness": {
            "maxTipAge": "2h",
            "minPeers": 1
          },
          "initialSync": "7d",
          "alerts": {
            "blockTime": "10m",
            "headStalledAfter": "2h",
            "notSyncedFor": "6h",
            "noPeersFor": "10m"
          }
        },
        "testnet4": {
          "mainnet": false,
          "section": "testnet4",
          "datadir": "testnet4",
          "ports": {
            "p2p": 48333,
            "rpc": 48332
          },
          "storage": {
            "minimum": "50Gi",
            "default": "100Gi",
            "minimumTxindex": "60Gi",
            "defaultTxindex": "120Gi"
          },
          "readiness": {
            "maxTipAge": "3h",
            "minPeers": 1
          },
          "initialSync": "2d",
          "alerts": {
            "blockTime": "10m",
            "headStalledAfter": "4h",
            "notSyncedFor": "12h",
            "noPeersFor": "15m"
          }
        },
        "signet": {
          "mainnet": false,
          "section": "signet",
          "datadir": "signet",
          "ports": {
            "p2p": 38333,
            "rpc": 38332
          },
          "storage": {
            "minimum": "20Gi",
            "default": "50Gi",
            "minimumTxindex": "25Gi",
            "defaultTxindex": "60Gi"
          },
          "readiness": {
            "maxTipAge": "2h",
            "minPeers": 1
          },
          "initialSync": "1d",
          "alerts": {
            "blockTime": "10m",
            "headStalledAfter": "2h",
            "notSyncedFor": "6h",
            "noPeersFor": "10m"
          }
        },
        "regtest": {
          "mainnet": false,
          "section": "regtest",
          "datadir": "regtest",
          "ports": {
            "p2p": 18444,
            "rpc": 18443
          },
          "storage": {
            "minimum": "1Gi",
            "default": "5Gi"
          },
          "readiness": {
            "maxTipAge": "0s",
            "minPeers": 0
          },
          "initialSync": "30m",
          "alerts": null
        },
        "test": {
          "mainnet": false,
          "section": "test",
          "datadir": "testnet3",
          "ports": {
            "p2p": 18333,
            "rpc": 18332
          },
          "storage": {
            "minimum": "250Gi",
            "default": "300Gi",
            "minimumTxindex": "280Gi",
            "defaultTxindex": "340Gi"
          },
          "readiness": {
            "maxTipAge": "3h",
            "minPeers": 1
          },
          "initialSync": "4d",
          "alerts": {
            "blockTime": "10m",
            "headStalledAfter": "4h",
            "notSyncedFor": "12h",
            "noPeersFor": "15m"
          },
          "deprecated": "testnet3 (\"test\") is deprecated since Bitcoin Core 28 and will be removed; use testnet4"
        }
      },
      "order": 20
    }
  },
  {
    "file": "src/chains/profiles/monacoind.yaml",
    "spec": {
      "client": "monacoind",
      "chain": "monacoin",
      "displayName": "Monacoin Core",
      "version": "0.20.4",
      "imageNote": "build docker/monacoind/Dockerfile, push it, and set image (no public image is maintained)",
      "daemon": "monacoind",
      "cli": "monacoin-cli",
      "confFile": "monacoin.conf",
      "runAsUser": 10001,
      "terminationGracePeriodSeconds": 300,
      "supports": {
        "rpcauth": true,
        "rpcwhitelist": true,
        "chainOption": true
      },
      "zmq": {
        "ports": {
          "rawblock": 29402,
          "rawtx": 29403,
          "hashblock": 29404,
          "hashtx": 29406
        },
        "unsupported": {
          "sequence": "Monacoin 0.20 has no \"sequence\" topic (it arrived in Bitcoin Core 0.21) and refuses the unknown key zmqpubsequence at startup; use hashblock and hashtx, or rawblock and rawtx"
        }
      },
      "metricsPort": 9332,
      "electrumIndexer": false,
      "resources": {
        "requests": {
          "cpu": "500m",
          "memory": "1Gi"
        },
        "limits": {
          "cpu": "1",
          "memory": "2Gi"
        }
      },
      "tiers": {
        "testnet": "test",
        "mainnet": "main"
      },
      "networks": {
        "main": {
          "mainnet": true,
          "section": "main",
          "select": "",
          "datadir": "",
          "ports": {
            "p2p": 9401,
            "rpc": 9402
          },
          "storage": {
            "minimum": "20Gi",
            "default": "50Gi",
            "minimumTxindex": "25Gi",
            "defaultTxindex": "60Gi"
          },
          "readiness": {
            "maxTipAge": "30m",
            "minPeers": 1
          },
          "initialSync": "3d",
          "alerts": {
            "blockTime": "90s",
            "headStalledAfter": "30m",
            "notSyncedFor": "2h",
            "noPeersFor": "10m"
          }
        },
        "test": {
          "mainnet": false,
          "section": "test",
          "select": "testnet=1",
          "datadir": "testnet4",
          "ports": {
            "p2p": 19403,
            "rpc": 19402
          },
          "storage": {
            "minimum": "5Gi",
            "default": "20Gi",
            "minimumTxindex": "6Gi",
            "defaultTxindex": "24Gi"
          },
          "readiness": {
            "maxTipAge": "2h",
            "minPeers": 1
          },
          "initialSync": "1d",
          "alerts": {
            "blockTime": "90s",
            "headStalledAfter": "6h",
            "notSyncedFor": "12h",
            "noPeersFor": "30m"
          }
        },
        "regtest": {
          "mainnet": false,
          "section": "regtest",
          "select": "regtest=1",
          "datadir": "regtest",
          "ports": {
            "p2p": 20444,
            "rpc": 19443
          },
          "storage": {
            "minimum": "1Gi",
            "default": "5Gi"
          },
          "readiness": {
            "maxTipAge": "0s",
            "minPeers": 0
          },
          "initialSync": "30m",
          "alerts": null
        }
      },
      "order": 30
    }
  }
];
