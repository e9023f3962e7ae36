/**
 * ZeroMQ notifications of Bitcoin-family daemons: the topics, the endpoints of a node's profile
 * (each profile's `zmq.ports`, src/chains/profiles/*.yaml), and the conf lines that turn them on.
 *
 * Facts, read in the daemons' sources (Monacoin at v0.20.3, the newest tag of monacoinproject/monacoin
 * available here; the pinned 0.20.4 is a later patch release of the same line):
 * - The options are registered `ArgsManager::ALLOW_ANY` without `NETWORK_ONLY` (Monacoin v0.20.3
 *   `src/init.cpp:478-481`; Bitcoin Core `src/init.cpp` `-zmqpubsequence=<address>`, read at master
 *   commit 0000fb3f, the v30.2 tag was not available to read), so they apply from the global part
 *   of the conf file on every network: unlike `port` or `rpcport` they need no `[section]`.
 * - Monacoin 0.20 publishes `hashblock`, `hashtx`, `rawblock`, `rawtx` only
 *   (`src/zmq/zmqnotificationinterface.cpp:45-48` at v0.20.3); `sequence` arrived in Bitcoin Core
 *   0.21. An unknown key in the conf file stops Monacoin at startup ("Invalid configuration value",
 *   `src/util/system.cpp:743` at v0.20.3), so `sequence` is refused for monacoind.
 * - A daemon built without ZeroMQ accepts the options as hidden arguments and ignores them
 *   (`src/init.cpp:486-495` at v0.20.3): the README says how to check a running node
 *   (`getzmqnotifications`).
 * - ZeroMQ has no authentication: whoever reaches the port reads every notification. The ports are
 *   therefore never on a public Service and admitted only from the consumers' namespaces.
 *
 * Ports: one socket per topic, so a consumer that wants one address per topic (LND's
 * `bitcoind.zmqpubrawblock`/`zmqpubrawtx`, the common 28332/28333 split) and one that subscribes
 * to several topics can both connect. Bitcoin follows that convention from 28332 (rawblock 28332,
 * rawtx 28333, hashblock 28334, sequence 28335, hashtx 28336); Monacoin starts at 29402, the port
 * of its own doc/zmq.md and contrib/zmq/zmq_sub.py (v0.20.3), with the same offsets.
 * @see https://github.com/bitcoin/bitcoin/blob/master/doc/zmq.md
 */
import { ConstructError } from '../errors.js';
import type { UtxoProfile } from './profile.js';
import type { UtxoConf } from './utxo.js';

/** A ZeroMQ notification topic (`-zmqpub<topic>=<address>`). */
export type ZmqTopic = 'rawblock' | 'rawtx' | 'hashblock' | 'hashtx' | 'sequence';

/** Every topic, in the order the conf lines and ports are written. */
export const ZMQ_TOPICS: readonly ZmqTopic[] = ['rawblock', 'rawtx', 'hashblock', 'sequence', 'hashtx'];

/** Topics switched on or off, as in the environment file (`zmq.rawblock: true`). */
export type ZmqTopics = Partial<Record<ZmqTopic, boolean>>;

/** One published topic: its conf key, port and port name. */
export interface ZmqEndpoint {
  readonly topic: ZmqTopic;
  /** The conf key, `zmqpub<topic>`. */
  readonly key: string;
  readonly port: number;
  /** The container and Service port name, `zmq-<topic>` (at most 15 characters). */
  readonly portName: string;
}

/**
 * The endpoints of the topics switched on, in ZMQ_TOPICS order. Throws, naming the node and the
 * key, for a topic the daemon does not publish.
 */
/** Why a profile's daemon cannot publish `topic`: the profile's reason, else what it lists. Said by the schema and by UtxoNode alike. */
export function unsupportedTopic(profile: Pick<UtxoProfile, 'displayName' | 'version' | 'file' | 'zmq'>, topic: ZmqTopic): string {
  return profile.zmq.unsupported[topic] ?? `${profile.displayName} ${profile.version} publishes no "${topic}" notifications (${profile.file} lists ${Object.keys(profile.zmq.ports).join(', ') || 'none'})`;
}

export function zmqEndpoints(node: string, profile: Pick<UtxoProfile, 'displayName' | 'version' | 'file' | 'zmq'>, topics: ZmqTopics): ZmqEndpoint[] {
  const out: ZmqEndpoint[] = [];
  for (const topic of ZMQ_TOPICS) {
    if (topics[topic] !== true) continue;
    const port = profile.zmq.ports[topic];
    if (port === undefined) {
      throw new ConstructError(`${node}: zmq.${topic}: ${unsupportedTopic(profile, topic)}`, { node, key: `zmq.${topic}` });
    }
    out.push({ topic, key: `zmqpub${topic}`, port, portName: `zmq-${topic}` });
  }
  return out;
}

/** The conf lines: each topic on its own port on every pod address (`tcp://0.0.0.0:<port>`). */
export function zmqConfLines(endpoints: readonly ZmqEndpoint[]): Array<readonly [string, string]> {
  return endpoints.map((e) => [e.key, `tcp://0.0.0.0:${e.port}`] as const);
}

/** A conf with the topics' lines added to its global part. */
export function withZmq(conf: UtxoConf, endpoints: readonly ZmqEndpoint[]): UtxoConf {
  return endpoints.length === 0 ? conf : { ...conf, global: [...conf.global, ...zmqConfLines(endpoints)] };
}
