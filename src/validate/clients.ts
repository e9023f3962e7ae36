/**
 * What a rendered container runs, read back from the objects themselves (never from the
 * environment file): which client, on which network, with its data where. Policy rules judge
 * what would actually run, so a network flag slipped in through `extraArgs` is seen too.
 */
import { asArr, asObj, asStr, get, type ContainerView, type PodTemplate } from './objects.js';
import type { Lookup } from './rule.js';
import { builtInProfiles, type ChainProfiles } from '../chains/profiles.js';
import type { UtxoProfile } from '../chains/profile.js';

/**
 * The clients nodegen knows the facts of: `geth`, `lighthouse`, `prysm`, or the client of a chain
 * profile (`bitcoind`, `monacoind`, a project's `litecoind`).
 */
export type ClientKind = string;

/** What a container runs: its client, and the chain profile of a Bitcoin-family daemon. */
interface Identity {
  readonly client: ClientKind;
  readonly profile?: UtxoProfile;
}

const ETHEREUM_BINARIES: Record<string, ClientKind> = { geth: 'geth', lighthouse: 'lighthouse', 'beacon-chain': 'prysm' };

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** By program name: the Ethereum clients' and each profile's daemon. */
function binaries(chains: ChainProfiles): Map<string, Identity> {
  const out = new Map<string, Identity>(Object.entries(ETHEREUM_BINARIES).map(([bin, client]) => [bin, { client }]));
  for (const p of chains.values()) out.set(p.daemon, { client: p.client, profile: p });
  return out;
}

const binaryTables = new WeakMap<ChainProfiles, Map<string, Identity>>();

/** The client a container runs: from its command, else its image (Prysm uses its entrypoint), else its name. */
function identify(c: ContainerView, chains: ChainProfiles): Identity | undefined {
  let table = binaryTables.get(chains);
  if (!table) binaryTables.set(chains, (table = binaries(chains)));
  const bin = c.command[0] ? table.get(basename(c.command[0])) : undefined;
  if (bin) return bin;
  if (c.command.length === 0 && c.image) {
    const repo = c.image.split('@')[0]!.replace(/:[^/]*$/, '');
    if (repo.endsWith('prysm/beacon-chain')) return { client: 'prysm' };
    const name = basename(repo);
    if (name === 'client-go') return { client: 'geth' };
    if (table.has(name)) return table.get(name);
  }
  return c.name && c.command.length === 0 ? table.get(c.name) : undefined;
}

/** Identities by container view: a view belongs to one validation, whose profiles identified it. */
const identities = new WeakMap<ContainerView, Identity | null>();

/** Identifies every container of an environment's templates by the environment's chain profiles. */
export function identifyContainers(templates: readonly PodTemplate[], chains: ChainProfiles): void {
  for (const t of templates) for (const c of t.containers) identities.set(c, identify(c, chains) ?? null);
}

function identityOf(c: ContainerView): Identity | undefined {
  let id = identities.get(c);
  if (id === undefined) identities.set(c, (id = identify(c, builtInProfiles()) ?? null));
  return id ?? undefined;
}

/** The client a container runs, if nodegen knows it. */
export function clientOf(c: ContainerView): ClientKind | undefined {
  return identityOf(c)?.client;
}

/** The chain profile of a Bitcoin-family daemon's container. */
export function utxoProfileOf(c: ContainerView): UtxoProfile | undefined {
  return identityOf(c)?.profile;
}

/** One command-line option as written: `--http.api=eth`, `--http.api eth` or `-conf=/x`. */
export interface Flag {
  /** Without leading dashes. */
  readonly name: string;
  /** The value, or undefined for a bare flag. */
  readonly value: string | undefined;
  /** Index in the argument list. */
  readonly index: number;
}

/**
 * Parses arguments into flags. A flag without `=` takes the next argument as its value when that
 * does not look like a flag: `--http.api eth,net` is how geth reads it too.
 */
export function parseFlags(args: readonly string[], options: { readonly separateValues?: boolean } = {}): Flag[] {
  const out: Flag[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) continue;
    const body = a.replace(/^-+/, '');
    const eq = body.indexOf('=');
    if (eq >= 0) {
      out.push({ name: body.slice(0, eq), value: body.slice(eq + 1), index: i });
    } else if (options.separateValues !== false && i + 1 < args.length && !args[i + 1]!.startsWith('-')) {
      out.push({ name: body, value: args[i + 1], index: i });
      i++;
    } else {
      out.push({ name: body, value: undefined, index: i });
    }
  }
  return out;
}

/** Flags by container: several rules ask for the flags of every container, some more than once. */
const flagsOf = new WeakMap<ContainerView, readonly Flag[]>();

/** The flags of a container: command after the binary, then args. */
export function containerFlags(c: ContainerView): readonly Flag[] {
  let flags = flagsOf.get(c);
  if (!flags) {
    // bitcoind-style daemons never take a separate value; a bare token after a flag is an error there.
    flags = parseFlags([...c.command.slice(1), ...c.args], { separateValues: utxoProfileOf(c) === undefined });
    flagsOf.set(c, flags);
  }
  return flags;
}

/** The network a container's client runs, and whether it is that chain's mainnet. */
export interface NetworkChoice {
  readonly network: string;
  readonly mainnet: boolean;
  /** Where the choice was read (`args`, `bitcoin.conf`, or `default` when nothing selects one). */
  readonly source: string;
}

const GETH_NETWORK_FLAGS = ['mainnet', 'sepolia', 'hoodi', 'holesky', 'goerli', 'dev'];
const GETH_NETWORK_IDS: Record<string, string> = { '1': 'mainnet', '11155111': 'sepolia', '560048': 'hoodi', '17000': 'holesky' };

function truthy(v: string | undefined): boolean {
  return v === undefined || !['0', 'false', ''].includes(v.toLowerCase());
}

/** The text of a file mounted from a ConfigMap of the environment, by its path in the container. */
export function mountedConfigFile(t: PodTemplate, c: ContainerView, path: string, find: Lookup): string | undefined {
  for (const raw of asArr(c.c['volumeMounts'])) {
    const m = asObj(raw);
    const mountPath = asStr(m?.['mountPath']);
    if (!m || !mountPath || !path.startsWith(mountPath.endsWith('/') ? mountPath : `${mountPath}/`)) continue;
    const rel = path.slice(mountPath.length).replace(/^\//, '');
    const volume = t.volumes.find((v) => v['name'] === m['name']);
    const cmName = asStr(get(volume, 'configMap', 'name'));
    if (!cmName) continue;
    const items = asArr(get(volume, 'configMap', 'items')).map(asObj);
    const key = items.length > 0 ? asStr(items.find((it) => it?.['path'] === rel)?.['key']) : rel;
    const cm = find('ConfigMap', t.entry.namespace, cmName);
    const text = key === undefined ? undefined : asStr(get(cm?.object, 'data', key));
    if (text !== undefined) return text;
  }
  return undefined;
}

type ConfValues = { readonly global: ReadonlyMap<string, string>; readonly sections: ReadonlyMap<string, ReadonlyMap<string, string>> };

/** Parsed conf files by text: every node of a chain mounts the same few. */
const confs = new Map<string, ConfValues>();

/** `key=value` lines of a bitcoin.conf-style file before its first `[section]`, and the section that applies. */
export function confValues(text: string): ConfValues {
  let values = confs.get(text);
  if (!values) {
    values = parseConf(text);
    if (confs.size >= 1_000) confs.clear();
    confs.set(text, values);
  }
  return values;
}

function parseConf(text: string): ConfValues {
  const global = new Map<string, string>();
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> = global;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = sections.get(section[1]!) ?? new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
    else current.set(line, '1');
  }
  return { global, sections };
}

/** The conf file a chain profile's daemon (bitcoind, monacoind...) reads (`-conf=`), if it comes from a ConfigMap. */
export function utxoConf(t: PodTemplate, c: ContainerView, find: Lookup): { readonly file: string; readonly text: string } | undefined {
  const conf = containerFlags(c).filter((f) => f.name === 'conf').pop()?.value;
  if (!conf) return undefined;
  const text = mountedConfigFile(t, c, conf, find);
  return text === undefined ? undefined : { file: basename(conf), text };
}

/** Chain selection options of Bitcoin Core and Monacoin, in the order the daemons resolve them. */
function utxoNetwork(values: ReadonlyMap<string, string | undefined>): string | undefined {
  const chain = values.get('chain');
  if (chain) return chain;
  for (const [key, network] of [['regtest', 'regtest'], ['signet', 'signet'], ['testnet4', 'testnet4'], ['testnet', 'test']] as const) {
    if (values.has(key) && truthy(values.get(key))) return network;
  }
  return undefined;
}

/**
 * The network a container runs. Each client's own default applies when nothing selects one:
 * geth, Lighthouse, Prysm and every Bitcoin-family daemon default to their mainnet.
 */
export function networkOf(t: PodTemplate, c: ContainerView, find: Lookup): NetworkChoice | undefined {
  // Two rules ask for every container's network; a bitcoind's means parsing its conf file.
  // (A container view belongs to one validation, so one template and one lookup.)
  if (networks.has(c)) return networks.get(c);
  const choice = readNetwork(t, c, find);
  networks.set(c, choice);
  return choice;
}

const networks = new WeakMap<ContainerView, NetworkChoice | undefined>();

function readNetwork(t: PodTemplate, c: ContainerView, find: Lookup): NetworkChoice | undefined {
  const client = clientOf(c);
  if (!client) return undefined;
  const profile = utxoProfileOf(c);
  if (profile) {
    const flags = containerFlags(c);
    const mainnet = (network: string) => profile.networks[network]?.mainnet ?? network === 'main';
    // The command line wins over the conf file.
    const fromArgs = utxoNetwork(new Map(flags.map((f) => [f.name, f.value])));
    if (fromArgs) return { network: fromArgs, mainnet: mainnet(fromArgs), source: 'args' };
    const conf = utxoConf(t, c, find);
    const fromConf = conf ? utxoNetwork(confValues(conf.text).global) : undefined;
    if (fromConf) return { network: fromConf, mainnet: mainnet(fromConf), source: conf!.file };
    return { network: 'main', mainnet: true, source: 'default' };
  }
  const flags = containerFlags(c);
  const last = (name: string) => flags.filter((f) => f.name === name).pop();
  switch (client) {
    case 'geth': {
      const chosen = flags.filter((f) => GETH_NETWORK_FLAGS.includes(f.name) && truthy(f.value)).map((f) => f.name);
      const id = last('networkid')?.value;
      const network = chosen.pop() ?? (id ? GETH_NETWORK_IDS[id] ?? `networkid ${id}` : undefined);
      return network ? { network, mainnet: network === 'mainnet', source: 'args' } : { network: 'mainnet', mainnet: true, source: 'default' };
    }
    case 'lighthouse': {
      const network = last('network')?.value;
      return network ? { network, mainnet: network === 'mainnet', source: 'args' } : { network: 'mainnet', mainnet: true, source: 'default' };
    }
    case 'prysm': {
      const chosen = flags.filter((f) => ['mainnet', 'sepolia', 'hoodi', 'holesky'].includes(f.name) && truthy(f.value)).map((f) => f.name);
      const network = chosen.pop();
      return network ? { network, mainnet: network === 'mainnet', source: 'args' } : { network: 'mainnet', mainnet: true, source: 'default' };
    }
  }
  return undefined;
}

/** The data directory a client is told to use. */
export function dataDirOf(t: PodTemplate, c: ContainerView, find: Lookup): string | undefined {
  const fromArgs = containerFlags(c).filter((f) => f.name === 'datadir').pop()?.value;
  if (fromArgs) return fromArgs;
  if (utxoProfileOf(c)) {
    const conf = utxoConf(t, c, find);
    return conf ? confValues(conf.text).global.get('datadir') : undefined;
  }
  return undefined;
}

/** Whether a chain profile's daemon builds the full transaction index (`txindex`), from its args or conf file. */
export function txindexOf(t: PodTemplate, c: ContainerView, find: Lookup): boolean {
  const fromArgs = containerFlags(c).filter((f) => f.name === 'txindex').pop();
  const conf = utxoConf(t, c, find);
  const v = fromArgs ? (fromArgs.value ?? '1') : conf ? confValues(conf.text).global.get('txindex') : undefined;
  return v !== undefined && v !== '0' && v !== 'false';
}

/** The prune target in MiB of a chain profile's daemon (0 when unpruned). */
export function pruneOf(t: PodTemplate, c: ContainerView, find: Lookup): number {
  const fromArgs = containerFlags(c).filter((f) => f.name === 'prune').pop()?.value;
  const conf = utxoConf(t, c, find);
  const v = fromArgs ?? (conf ? confValues(conf.text).global.get('prune') : undefined);
  const n = Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
}
