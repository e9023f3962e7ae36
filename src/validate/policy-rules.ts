/**
 * Fleet policy: what a careful reviewer of a blockchain fleet refuses, judged on what would run
 * (the rendered objects) against what the environment declares (tier, sandbox, publicEndpoints).
 * Each rule is one small function; an environment may waive a policy rule for one node, with a
 * reason (`waivers:` in the environment file). The catalogue is in rules.ts.
 */
import { GETH_UNSAFE_APIS, gethStorage, type GethNetwork } from '../chains/geth.js';
import { CONSENSUS_MIN_STORAGE } from '../chains/consensus.js';
import { blobServingOf, consensusMinStorage } from '../chains/blobs.js';
import type { UtxoProfile } from '../chains/profile.js';
import { isCustomNode, isGethNode, type CustomNodeSpec } from '../environment/schema.js';
import { COOKIE_USER, DANGEROUS_METHODS, READ_AND_BROADCAST_METHODS } from '../chains/rpc-methods.js';
import { forksMissed, newestKnown, requiredVersion, versionOfImage, type ForkClient } from '../chains/forks.js';
import { clientOf, containerFlags, utxoConf, utxoProfileOf, dataDirOf, networkOf, pruneOf, txindexOf, type ClientKind, type Flag } from './clients.js';
import { CLUSTER_SCOPED_KINDS, asArr, asObj, asStr, asStrs, get, joinPath, strings, stringsWhere, type ContainerView, type PodTemplate } from './objects.js';
import { formatBytes, parseQuantity } from './quantity.js';
import { at, type Lookup, type ObjectEntry, type Rule, type SpecContext } from './rule.js';

/** `nodes.<node>.<path>` as written in the environment file, with the file that holds the node. */
function envKey(ctx: SpecContext, node: string | undefined, ...path: string[]): string {
  if (!node) return 'the environment file';
  const key = ['nodes', node, ...path].join('.');
  return `${key} in ${ctx.fileOf(['nodes', node, ...path])}`;
}

/**
 * The custom node (`client: custom`) whose main container `c` is: the node's StatefulSet and its
 * container named after the chain. Its declarations (network, data path, readiness) are what
 * the rules judge it by, since nothing rendered says what an unknown client does.
 */
function customNodeOf(ctx: SpecContext, t: PodTemplate, c: ContainerView): CustomNodeSpec | undefined {
  const node = t.entry.node;
  if (t.entry.kind !== 'StatefulSet' || node === undefined || t.entry.name !== node || !Object.hasOwn(ctx.spec.nodes, node)) return undefined;
  const n = ctx.spec.nodes[node]!;
  return isCustomNode(n) && !c.init && c.name === n.chain ? n : undefined;
}

/** Where a flag sits in a container: its index in command (after the binary) or args. */
function flagPath(c: ContainerView, f: Flag): string {
  const inCommand = c.command.length - 1;
  return f.index < inCommand ? joinPath(c.path, 'command', f.index + 1) : joinPath(c.path, 'args', f.index - Math.max(inCommand, 0));
}

function isLoopback(addr: string): boolean {
  return addr === 'localhost' || addr === '::1' || /^127\./.test(addr);
}

const GITOPS_GROUPS = ['argoproj.io/', 'source.toolkit.fluxcd.io/', 'kustomize.toolkit.fluxcd.io/'];

// ---------------------------------------------------------------------------------------------

/** Kinds that make something reachable from outside the cluster by themselves. */
const INGRESS_KINDS = new Set(['Ingress', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);

/** Why an object is a public endpoint, or undefined. */
function publicReason(e: ObjectEntry): string | undefined {
  if (INGRESS_KINDS.has(e.kind)) return `an ${e.kind} routes traffic from outside the cluster`;
  if (e.kind !== 'Service') return undefined;
  const type = get(e.object, 'spec', 'type');
  if (type === 'LoadBalancer') return 'a LoadBalancer Service gets an address outside the cluster';
  if (type === 'NodePort') return "a NodePort Service listens on every cluster node's address";
  if (asArr(get(e.object, 'spec', 'externalIPs')).length > 0) return 'a Service with externalIPs is reachable on those addresses';
  return undefined;
}

function exposeKey(e: ObjectEntry): string {
  return e.name.endsWith('-p2p') ? 'expose.p2p' : 'expose.rpc';
}

export const publicEndpointRule: Rule = {
  id: 'policy/public-endpoint',
  severity: 'error',
  title: 'public Services (LoadBalancer, NodePort, externalIPs) and Ingresses only where the environment allows them',
  explain:
    'A node reachable from outside the cluster is an attack surface and a bill. Only an environment with ' +
    '`publicEndpoints.allowed: true` (the nodetest sandbox) may have one. Fix: set `expose.rpc: private` and ' +
    '`expose.p2p: none` on the node, or move it to an environment that allows public endpoints.',
  waivable: true,
  check(ctx, report) {
    if (ctx.spec.publicEndpoints.allowed) return;
    for (const e of ctx.objects) {
      const why = publicReason(e);
      if (!why) continue;
      report(at(e, e.kind === 'Service' ? 'spec.type' : undefined,
        `${why}, but environment "${ctx.env}" does not allow public endpoints (publicEndpoints.allowed is false)`,
        e.node
          ? `set ${envKey(ctx, e.node, exposeKey(e))} to ${exposeKey(e) === 'expose.p2p' ? 'none' : 'private'}; public endpoints belong in an environment with publicEndpoints.allowed: true`
          : 'remove the public endpoint; public endpoints belong in an environment with publicEndpoints.allowed: true'));
    }
  },
  checkSpec(ctx, report) {
    if (ctx.spec.publicEndpoints.allowed) return;
    for (const [node, n] of Object.entries(ctx.spec.nodes)) {
      for (const [key, value, off, object] of [
        ['rpc', n.expose?.rpc, 'private', `Service/${node}`],
        ['p2p', n.expose?.p2p, 'none', `Service/${node}-p2p`],
      ] as const) {
        if (value === undefined || value === off) continue;
        const where = ctx.locate(['nodes', node, 'expose', key]);
        report({
          object, node, file: where.file, line: where.line, path: `nodes.${node}.expose.${key}`,
          message: `expose.${key}: ${value} makes node "${node}" reachable from outside the cluster, but environment "${ctx.env}" does not allow public endpoints (publicEndpoints.allowed is false)`,
          fix: `set nodes.${node}.expose.${key}: ${off}`,
        });
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

const OPEN = new Set(['0.0.0.0/0', '::/0']);
const INGRESS_ALLOWLIST = ['nginx.ingress.kubernetes.io/whitelist-source-range', 'nginx.ingress.kubernetes.io/allowlist-source-range'];

export const publicSourceRangesRule: Rule = {
  id: 'policy/public-source-ranges',
  severity: 'error',
  title: "a public endpoint admits only the environment's source ranges",
  explain:
    "Where public endpoints are allowed, each LoadBalancer must list `loadBalancerSourceRanges`, all of them from the environment's " +
    '`publicEndpoints.sourceRanges` and none open to everyone (0.0.0.0/0, ::/0). A NodePort cannot be limited by source, and a ' +
    "P2P Service is open to every peer by design: expose P2P only with a waiver that says why the node must take inbound peers.",
  waivable: true,
  check(ctx, report) {
    const allowed = new Set(ctx.spec.publicEndpoints.sourceRanges);
    for (const e of ctx.objects) {
      const type = get(e.object, 'spec', 'type');
      if (e.kind === 'Service' && type === 'LoadBalancer') {
        const ranges = asStrs(get(e.object, 'spec', 'loadBalancerSourceRanges'));
        const p2p = e.name.endsWith('-p2p');
        if (ranges.length === 0) {
          report(at(e, 'spec.loadBalancerSourceRanges', 'the LoadBalancer has no loadBalancerSourceRanges: it admits every address on the internet',
            p2p
              ? `set ${envKey(ctx, e.node, 'expose.p2p')}: none, or, if the node must accept inbound peers, add a waiver { rule: policy/public-source-ranges, node: ${e.node ?? '<node>'}, reason: "..." }`
              : 'set publicEndpoints.sourceRanges in the environment file to the ranges that may connect'));
          continue;
        }
        ranges.forEach((r, i) => {
          const path = joinPath('spec.loadBalancerSourceRanges', i);
          if (OPEN.has(r)) report(at(e, path, `source range ${r} admits every address`, 'list only the ranges that must connect in publicEndpoints.sourceRanges'));
          else if (!allowed.has(r)) report(at(e, path, `source range ${r} is not one of the environment's publicEndpoints.sourceRanges (${[...allowed].join(', ') || 'none'})`, 'add the range to publicEndpoints.sourceRanges in the environment file, or remove it'));
        });
      } else if (e.kind === 'Service' && type === 'NodePort') {
        report(at(e, 'spec.type', "a NodePort Service cannot be limited to source ranges: it listens on every cluster node's address",
          `set ${envKey(ctx, e.node, exposeKey(e))} to ${exposeKey(e) === 'expose.p2p' ? 'loadBalancer (with a waiver) or none' : 'private'}`));
      } else if (e.kind === 'Ingress') {
        const annotations = asObj(get(e.object, 'metadata', 'annotations')) ?? {};
        if (!INGRESS_ALLOWLIST.some((a) => typeof annotations[a] === 'string' && annotations[a] !== '')) {
          report(at(e, 'metadata.annotations', 'the Ingress admits every address (no source-range allowlist annotation)', `annotate it with ${INGRESS_ALLOWLIST[1]} set to the environment's publicEndpoints.sourceRanges`));
        }
      }
    }
  },
  checkSpec(ctx, report) {
    for (const [node, n] of Object.entries(ctx.spec.nodes)) {
      if (n.expose?.rpc === 'public' && ctx.spec.publicEndpoints.sourceRanges.length === 0) {
        const where = ctx.locate(['nodes', node, 'expose', 'rpc']);
        report({
          object: `Service/${node}`, node, file: where.file, line: where.line, path: `nodes.${node}.expose.rpc`,
          message: `public RPC of node "${node}" would admit every address: the environment lists no publicEndpoints.sourceRanges`,
          fix: 'set publicEndpoints.sourceRanges to the ranges that may connect, or set expose.rpc: private',
        });
      }
      if (n.expose?.p2p !== undefined && n.expose.p2p !== 'none') {
        const where = ctx.locate(['nodes', node, 'expose', 'p2p']);
        report({
          object: `Service/${node}-p2p`, node, file: where.file, line: where.line, path: `nodes.${node}.expose.p2p`,
          message: `expose.p2p: ${n.expose.p2p} opens node "${node}" to every address`,
          fix: `set expose.p2p: none, or, if the node must accept inbound peers, add a waiver { rule: policy/public-source-ranges, node: ${node}, reason: "..." }`,
        });
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

/** JSON-RPC namespaces never served beyond the pod (`personal` is gone from geth but refused all the same). */
export const UNSAFE_RPC_NAMESPACES: readonly string[] = [...new Set([...GETH_UNSAFE_APIS, 'personal'])];

const GETH_ENDPOINTS = [
  { enable: 'http', api: 'http.api', addr: 'http.addr', what: 'HTTP JSON-RPC' },
  { enable: 'ws', api: 'ws.api', addr: 'ws.addr', what: 'WebSocket JSON-RPC' },
] as const;

function lastFlag(flags: readonly Flag[], name: string): Flag | undefined {
  return flags.filter((f) => f.name === name).pop();
}

function enabled(flags: readonly Flag[], name: string): boolean {
  const f = lastFlag(flags, name);
  return f !== undefined && (f.value === undefined || f.value === 'true');
}

export const rpcNamespacesRule: Rule = {
  id: 'policy/rpc-namespaces',
  severity: 'error',
  title: 'no admin, debug, personal, miner, txpool or engine namespace on an RPC endpoint reachable from outside the pod',
  explain:
    "geth serves the namespaces of `--http.api` and `--ws.api` to anyone who reaches the port: `admin` manages peers and " +
    '`debug` traces can exhaust the node, `miner` and `txpool` expose internals, `personal` handled keys. An endpoint bound ' +
    'to anything but 127.0.0.1 is reachable from outside the pod, so these namespaces are refused there (and the Engine ' +
    'API, `--authrpc.addr`, must stay on localhost). Fix: drop them from `httpApi` (and `extraArgs`); use `geth attach` in the pod for administration.',
  waivable: true,
  check(ctx, report) {
    for (const t of ctx.templates) {
      for (const c of t.containers.filter((x) => clientOf(x) === 'geth')) {
        const flags = containerFlags(c);
        for (const ep of GETH_ENDPOINTS) {
          if (!enabled(flags, ep.enable)) continue;
          const addr = lastFlag(flags, ep.addr)?.value ?? 'localhost';
          if (isLoopback(addr)) continue;
          for (const f of flags.filter((x) => x.name === ep.api)) {
            const unsafe = (f.value ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => UNSAFE_RPC_NAMESPACES.includes(s));
            if (unsafe.length === 0) continue;
            report(at(t.entry, flagPath(c, f),
              `geth serves ${unsafe.map((u) => `"${u}"`).join(', ')} on ${ep.what} (--${ep.api}), bound to ${addr}: reachable from outside the pod`,
              `remove ${unsafe.join(', ')} from ${envKey(ctx, t.entry.node, 'httpApi')} (and from extraArgs); administer the node with \`kubectl exec ... geth attach\``));
          }
        }
        const auth = lastFlag(flags, 'authrpc.addr');
        if (auth?.value !== undefined && !isLoopback(auth.value)) {
          report(at(t.entry, flagPath(c, auth), `the Engine API (--authrpc.addr=${auth.value}) is reachable from outside the pod`,
            `keep --authrpc.addr=127.0.0.1: the consensus client runs in the same pod; remove the flag from ${envKey(ctx, t.entry.node, 'extraArgs')}`));
        }
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

const WILDCARD_FLAGS: Partial<Record<ClientKind, readonly string[]>> = {
  geth: ['http.corsdomain', 'ws.origins', 'http.vhosts', 'ws.vhosts', 'graphql.corsdomain', 'graphql.vhosts', 'authrpc.vhosts'],
  lighthouse: ['http-allow-origin'],
  prysm: ['http-cors-domain', 'grpc-gateway-corsdomain'],
};

export const corsVhostsRule: Rule = {
  id: 'policy/cors-vhosts',
  severity: 'error',
  title: 'CORS origins and virtual hosts "*" only in a sandbox',
  explain:
    '`--http.corsdomain=*` lets any web page a user opens call the node from their browser, and `--http.vhosts=*` disables ' +
    "geth's DNS-rebinding protection. Outside an environment with `sandbox: true`, list the origins (`corsDomains`) and host names explicitly.",
  waivable: true,
  check(ctx, report) {
    if (ctx.spec.sandbox) return;
    for (const t of ctx.templates) {
      for (const c of t.containers) {
        const client = clientOf(c);
        const names = client ? WILDCARD_FLAGS[client] : undefined;
        if (!names) continue;
        for (const f of containerFlags(c).filter((x) => names.includes(x.name))) {
          if (!(f.value ?? '').split(',').map((s) => s.trim()).includes('*')) continue;
          const key = f.name.includes('vhosts') ? 'extraArgs' : client === 'geth' ? 'corsDomains' : 'consensus.extraArgs';
          report(at(t.entry, flagPath(c, f), `--${f.name}=${f.value ?? ''} admits every ${f.name.includes('vhosts') ? 'host name' : 'browser origin'}, but environment "${ctx.env}" is not a sandbox`,
            `list the allowed ${f.name.includes('vhosts') ? 'host names' : 'origins'} explicitly in ${envKey(ctx, t.entry.node, key)}`));
        }
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

export const networkTierRule: Rule = {
  id: 'policy/network-tier',
  severity: 'error',
  title: 'mainnet only in environments with tier: mainnet, and testnets never there',
  explain:
    'A testnet environment running mainnet spends real resources (and may hold real value) under testnet controls; a ' +
    'mainnet environment running a testnet serves wrong data to production. The network is read from what would run: ' +
    "geth's and the consensus client's flags, bitcoind's and monacoind's conf file and arguments (with each client's own " +
    'default, mainnet, when nothing selects one); a custom node (`client: custom`), whose flags nodegen cannot read, by its ' +
    'declared `mainnet`.',
  waivable: true,
  check(ctx, report) {
    const mainnetTier = ctx.spec.tier === 'mainnet';
    for (const t of ctx.templates) {
      for (const c of t.containers.filter((x) => !x.init)) {
        const custom = customNodeOf(ctx, t, c);
        // Nothing rendered says which network an unknown client joins: its node declares it.
        if (custom && !clientOf(c)) {
          if (custom.mainnet === mainnetTier) continue;
          report(at(t.entry, c.path,
            `custom node ${t.entry.node} runs ${custom.chain} ${custom.network}, declared ${custom.mainnet ? 'mainnet (mainnet: true)' : 'a test network (mainnet: false)'}, in environment "${ctx.env}", whose tier is ${ctx.spec.tier}`,
            mainnetTier
              ? `run ${custom.chain}'s mainnet here (network, mainnet: true and the client's own arguments in ${envKey(ctx, t.entry.node)}); test networks belong in a testnet-tier environment`
              : `run a test network here (network, mainnet: false and the client's own arguments in ${envKey(ctx, t.entry.node)}); mainnet belongs in an environment with tier: mainnet`));
          continue;
        }
        const choice = networkOf(t, c, ctx.find);
        if (!choice || choice.mainnet === mainnetTier) continue;
        const client = clientOf(c)!;
        const how = choice.source === 'default' ? `no network is selected, so ${client} runs its default, mainnet` : `${client} runs ${choice.network} (from ${choice.source})`;
        // The consensus client follows its geth node's network: one key for both.
        const key = 'network';
        report(at(t.entry, c.path,
          mainnetTier ? `${how}, a test network, in mainnet-tier environment "${ctx.env}"` : `${how} in environment "${ctx.env}", whose tier is testnet`,
          mainnetTier
            ? `remove ${envKey(ctx, t.entry.node, key)} (the mainnet tier defaults to mainnet) and any network flag in extraArgs; test networks belong in a testnet-tier environment`
            : `set ${envKey(ctx, t.entry.node, key)} to a test network (or remove it and any mainnet flag in extraArgs); mainnet belongs in an environment with tier: mainnet`));
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

/** Why an image reference is not pinned, or undefined when it is. */
export function unpinnedReason(image: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  if (colon < 0) return 'has no tag, so it pulls "latest"';
  const tag = last.slice(colon + 1);
  if (tag === 'latest') return 'uses the tag "latest", which moves';
  if (!/[0-9]/.test(tag)) return `uses the tag "${tag}", which names no version and moves`;
  return undefined;
}

export const imagePinnedRule: Rule = {
  id: 'policy/image-pinned',
  severity: 'error',
  title: 'images are pinned to a version tag or a digest (a warning in a sandbox)',
  explain:
    'An untagged image, `latest` or another moving tag (`stable`, `edge`) changes under a running fleet: two replicas run ' +
    'different clients and a rollback has nothing to go back to. Pin a release tag (`ethereum/client-go:v1.17.5`) or a ' +
    'digest (`@sha256:...`). In a sandbox (`sandbox: true`) this is a warning.',
  waivable: true,
  check(ctx, report) {
    for (const { t, c, why, key } of imageFindings(ctx, unpinnedReason)) {
      report(at(t.entry, joinPath(c.path, 'image'), `image "${c.image}" of container "${c.name ?? '?'}" ${why}`,
        `pin ${envKey(ctx, t.entry.node, key)} to a release tag or a digest (such as ethereum/client-go:v1.17.5 or repo@sha256:...)`,
        ctx.spec.sandbox ? 'warning' : undefined));
    }
  },
};

/** Every container whose image `reason` objects to, with the environment key that sets the image. */
function* imageFindings(ctx: { readonly templates: readonly PodTemplate[] }, reason: (image: string) => string | undefined) {
  for (const t of ctx.templates) {
    for (const c of t.containers) {
      const why = c.image === undefined ? undefined : reason(c.image);
      if (!why) continue;
      const client = clientOf(c);
      yield { t, c, why, key: client === 'lighthouse' || client === 'prysm' ? 'consensus.image' : 'image' };
    }
  }
}

// ---------------------------------------------------------------------------------------------

export const resourcesRule: Rule = {
  id: 'policy/resources',
  severity: 'error',
  title: 'every container (init containers too) requests and is limited in CPU and memory',
  explain:
    'Without requests the scheduler packs a node that needs 16 GiB onto a machine with 4; without limits one syncing ' +
    'client starves its neighbours. Set `resources.requests` and `resources.limits` (cpu and memory) on the node, and ' +
    '`consensus.resources` for its consensus client.',
  waivable: true,
  check(ctx, report) {
    for (const t of ctx.templates) {
      for (const c of t.containers) {
        const missing: string[] = [];
        for (const part of ['requests', 'limits'] as const) {
          for (const r of ['cpu', 'memory'] as const) if (get(c.c, 'resources', part, r) === undefined) missing.push(`${part}.${r}`);
        }
        if (missing.length === 0) continue;
        const client = clientOf(c);
        const key = client === 'lighthouse' || client === 'prysm' ? 'consensus.resources' : 'resources';
        report(at(t.entry, joinPath(c.path, 'resources'), `${c.init ? 'init container' : 'container'} "${c.name ?? '?'}" has no ${missing.join(', ')}`,
          c.init ? 'the init container is written by nodegen: give it resources in its construct' : `set ${missing.map((m) => `${key}.${m}`).join(', ')} for ${envKey(ctx, t.entry.node)}`));
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

/**
 * The realistic minimum volume for a client on a network, or undefined when nodegen has no figure.
 * For geth it follows the history the flags keep (gc mode, chain history, index ranges; geth's own
 * defaults where a flag is absent), for a chain profile's daemon its network's figure with or
 * without `txindex`; a beacon node that serves blobs (its flags) keeps more columns.
 */
export function minimumStorage(client: ClientKind, network: string, flags: readonly Flag[] = [], txindex = false, profile?: UtxoProfile): string | undefined {
  if (profile) {
    const p = profile.networks[network];
    return p && (txindex ? p.minStorageTxindex : p.minStorage);
  }
  const last = (name: string) => flags.filter((f) => f.name === name).pop()?.value;
  switch (client) {
    case 'geth': {
      if (!(network in GETH_STORAGE_NETWORKS)) return undefined;
      const archive = last('gcmode') === 'archive';
      // Absent: geth's default of 2,350,000 blocks, not the whole chain.
      const whole = (name: string) => last(name) === '0';
      return gethStorage(network as GethNetwork, {
        gcMode: archive ? 'archive' : 'full',
        historyChain: last('history.chain') === 'postmerge' ? 'postmerge' : 'all',
        fullTransactionIndex: whole('history.transactions'),
        fullLogIndex: whole('history.logs') && !flags.some((f) => f.name === 'history.logs.disable' && f.value !== 'false'),
      }).min;
    }
    case 'lighthouse':
    case 'prysm':
      return network in CONSENSUS_MIN_STORAGE ? consensusMinStorage(CONSENSUS_MIN_STORAGE, network as GethNetwork, blobServingOf(flags.map((f) => f.name))) : undefined;
  }
  return undefined;
}

const GETH_STORAGE_NETWORKS: Record<GethNetwork, true> = { mainnet: true, sepolia: true, hoodi: true };

/** The mount holding a path: the one with the longest mount path that contains it. */
function mountFor(c: ContainerView, path: string): { readonly name: string; readonly mountPath: string } | undefined {
  let best: { name: string; mountPath: string } | undefined;
  for (const raw of asArr(c.c['volumeMounts'])) {
    const name = asStr(get(raw, 'name'));
    const mountPath = asStr(get(raw, 'mountPath'))?.replace(/\/+$/, '') ?? '';
    if (name === undefined) continue;
    if ((path === mountPath || path.startsWith(`${mountPath}/`)) && (!best || mountPath.length > best.mountPath.length)) best = { name, mountPath };
  }
  return best;
}

/** The size of a volume: a claim template's request, an emptyDir's limit or a claim of the environment. */
function volumeSize(t: PodTemplate, name: string, find: Lookup):
  { readonly kind: 'claim' | 'emptyDir' | 'other'; readonly size?: string; readonly path: string } {
  const ci = t.claims.findIndex((c) => get(c, 'metadata', 'name') === name);
  if (ci >= 0) {
    return { kind: 'claim', size: asStr(get(t.claims[ci], 'spec', 'resources', 'requests', 'storage')), path: joinPath('spec.volumeClaimTemplates', ci, 'spec.resources.requests.storage') };
  }
  const vi = t.volumes.findIndex((v) => v['name'] === name);
  const v = t.volumes[vi];
  const path = joinPath(t.specPath, 'volumes', vi);
  if (v && asObj(v['emptyDir'])) return { kind: 'emptyDir', size: asStr(get(v, 'emptyDir', 'sizeLimit')), path: joinPath(path, 'emptyDir.sizeLimit') };
  const claimName = asStr(get(v, 'persistentVolumeClaim', 'claimName'));
  const pvc = claimName === undefined ? undefined : find('PersistentVolumeClaim', t.entry.namespace, claimName);
  if (pvc) return { kind: 'claim', size: asStr(get(pvc.object, 'spec', 'resources', 'requests', 'storage')), path };
  return { kind: 'other', path };
}

export const storageRule: Rule = {
  id: 'policy/storage',
  severity: 'error',
  title: "chain data is on a persistent volume (emptyDir only in a sandbox) at least the chain and network's realistic minimum",
  explain:
    'A volume smaller than the chain fills up mid-sync and the node stops; an emptyDir loses days of sync on every ' +
    'restart. Each client\'s data directory must be on a persistent volume at least the realistic minimum for its chain and ' +
    'network and the history it keeps (gethStorage; CONSENSUS_MIN_STORAGE plus the blob columns a supernode or ' +
    'semi-supernode keeps, src/chains/blobs.ts, read from its flags; for a chain profile, bitcoind and monacoind included, ' +
    'its `networks.<network>.storage` with or without txindex); only a sandbox may use `storage.ephemeral`. Pruned nodes of ' +
    "a chain profile are not held to the unpruned minimum. A custom node's `dataPath` must be on its volume too; nodegen " +
    "knows no minimum for its chain, so its `storage.size` is its reviewer's.",
  waivable: true,
  check(ctx, report) {
    for (const t of ctx.templates) {
      for (const c of t.containers.filter((x) => !x.init)) {
        const client = clientOf(c);
        // A custom node's data is where it says; nodegen has no minimum size for its chain.
        const custom = client ? undefined : customNodeOf(ctx, t, c);
        if (!client && !custom) continue;
        const who = client ?? custom!.chain;
        const consensus = client === 'lighthouse' || client === 'prysm';
        const key = consensus ? 'consensus.storage.size' : 'storage.size';
        const dir = custom ? custom.dataPath : dataDirOf(t, c, ctx.find);
        const mount = dir ? mountFor(c, dir) : undefined;
        if (!dir || !mount) {
          report(at(t.entry, c.path, `${who} keeps its chain data ${dir ? `in ${dir}, which is on no volume` : 'in its default directory, which is on no volume'}: it is lost whenever the container restarts`,
            'the container is written by nodegen: give it --datadir on a volume claim template in its construct'));
          continue;
        }
        const vol = volumeSize(t, mount.name, ctx.find);
        if (vol.kind === 'emptyDir' && !ctx.spec.sandbox) {
          report(at(t.entry, vol.path.replace(/\.emptyDir\.sizeLimit$/, ''), `${who}'s data (${dir}) is on an emptyDir: every restart loses the chain and resyncs from scratch`,
            `remove ${envKey(ctx, t.entry.node, consensus ? 'consensus.storage.ephemeral' : 'storage.ephemeral')}: throwaway storage is only for a sandbox`));
          continue;
        }
        if (vol.size === undefined || !client) continue;
        const network = networkOf(t, c, ctx.find);
        if (!network) continue;
        const profile = utxoProfileOf(c);
        if (profile && pruneOf(t, c, ctx.find) > 1) continue;
        const min = minimumStorage(client, network.network, containerFlags(c), txindexOf(t, c, ctx.find), profile);
        const have = parseQuantity(vol.size);
        const need = min === undefined ? undefined : parseQuantity(min);
        if (have === undefined || need === undefined || have >= need) continue;
        report(at(t.entry, vol.path, `${client} on ${network.network} gets ${vol.size}, below the realistic minimum of ${formatBytes(need)}`,
          `set ${envKey(ctx, t.entry.node, key)} to at least ${min} (volume claim templates cannot change after creation: resize the PVCs as \`nodegen list\` explains)`));
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

export const customReadinessRule: Rule = {
  id: 'policy/custom-readiness',
  severity: 'warning',
  title: 'a custom node outside a sandbox has a readiness probe that means synced',
  explain:
    'Only Ready replicas get RPC traffic, and nodegen cannot tell when an unknown client is synced: a custom node ' +
    '(`client: custom`) without a readiness probe is Ready as soon as its container runs, and one whose probe only ' +
    'checks that RPC answers serves stale data while it syncs. Outside an environment with `sandbox: true`, give it ' +
    '`readiness.command` that exits non-zero until the node is synced with its network (a client health endpoint, or a ' +
    'script comparing its height with its peers\') and say so with `readiness.meansSynced: true`; then the same command ' +
    'also guards the first sync as a startup probe. A warning: waive it for a node whose consumers can live with stale answers.',
  waivable: true,
  check(ctx, report) {
    customReadinessRule.checkSpec!(ctx, report);
  },
  checkSpec(ctx, report) {
    if (ctx.spec.sandbox) return;
    for (const [node, n] of Object.entries(ctx.spec.nodes)) {
      if (!isCustomNode(n) || n.readiness?.meansSynced === true) continue;
      const path = n.readiness ? ['nodes', node, 'readiness', 'meansSynced'] : ['nodes', node];
      const where = ctx.locate(n.readiness ? ['nodes', node, 'readiness'] : path);
      report({
        object: `StatefulSet/${node}`, node, file: where.file, line: where.line, path: path.join('.'),
        message: n.readiness
          ? `custom node "${node}" has a readiness probe that is not declared to mean synced: a replica may get RPC traffic while it still syncs`
          : `custom node "${node}" has no readiness probe: a replica is Ready, and gets RPC traffic, as soon as its container runs`,
        fix: `give nodes.${node}.readiness a command that fails until the node is synced with its network, with meansSynced: true (or waive policy/custom-readiness for ${node} with the reason)`,
      });
    }
  },
};

// ---------------------------------------------------------------------------------------------

const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/;
const RPC_PASSWORD = /(^|[^A-Za-z0-9_])-?rpcpassword\s*=/m;
const JWT_TOKEN = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
const HEX64 = /(0x)?[0-9a-fA-F]{64}/g;
const SECRET_ENV = /(PASSWORD|PASSWD|SECRET|PRIVATE_?KEY|TOKEN|MNEMONIC|SEED)/i;

/** Strong patterns, anywhere in dist/: what each means. */
const SECRET_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [PEM_PRIVATE_KEY, 'a PEM private key block'],
  [RPC_PASSWORD, 'an rpcpassword (use rpcauth salted hashes: `nodegen rpcauth <user>`)'],
  [JWT_TOKEN, 'a JSON Web Token'],
];

const HEX64_RUN = /[0-9a-fA-F]{64}/;

/** A cheap first test: most strings are short or hold no 64-hex run at all. */
function mayHoldHex64(s: string): boolean {
  return s.length >= 64 && HEX64_RUN.test(s);
}

/** 64-hex runs that are not a rpcauth HMAC (`$<hex>`) nor an image digest (`sha256:<hex>`). */
function hex64(s: string): string | undefined {
  for (const m of s.matchAll(HEX64)) {
    const i = m.index ?? 0;
    const before = s.slice(Math.max(0, i - 7), i);
    const whole = (i === 0 || !/[0-9A-Za-z]/.test(s[i - 1]!)) && !/[0-9A-Za-z]/.test(s[i + m[0].length] ?? '');
    if (!whole || before.endsWith('$') || before.endsWith('sha256:')) continue;
    return m[0];
  }
  return undefined;
}

const FIX_SECRET = 'keep secrets out of dist/ (it is committed): generate them in the pod (as the JWT is) or create them in the cluster (External Secrets, Secret Manager), and remove the value from the environment file (extraArgs)';

export const noSecretsRule: Rule = {
  id: 'policy/no-secrets',
  severity: 'error',
  title: 'no Secret objects, private keys, passwords or JWT material anywhere in dist/',
  explain:
    'dist/ is committed to git and read by every pipeline. It must hold no Secret object and no secret value: no PEM ' +
    'private key, no `rpcpassword=`, no JSON Web Token, no 64-hex key or JWT secret in a ConfigMap or a container ' +
    'argument, no literal value in an environment variable named like a password or token. `rpcauth=` salted hashes ' +
    'are allowed (`nodegen rpcauth <user>`); the JWT shared by geth and its consensus client is generated in the pod.',
  waivable: true,
  check(ctx, report) {
    const templateOf = new Map(ctx.templates.map((t) => [t.entry, t]));
    for (const file of ctx.files) {
      const found = new Set<string>();
      // Every string of every object is in the file's text: look closer only where the text matches.
      // (Each pattern reads the whole text once: at 5,000 nodes that is 95 MB.)
      const inText = SECRET_PATTERNS.map(([re]) => re.test(file.content));
      const suspect = inText.includes(true);
      for (const e of file.objects) {
        if (e.kind === 'Secret') report(at(e, undefined, 'a Secret object would be committed to git with dist/', FIX_SECRET));
        if (suspect) for (const { path, value } of strings(e.object)) {
          for (const [re, what] of SECRET_PATTERNS) {
            if (re.test(value)) {
              found.add(what);
              report(at(e, path, `${what} is in the rendered object`, FIX_SECRET));
            }
          }
        }
        const scanHex = (v: unknown, path: string, what: string) => {
          for (const s of stringsWhere(v, mayHoldHex64, path)) {
            const hex = hex64(s.value);
            if (hex) report(at(e, s.path, `${what} holds a 64-hex value (${hex.slice(0, 8)}...), which looks like a private key or JWT secret`, FIX_SECRET));
          }
        };
        if (e.kind === 'ConfigMap') scanHex(get(e.object, 'data'), 'data', 'the ConfigMap');
        const t = templateOf.get(e);
        if (t) {
          for (const c of t.containers) {
            scanHex(c.c['command'], joinPath(c.path, 'command'), `container "${c.name ?? '?'}"`);
            scanHex(c.c['args'], joinPath(c.path, 'args'), `container "${c.name ?? '?'}"`);
            asArr(c.c['env']).forEach((raw, i) => {
              const name = asStr(get(raw, 'name')) ?? '';
              const value = get(raw, 'value');
              const path = joinPath(c.path, 'env', i, 'value');
              if (typeof value === 'string' && value !== '' && SECRET_ENV.test(name)) {
                report(at(e, path, `environment variable ${name} of container "${c.name ?? '?'}" holds a literal value`, `${FIX_SECRET}; refer to a Secret created in the cluster with valueFrom.secretKeyRef`));
              } else scanHex(value, path, `environment variable ${name}`);
            });
          }
        }
      }
      // Text outside the objects (comments) is committed too.
      for (const [i, [, what]] of SECRET_PATTERNS.entries()) {
        if (!found.has(what) && inText[i]) {
          report({ object: '-', file: file.file, message: `${what} is in the file's text`, fix: FIX_SECRET });
        }
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

const GOOD_SECCOMP = new Set(['RuntimeDefault', 'Localhost']);

export const podSecurityRule: Rule = {
  id: 'policy/pod-security',
  severity: 'error',
  title: 'pods meet the restricted Pod Security Standard: non-root, no privilege escalation, capabilities dropped, seccomp set',
  explain:
    "The environment's namespace enforces the restricted Pod Security Standard, so a StatefulSet whose pods break it is " +
    'accepted and then never gets a pod. Every pod must run as non-root (`runAsNonRoot`, no UID 0), every container must ' +
    'set `allowPrivilegeEscalation: false` and drop ALL capabilities (adding back only NET_BIND_SERVICE), the pod or each ' +
    'container must set a RuntimeDefault or Localhost seccomp profile, and no host namespaces, host ports, host paths or privileged containers. ' +
    'It cannot be waived: the namespace would refuse the pods all the same.',
  waivable: false,
  check(ctx, report) {
    const fix = 'the pod is written by nodegen: fix the security context in its construct (src/constructs/blockchain-node.ts containerSecurity)';
    for (const t of ctx.templates) {
      const e = t.entry;
      const pod = asObj(t.spec['securityContext']) ?? {};
      for (const host of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
        if (t.spec[host] === true) report(at(e, joinPath(t.specPath, host), `${host}: true shares the node's namespaces with the pod`, fix));
      }
      t.volumes.forEach((v, i) => {
        if (v['hostPath'] !== undefined) report(at(e, joinPath(t.specPath, 'volumes', i, 'hostPath'), `volume "${String(v['name'])}" is a hostPath: the pod reads and writes the node's disk`, fix));
      });
      if (pod['runAsUser'] === 0) report(at(e, joinPath(t.specPath, 'securityContext.runAsUser'), 'the pod runs as UID 0 (root)', fix));
      const podSeccomp = asStr(get(pod, 'seccompProfile', 'type'));
      if (podSeccomp !== undefined && !GOOD_SECCOMP.has(podSeccomp)) report(at(e, joinPath(t.specPath, 'securityContext.seccompProfile.type'), `seccomp profile ${podSeccomp} is not allowed`, fix));
      for (const c of t.containers) {
        const sc = asObj(c.c['securityContext']) ?? {};
        const p = (s: string) => joinPath(c.path, 'securityContext', s);
        const who = `container "${c.name ?? '?'}"`;
        if (pod['runAsNonRoot'] !== true && sc['runAsNonRoot'] !== true) report(at(e, p('runAsNonRoot'), `${who} may run as root: neither it nor the pod sets runAsNonRoot: true`, fix));
        if (sc['runAsNonRoot'] === false) report(at(e, p('runAsNonRoot'), `${who} sets runAsNonRoot: false`, fix));
        if (sc['runAsUser'] === 0) report(at(e, p('runAsUser'), `${who} runs as UID 0 (root)`, fix));
        if (sc['allowPrivilegeEscalation'] !== false) report(at(e, p('allowPrivilegeEscalation'), `${who} does not set allowPrivilegeEscalation: false`, fix));
        if (sc['privileged'] === true) report(at(e, p('privileged'), `${who} is privileged`, fix));
        if (!asStrs(get(sc, 'capabilities', 'drop')).includes('ALL')) report(at(e, p('capabilities.drop'), `${who} does not drop ALL capabilities`, fix));
        const added = asStrs(get(sc, 'capabilities', 'add')).filter((a) => a !== 'NET_BIND_SERVICE');
        if (added.length > 0) report(at(e, p('capabilities.add'), `${who} adds capabilities ${added.join(', ')}`, fix));
        const seccomp = asStr(get(sc, 'seccompProfile', 'type'));
        if (seccomp !== undefined && !GOOD_SECCOMP.has(seccomp)) report(at(e, p('seccompProfile.type'), `${who} uses seccomp profile ${seccomp}`, fix));
        if (seccomp === undefined && (podSeccomp === undefined || !GOOD_SECCOMP.has(podSeccomp))) {
          report(at(e, p('seccompProfile'), `${who} has no seccomp profile, and the pod sets none`, fix));
        }
        asArr(c.c['ports']).forEach((port, i) => {
          const hp = get(port, 'hostPort');
          if (typeof hp === 'number' && hp !== 0) report(at(e, joinPath(c.path, 'ports', i, 'hostPort'), `${who} binds host port ${hp}`, fix));
        });
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

export const namespaceRule: Rule = {
  id: 'policy/namespace',
  severity: 'error',
  title: "every namespaced object names the environment's namespace",
  explain:
    "An object without `metadata.namespace` lands in whatever namespace the pipeline's kubectl context points at, possibly " +
    "another environment's. Every namespaced object must name the environment's `namespace`, and the Namespace object must " +
    "be that namespace. GitOps objects (Argo CD, Flux) live in their engine's namespace and are exempt.",
  waivable: false,
  check(ctx, report) {
    const want = ctx.spec.namespace;
    for (const e of ctx.objects) {
      if (e.kind === 'Namespace') {
        if (e.name !== want) report(at(e, 'metadata.name', `the Namespace object is "${e.name}", not the environment's namespace "${want}"`, 'the chart is written by nodegen: fix charts/namespace-chart.ts'));
        continue;
      }
      if (CLUSTER_SCOPED_KINDS.has(e.kind) || GITOPS_GROUPS.some((g) => e.apiVersion.startsWith(g))) continue;
      if (e.namespace !== want) {
        report(at(e, 'metadata.namespace', e.namespace === undefined ? `no namespace: kubectl would put it in its context's namespace, not "${want}"` : `namespace "${e.namespace}" is not the environment's namespace "${want}"`,
          'the object is written by nodegen: pass the environment namespace to its construct'));
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

/** Address ranges that are private to a network: RFC 1918, shared address space (RFC 6598), IPv6 unique local. */
const PRIVATE_V4: readonly [number, number][] = [
  [0x0a000000, 8], // 10.0.0.0/8
  [0xac100000, 12], // 172.16.0.0/12
  [0xc0a80000, 16], // 192.168.0.0/16
  [0x64400000, 10], // 100.64.0.0/10
];

/** Whether a CIDR block lies inside a private range. */
export function isPrivateCidr(cidr: string): boolean {
  const [address = '', lengthText = ''] = cidr.split('/');
  const length = Number(lengthText);
  if (address.includes(':')) {
    // fc00::/7: the first 7 bits are 1111110.
    const first = parseInt(address.split(':')[0] || '0', 16);
    return length >= 7 && (first & 0xfe00) === 0xfc00;
  }
  const octets = address.split('.').map(Number);
  const value = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  return PRIVATE_V4.some(([base, bits]) => length >= bits && value >>> (32 - bits) === base >>> (32 - bits));
}

export const clusterCidrsRule: Rule = {
  id: 'policy/cluster-cidrs',
  severity: 'error',
  title: "clusterCidrs are the cluster's private ranges (any range only in a sandbox)",
  explain:
    "`clusterCidrs` is what bitcoind's and monacoind's `rpcallowip` admits: RPC accepts logins from those addresses. A range " +
    'wider than the private ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7), such as 0.0.0.0/0, ' +
    "admits the internet wherever the port is reachable. Set it to your cluster's pod and service ranges; only a sandbox " +
    '(`sandbox: true`) may name other ranges.',
  waivable: false,
  check(ctx, report) {
    clusterCidrsRule.checkSpec!(ctx, report);
  },
  checkSpec(ctx, report) {
    if (ctx.spec.sandbox) return;
    ctx.spec.clusterCidrs.forEach((cidr, i) => {
      if (isPrivateCidr(cidr)) return;
      const where = ctx.locate(['clusterCidrs', i]);
      report({
        object: 'environment',
        file: where.file,
        line: where.line,
        path: `clusterCidrs[${i}]`,
        message: `${cidr} is not a private range: rpcallowip would admit addresses outside the cluster`,
        fix: "set clusterCidrs to the cluster's pod and service ranges (GKE VPC-native: within 10.0.0.0/8)",
      });
    });
  },
};

// ---------------------------------------------------------------------------------------------

/**
 * Flags nodegen sets or derives, with what controls each. An extra argument that sets one
 * contradicts the objects nodegen derives from it (a Service, probe or NetworkPolicy on the old
 * port; an `rpcallowip` wider than `clusterCidrs`; a network the tier rules never saw).
 */
const MANAGED_FLAGS: Record<'geth' | 'utxo' | 'consensus', Record<string, string>> = {
  geth: {
    mainnet: 'network', hoodi: 'network', sepolia: 'network', holesky: 'network', networkid: 'network',
    datadir: 'the data volume', syncmode: 'syncMode', gcmode: 'gcMode', maxpeers: 'maxPeers',
    http: 'httpApi', 'http.port': 'nodegen (the Service, probes and NetworkPolicy use 8545)', 'http.api': 'httpApi',
    'http.corsdomain': 'corsDomains', 'http.vhosts': 'nodegen (the Service names)',
    ws: 'httpApi', 'ws.port': 'nodegen (the Service and NetworkPolicy use 8546)', 'ws.api': 'httpApi', 'ws.origins': 'corsDomains',
    'authrpc.addr': 'nodegen (loopback: the consensus client is in the pod)', 'authrpc.port': 'nodegen (the consensus client uses 8551)',
    'authrpc.vhosts': 'nodegen', 'authrpc.jwtsecret': 'nodegen (the JWT is made in the pod)',
    metrics: 'monitoring', 'metrics.addr': 'monitoring', 'metrics.port': 'nodegen (the ServiceMonitor uses 6060)',
    port: 'nodegen (the P2P Services use 30303)', nat: 'expose.p2pAddress',
    'history.transactions': 'historyTransactions', 'history.logs': 'historyLogs', 'history.chain': 'historyChain',
  },
  utxo: {
    conf: 'nodegen', datadir: 'the data volume', chain: 'network', testnet: 'network', testnet4: 'network', signet: 'network', regtest: 'network',
    rpcallowip: 'clusterCidrs', rpcbind: 'nodegen', rpcwhitelist: 'rpcUsers', rpcwhitelistdefault: 'nodegen (1: a login without a list can call nothing)',
    rpccookiefile: 'nodegen (the probes read the cookie in the datadir)', rpcport: 'nodegen (the Service, probes and NetworkPolicy use the network\'s RPC port)',
    port: 'nodegen (the P2P Services use the network\'s port)', bind: 'nodegen', rpcauth: 'rpcUsers', rpcuser: 'rpcUsers', rpcpassword: 'rpcUsers',
    server: 'nodegen', rest: 'nodegen (REST answers without a login: it would bypass rpcUsers)', disablewallet: 'nodegen (a fleet node holds no keys)',
    prune: 'prune', txindex: 'txindex', dbcache: 'dbcache', maxconnections: 'maxConnections',
    // The zmq-* Service and NetworkPolicy ports follow the zmq key; a second address would be unreachable or unguarded.
    zmqpubrawblock: 'zmq', zmqpubrawtx: 'zmq', zmqpubhashblock: 'zmq', zmqpubhashtx: 'zmq', zmqpubsequence: 'zmq',
  },
  consensus: {
    network: 'network (geth\'s)', datadir: 'the beacon volume', 'execution-endpoint': 'nodegen (geth in the pod)', 'execution-jwt': 'nodegen (the JWT is made in the pod)',
    'checkpoint-sync-url': 'consensus.checkpointSyncUrl', 'http-port': 'nodegen (the Service uses the beacon API port)', 'http-address': 'nodegen',
    'metrics-port': 'nodegen (the ServiceMonitor uses it)', port: 'nodegen (the P2P ports)', 'quic-port': 'nodegen (the P2P ports)',
    // The blob-serving mode sizes the beacon volume and resources: set it where they follow it.
    supernode: 'consensus.blobs', 'semi-supernode': 'consensus.blobs', 'subscribe-all-data-subnets': 'consensus.blobs', 'subscribe-all-data-column-subnets': 'consensus.blobs',
  },
};

/** Binding an endpoint to loopback only narrows it: allowed (the rpc-namespaces rule relies on it). */
const LOOPBACK_ONLY = new Set(['http.addr', 'ws.addr']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export const managedFlagsRule: Rule = {
  id: 'policy/managed-flags',
  severity: 'error',
  title: 'extra arguments never set what nodegen sets (ports, RPC namespaces and addresses, rpcallowip, datadir, network, auth)',
  explain:
    "nodegen derives Services, probes, NetworkPolicies and policy checks from the flags it writes. An `extraArgs` entry that sets " +
    'one of them again (`--http.port=9999`, `-rpcallowip=0.0.0.0/0`, `--sepolia`) wins in the client but not in those objects: ' +
    'traffic goes to a closed port, or RPC admits more than the environment says. Set the environment key that controls it ' +
    'instead (the message names it); `--http.addr` and `--ws.addr` may only narrow the endpoint to loopback. Each entry must be one ' +
    'flag: a YAML flow list splits `[--http.api=eth,admin]` into `--http.api=eth` and `admin`, so a bare word is refused too.',
  waivable: false,
  check(ctx, report) {
    managedFlagsRule.checkSpec!(ctx, report);
  },
  checkSpec(ctx, report) {
    for (const [node, n] of Object.entries(ctx.spec.nodes)) {
      // A custom node's arguments are all its own: nodegen sets no flag of an unknown client.
      if (isCustomNode(n)) continue;
      const lists: { key: string; args: readonly string[]; managed: Record<string, string> }[] = [
        { key: 'extraArgs', args: n.extraArgs ?? [], managed: isGethNode(n) ? MANAGED_FLAGS.geth : MANAGED_FLAGS.utxo },
      ];
      if (isGethNode(n) && n.consensus?.extraArgs) lists.push({ key: 'consensus.extraArgs', args: n.consensus.extraArgs, managed: MANAGED_FLAGS.consensus });
      for (const { key, args, managed } of lists) {
        args.forEach((arg, i) => {
          const where = ctx.locate(['nodes', node, ...key.split('.'), i]);
          const base = { object: `StatefulSet/${node}`, node, file: where.file, line: where.line, path: `nodes.${node}.${key}[${i}]` };
          if (!arg.startsWith('-')) {
            report({ ...base, message: `"${arg}" is not a flag: a YAML flow list splits "--flag=a,b" at the comma`, fix: `quote the whole flag: ${key}: ["--flag=a,${arg}"], or remove "${arg}"` });
            return;
          }
          const body = arg.replace(/^-+/, '');
          const name = body.split('=')[0]!;
          const value = body.includes('=') ? body.slice(name.length + 1) : undefined;
          if (LOOPBACK_ONLY.has(name) && value !== undefined && LOOPBACK.has(value)) return;
          const owner = managed[name] ?? (LOOPBACK_ONLY.has(name) ? 'nodegen (only a loopback address may be given here)' : undefined);
          if (!owner) return;
          // An owner that is an environment key (httpApi, network, clusterCidrs...) is where the change belongs.
          const envKey = /^[a-zA-Z.]+$/.test(owner) ? owner : undefined;
          report({
            ...base,
            message: envKey
              ? `${arg} sets what the environment key ${envKey} controls`
              : `${arg} overrides what nodegen writes${owner === 'nodegen' ? '' : ` (${owner.replace(/^nodegen \((.*)\)$/, '$1')})`}`,
            fix: envKey ? `remove it from nodes.${node}.${key} and set ${envKey} instead` : `remove it from nodes.${node}.${key}`,
          });
        });
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

/**
 * Registries, projects and words that only ever stand for "put yours here": documentation
 * domains (RFC 2606: example.com/.org/.net, *.example), `your-project`-style placeholders and
 * to-do words. Matched as whole parts of the reference (between `/`, `.`, `:`, `-`, `_`, `@`).
 */
const PLACEHOLDER_PARTS =
  /(^|[/.:@_-])(example|your[-_]?(project|registry|org|organi[sz]ation|company|repo|account|team)|my[-_]?(project|registry)|changeme|change[-_]me|replace[-_]?me|replace|placeholder|todo|fixme|xxx+)(?=$|[/.:@_-])/i;

/** Why an image reference is a placeholder, or undefined. */
export function placeholderReason(image: string): string | undefined {
  if (/[<>{}]|\$\{?[A-Za-z]/.test(image)) return 'holds a template marker (<...>, ${...})';
  const m = PLACEHOLDER_PARTS.exec(image.split('@')[0]!);
  return m ? `names the placeholder "${m[2]}": no registry serves it` : undefined;
}

export const imagePlaceholderRule: Rule = {
  id: 'policy/image-placeholder',
  severity: 'error',
  title: 'no placeholder or example image reference (a warning below the mainnet tier)',
  explain:
    'An image such as `us-docker.pkg.dev/your-project/chains/monacoind:0.20.4` or `registry.example.com/x:1` stands for ' +
    '"your image here": the kubelet cannot pull it and the node never starts. It is reported on every `synth` and ' +
    '`validate` of an environment that uses it, as an error on the mainnet tier. Build and push the image (README ' +
    '"Monacoin image"), set `image:` to it, pinned by digest (`repo:tag@sha256:...`), or leave the node out of the ' +
    'environment (`nodes: { <node>: null }`). It cannot be waived: a waiver cannot make the image pullable.',
  waivable: false,
  check(ctx, report) {
    for (const { t, c, why, key } of imageFindings(ctx, placeholderReason)) {
      report(at(t.entry, joinPath(c.path, 'image'), `image "${c.image}" of container "${c.name ?? '?'}" ${why}`,
        `build and push the image, then set ${envKey(ctx, t.entry.node, key)} to it (pinned: repo:tag@sha256:...), or leave the node out (nodes.${t.entry.node ?? '<node>'}: null)`,
        ctx.spec.tier === 'mainnet' ? 'error' : 'warning'));
    }
  },
  checkSpec(ctx, report) {
    for (const [node, n] of Object.entries(ctx.spec.nodes)) {
      const images: [string[], string | undefined][] = [[['image'], n.image]];
      if (isGethNode(n)) images.push([['consensus', 'image'], n.consensus?.image]);
      for (const [path, image] of images) {
        const why = image === undefined ? undefined : placeholderReason(image);
        if (!why) continue;
        const where = ctx.locate(['nodes', node, ...path]);
        report({
          object: `StatefulSet/${node}`, node, file: where.file, line: where.line, path: `nodes.${node}.${path.join('.')}`,
          message: `image "${image}" ${why}`,
          fix: `build and push the image and set nodes.${node}.${path.join('.')} to it (pinned: repo:tag@sha256:...), or leave the node out (nodes.${node}: null)`,
          severity: ctx.spec.tier === 'mainnet' ? 'error' : 'warning',
        });
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

/** The RPC access lines of a bitcoin.conf-style text, every section included. */
function rpcAccess(text: string): { readonly users: string[]; readonly whitelists: Map<string, string[]>; readonly defaultSet: string | undefined } {
  const users: string[] = [];
  const whitelists = new Map<string, string[]>();
  let defaultSet: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const eq = line.indexOf('=');
    if (line.startsWith('#') || eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'rpcauth') users.push(value.split(':')[0]!);
    else if (key === 'rpcwhitelistdefault') defaultSet = value;
    else if (key === 'rpcwhitelist') {
      const colon = value.indexOf(':');
      const user = colon < 0 ? value : value.slice(0, colon);
      // As httprpc.cpp splits them: at "," and " ".
      const methods = colon < 0 ? [] : value.slice(colon + 1).split(/[, ]/).filter((m) => m !== '');
      whitelists.set(user, [...(whitelists.get(user) ?? []), ...methods]);
    }
  }
  return { users, whitelists, defaultSet };
}

export const rpcMethodsRule: Rule = {
  id: 'policy/rpc-methods',
  severity: 'error',
  title: 'every login of a Bitcoin-family node (bitcoind, monacoind, a chain profile) may call only its listed methods, and no app may stop, reconfigure or mine on the node',
  explain:
    'bitcoind, monacoind and their relatives give a login every method, `stop` included, unless `rpcwhitelist` restricts it. nodegen writes ' +
    '`rpcwhitelistdefault=1` (a login without a list can call nothing) and one `rpcwhitelist` line per user of `rpcUsers`, ' +
    'the exporter and the in-pod cookie. A consumer may not list methods that change the node, its peers or its chain ' +
    '(`stop`, `setban`, `addnode`, `invalidateblock`, `pruneblockchain`...), mine (`generatetoaddress`, `submitblock`) or ' +
    'handle keys and wallets (`dumpprivkey`, `importprivkey`, `sendtoaddress`...); waive it for one node, with a reason, for an ' +
    'operations tool that must. A method nodegen does not know is a warning: the daemon accepts any name, and a typo leaves ' +
    'the consumer with HTTP 403. Fix: edit `nodes.<node>.rpcUsers.<user>.methods`.',
  waivable: true,
  check(ctx, report) {
    for (const t of ctx.templates) {
      for (const c of t.containers) {
        const profile = utxoProfileOf(c);
        if (!profile) continue;
        const conf = utxoConf(t, c, ctx.find);
        if (!conf) continue;
        const access = rpcAccess(conf.text);
        const node = t.entry.node;
        // Bitcoin Core: GetBoolArg("-rpcwhitelistdefault", IsArgSet("-rpcwhitelist")).
        const denyUnlisted = access.defaultSet === undefined ? access.whitelists.size > 0 : !['0', 'false', ''].includes(access.defaultSet);
        if (!denyUnlisted) {
          report(at(t.entry, c.path, `${conf.file} sets ${access.defaultSet === undefined ? 'no rpcwhitelist' : 'rpcwhitelistdefault=0'}: every login without a whitelist may call every method, stop included`,
            profile.supports.rpcwhitelist
              ? 'the conf is written by nodegen: set rpcwhitelistdefault=1 in src/chains/rpc-methods.ts'
              : `${profile.displayName} ${profile.version} has no rpcwhitelist (${profile.file}: supports.rpcwhitelist: false): run a release that has it, or waive policy/rpc-methods for node ${node ?? '<node>'} with the reason`));
        }
        for (const [user, methods] of access.whitelists) {
          const where = user === COOKIE_USER || !node ? undefined : envKey(ctx, node, 'rpcUsers', user, 'methods');
          const dangerous = [...new Set(methods.filter((m) => DANGEROUS_METHODS.has(m)))];
          if (dangerous.length > 0) {
            report(at(t.entry, c.path, `${conf.file}: user "${user}" may call ${dangerous.map((m) => `"${m}"`).join(', ')}, which change the node, its peers or chain, mine, or handle keys`,
              where ? `remove ${dangerous.join(', ')} from ${where}, or waive policy/rpc-methods for node ${node} with the reason` : 'the list is written by nodegen: fix it in src/chains/rpc-methods.ts'));
          }
          const unknown = [...new Set(methods.filter((m) => !DANGEROUS_METHODS.has(m) && !READ_AND_BROADCAST_METHODS.has(m)))];
          if (unknown.length > 0) {
            report(at(t.entry, c.path, `${conf.file}: user "${user}" lists ${unknown.map((m) => `"${m}"`).join(', ')}, not a method nodegen knows (a typo leaves the user with HTTP 403)`,
              where ? `check the spelling in ${where} (\`${profile.cli} help\` lists the methods)` : 'fix src/chains/rpc-methods.ts', 'warning'));
          }
        }
      }
    }
  },
  checkSpec(ctx, report) {
    for (const [node, n] of Object.entries(ctx.spec.nodes)) {
      if (isGethNode(n) || isCustomNode(n)) continue;
      for (const [user, u] of Object.entries(n.rpcUsers ?? {})) {
        u.methods.forEach((m, i) => {
          if (!DANGEROUS_METHODS.has(m)) return;
          const where = ctx.locate(['nodes', node, 'rpcUsers', user, 'methods', i]);
          report({
            object: `ConfigMap/${node}-config`, node, file: where.file, line: where.line, path: `nodes.${node}.rpcUsers.${user}.methods[${i}]`,
            message: `user "${user}" may call "${m}", which changes the node, its peers or chain, mines, or handles keys`,
            fix: `remove "${m}", or waive policy/rpc-methods for node ${node} with the reason`,
          });
        });
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

export const forkReadinessRule: Rule = {
  id: 'policy/fork-readiness',
  severity: 'error',
  title: "geth's and the consensus client's versions carry every past and scheduled fork of their network (a warning on the testnet tier)",
  explain:
    'At a fork a client without it follows the old rules: geth rejects the new blocks, a beacon node forks off, and the ' +
    'node stops following the chain while its pods stay up. src/chains/forks.ts lists each network\'s forks with the first ' +
    'release of geth, Lighthouse and Prysm that carries each, from the clients\' own sources; `nodegen outdated` prints ' +
    'the same table per node. The version is read from the image\'s tag; an image whose tag names no version (a digest ' +
    'alone, a private tag) needs `version` (or `consensus.version`) on the node. Not waivable: a waiver does not make an ' +
    'old client follow the chain.',
  waivable: false,
  check(ctx, report) {
    const severity = ctx.spec.tier === 'mainnet' ? undefined : 'warning';
    for (const { t, c, client, network, version, key } of forkTargets(ctx)) {
      if (version === undefined) {
        report(at(t.entry, joinPath(c.path, 'image'),
          `the tag of ${client} image "${c.image}" names no version, so nodegen cannot tell whether it carries ${network}'s forks`,
          `set ${envKey(ctx, t.entry.node, ...key.split('.'))} to the client's release version (such as ${newestKnown(client)})`, severity));
        continue;
      }
      const missed = forksMissed(client, network, version);
      if (missed.length === 0) continue;
      // One finding per container: the first fork it lacks in full, then the others by name.
      const [f, ...more] = missed;
      const when = Date.parse(f!.at) <= Date.now() ? 'activated' : 'activates';
      report(at(t.entry, joinPath(c.path, 'image'),
        `${client} ${version} does not carry ${f!.name} on ${network}, which ${when} at ${f!.at} (${f!.activation}) and needs ${client} ${f!.minimum[client]} or newer` +
          (more.length > 0 ? `; nor ${more.map((m) => `${m.name} (${m.at}, ${client} ${m.minimum[client]})`).join(', ')}` : ''),
        `pin ${envKey(ctx, t.entry.node, client === 'geth' ? 'image' : 'consensus.image')} to ${client} ${requiredVersion(client, network)} or newer (nodegen's default is ${newestKnown(client)}); \`nodegen outdated\` lists every node`,
        severity));
    }
  },
};

/** A container of geth or a consensus client, with its network and version (undefined when nothing says it). */
export interface ForkTarget {
  readonly t: PodTemplate;
  readonly c: ContainerView;
  readonly client: ForkClient;
  readonly network: string;
  readonly image: string;
  readonly version?: string;
  /** The node's key that states the version: `version` or `consensus.version`. */
  readonly key: string;
}

/** Every geth and consensus-client container of the rendered environment: what the fork check and `nodegen outdated` read. */
export function* forkTargets(ctx: Parameters<Rule['check']>[0]): Generator<ForkTarget> {
  for (const t of ctx.templates) {
    for (const c of t.containers.filter((x) => !x.init)) {
      const client = clientOf(c);
      if (client !== 'geth' && client !== 'lighthouse' && client !== 'prysm') continue;
      const network = networkOf(t, c, ctx.find)?.network;
      if (network === undefined || c.image === undefined) continue;
      const node = t.entry.node === undefined ? undefined : ctx.spec.nodes[t.entry.node];
      const own = node && isGethNode(node) ? (client === 'geth' ? node.version : node.consensus?.version) : undefined;
      const version = (own ?? versionOfImage(c.image))?.replace(/^v/, '');
      yield { t, c, client, network, image: c.image, key: client === 'geth' ? 'version' : 'consensus.version', ...(version === undefined ? {} : { version }) };
    }
  }
}
