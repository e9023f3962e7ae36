/**
 * ZeroMQ notification ports are never public. ZeroMQ has no authentication: whoever reaches a
 * `zmqpub*` socket reads every block and transaction the node sees, and a flood of subscribers
 * costs the node memory (each has its own send queue). Judged on the rendered objects, so a team's
 * own chart or patch (nodegen.config.mjs) that exposes the feed is caught too, in a sandbox as well.
 */
import { confValues, containerFlags, utxoConf, utxoProfileOf } from './clients.js';
import { asArr, asObj, asStr, asStrMap, get, type PodTemplate } from './objects.js';
import { at, type Lookup, type Rule } from './rule.js';

/** The ZeroMQ sockets of a pod template: port numbers, and the names of container ports on them. */
function zmqSockets(t: PodTemplate, find: Lookup): { readonly ports: Set<number>; readonly names: Set<string> } {
  const ports = new Set<number>();
  const names = new Set<string>();
  for (const c of t.containers) {
    if (c.init || !utxoProfileOf(c)) continue;
    const addresses: string[] = containerFlags(c).filter((f) => /^zmqpub[a-z]+$/.test(f.name)).map((f) => f.value ?? '');
    const conf = utxoConf(t, c, find);
    if (conf) {
      const { global, sections } = confValues(conf.text);
      for (const values of [global, ...sections.values()]) {
        for (const [key, value] of values) if (/^zmqpub[a-z]+$/.test(key) && !key.endsWith('hwm')) addresses.push(value);
      }
    }
    for (const a of addresses) {
      const m = /^tcp:\/\/.*:(\d+)$/.exec(a.trim());
      if (m) ports.add(Number(m[1]));
    }
    for (const raw of asArr(c.c['ports'])) {
      const p = asObj(raw);
      const n = Number(p?.['containerPort']);
      const name = asStr(p?.['name']);
      if (name && (ports.has(n) || name.startsWith('zmq-'))) {
        names.add(name);
        ports.add(n);
      }
    }
  }
  return { ports, names };
}

/** Whether a Service or NetworkPolicy port entry points at one of the sockets. */
function hits(target: unknown, sockets: { readonly ports: Set<number>; readonly names: Set<string> }): boolean {
  return typeof target === 'number' ? sockets.ports.has(target) : typeof target === 'string' && (sockets.names.has(target) || sockets.ports.has(Number(target)));
}

export const zmqPrivateRule: Rule = {
  id: 'policy/zmq-private',
  severity: 'error',
  title: 'ZeroMQ notification ports are never public, in no environment: no LoadBalancer, NodePort or externalIPs, no NetworkPolicy admitting an address range or everyone',
  explain:
    'ZeroMQ (`zmq.*` on bitcoind, monacoind and chain profiles) has no authentication: anyone who reaches the port reads every block and ' +
    'transaction, and every subscriber costs the node a send queue. nodegen puts the ports on the ClusterIP Service ' +
    '`<node>-zmq` and admits only namespaces and pods (`zmq.namespaces`, by default `rpcClients`); this rule refuses ' +
    'anything rendered (a team chart or patch included) that puts them on a public Service or opens them to an `ipBlock` ' +
    'or to every source, even in a sandbox with public RPC. Fix: remove the Service port or NetworkPolicy peer; consumers ' +
    'outside the cluster run a relay of their own that authenticates.',
  waivable: false,
  check(ctx, report) {
    // From the few public Services and the policies to the pods they select: linear in the objects.
    const sockets = new Map<PodTemplate, ReturnType<typeof zmqSockets>>();
    const socketsOf = (t: PodTemplate) => {
      let s = sockets.get(t);
      if (!s) sockets.set(t, (s = zmqSockets(t, ctx.find)));
      return s;
    };
    for (const svc of ctx.ofKind('Service')) {
      const type = asStr(get(svc.object, 'spec', 'type'));
      const external = asArr(get(svc.object, 'spec', 'externalIPs')).length > 0;
      if (type !== 'LoadBalancer' && type !== 'NodePort' && !external) continue;
      for (const t of ctx.templatesMatching(asStrMap(get(svc.object, 'spec', 'selector')), svc.namespace)) {
        const zmq = socketsOf(t);
        if (zmq.ports.size === 0) continue;
        asArr(get(svc.object, 'spec', 'ports')).forEach((raw, i) => {
          const target = get(raw, 'targetPort') ?? get(raw, 'port');
          if (!hits(target, zmq)) return;
          report(at(svc, `spec.ports[${i}]`,
            `${external ? 'a Service with externalIPs' : `a ${type} Service`} exposes the ZeroMQ port ${String(target)} of ${t.entry.ref}: ZeroMQ has no authentication, anyone who reaches it reads the node's feed`,
            'remove the port from this Service: consumers in the cluster use the ClusterIP Service <node>-zmq'));
        });
      }
    }
    for (const np of ctx.ofKind('NetworkPolicy')) {
      const zmqs = ctx.templatesSelectedBy(get(np.object, 'spec', 'podSelector'), np.namespace).map(socketsOf).filter((z) => z.ports.size > 0);
      for (const zmq of zmqs) {
        asArr(get(np.object, 'spec', 'ingress')).forEach((rule, i) => {
          const ports = asArr(get(rule, 'ports'));
          if (ports.length > 0 && !ports.some((p) => hits(get(p, 'port'), zmq))) return;
          const from = asArr(get(rule, 'from'));
          const what = ports.length === 0 ? 'every port, the ZeroMQ ports included,' : 'the ZeroMQ ports';
          if (from.length === 0) {
            report(at(np, `spec.ingress[${i}]`, `the rule admits ${what} from every source: ZeroMQ has no authentication`,
              'admit the consumers by namespace or pod label (zmq.namespaces) and list the other ports this rule is for'));
            return;
          }
          from.forEach((peer, j) => {
            const cidr = asStr(get(peer, 'ipBlock', 'cidr'));
            if (cidr === undefined) return;
            report(at(np, `spec.ingress[${i}].from[${j}]`, `the rule admits ${what} from the address range ${cidr}: ZeroMQ has no authentication`,
              'admit the consumers by namespace or pod label (zmq.namespaces), never by address range'));
          });
        });
      }
    }
  },
};
