/**
 * API-server rules: what the Kubernetes API server (or, for a pod template, the controller that
 * creates its pods) refuses although the schema allows it, and the cross-object references a
 * careful reviewer checks (a Service that selects no pod, a mount of a volume that does not exist).
 * Each rule is one small function; the catalogue is in rules.ts.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go
 */
import {
  dns1035LabelProblem,
  dns1123LabelProblem,
  dns1123SubdomainProblem,
  isCidr,
  labelValueProblem,
  pathSegmentProblem,
  portNameProblem,
  qualifiedNameProblem,
} from './names.js';
import {
  asArr,
  asObj,
  asStr,
  asStrMap,
  asStrs,
  get,
  joinPath,
  labelSelectorMatches,
  mapSelectorMatches,
  type ContainerView,
} from './objects.js';
import { isQuantity, parseQuantity } from './quantity.js';
import { at, type Json, type ObjectEntry, type Rule } from './rule.js';

const FIX_CONSTRUCT = 'the object is written by nodegen: fix the construct in src/constructs/ or charts/ that builds it';

type PortRef = { readonly port: Json; readonly path: string };
type ProbePortRef = { readonly port: unknown; readonly path: string };

/**
 * Four rules read the ports of every container and Service and five the probe ports: each list
 * is built once per container or object (with its paths) and shared.
 */
function once<K extends object, V>(build: (key: K) => V): (key: K) => V {
  const built = new WeakMap<K, V>();
  return (key) => {
    let v = built.get(key);
    if (v === undefined) {
      v = build(key);
      built.set(key, v);
    }
    return v;
  };
}

const ports = once((c: ContainerView): readonly PortRef[] =>
  asArr(c.c['ports'])
    .map((p, i) => ({ port: asObj(p)!, path: joinPath(c.path, 'ports', i) }))
    .filter((p) => p.port !== undefined),
);

const servicePorts = once((e: ObjectEntry): readonly PortRef[] =>
  asArr(get(e.object, 'spec', 'ports'))
    .map((p, i) => ({ port: asObj(p)!, path: joinPath('spec.ports', i) }))
    .filter((p) => p.port !== undefined),
);

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

/** The port of each probe handler that names one. */
const probePorts = once((c: ContainerView): readonly ProbePortRef[] => {
  const out: ProbePortRef[] = [];
  for (const probe of PROBES) {
    for (const handler of ['httpGet', 'tcpSocket', 'grpc'] as const) {
      const port = get(c.c, probe, handler, 'port');
      if (port !== undefined) out.push({ port, path: joinPath(c.path, probe, handler, 'port') });
    }
  }
  return out;
});

// ---------------------------------------------------------------------------------------------

/** The name rule of each kind, as the API server applies it. */
function objectNameProblem(kind: string, name: string): string | undefined {
  switch (kind) {
    case 'Namespace':
      return dns1123LabelProblem(name);
    case 'Service':
      return dns1035LabelProblem(name);
    case 'StatefulSet': {
      const p = dns1123LabelProblem(name);
      if (p) return p;
      // Pods carry controller-revision-hash=<name>-<hash>; a label value holds at most 63 characters.
      return name.length > 52 ? `must be at most 52 characters (has ${name.length}): its pods carry the label controller-revision-hash=<name>-<10-character hash>` : undefined;
    }
    case 'CronJob': {
      const p = dns1123SubdomainProblem(name);
      return p ?? (name.length > 52 ? `must be at most 52 characters (has ${name.length}): the CronJob controller appends 11 characters for its Jobs` : undefined);
    }
    case 'Job': {
      const p = dns1123SubdomainProblem(name);
      return p ?? (name.length > 63 ? `must be at most 63 characters (has ${name.length}): its pods carry the label job-name=<name>` : undefined);
    }
    case 'Role':
    case 'RoleBinding':
    case 'ClusterRole':
    case 'ClusterRoleBinding':
      return pathSegmentProblem(name);
    default:
      return dns1123SubdomainProblem(name);
  }
}

export const objectNameRule: Rule = {
  id: 'k8s/object-name',
  severity: 'error',
  title: 'object names and namespaces follow the naming rule of their kind',
  explain:
    'Namespaces and StatefulSets need DNS-1123 labels, Services DNS-1035 labels (starting with a letter), most other kinds ' +
    'DNS-1123 subdomains. A StatefulSet name longer than 52 characters is accepted but its pods are not (their ' +
    'controller-revision-hash label would pass 63 characters); a CronJob name is limited to 52.',
  waivable: false,
  check(ctx, report) {
    for (const e of ctx.objects) {
      const name = get(e.object, 'metadata', 'name');
      if (typeof name !== 'string' || name === '') {
        report(at(e, 'metadata.name', 'metadata.name is required', FIX_CONSTRUCT));
        continue;
      }
      const p = objectNameProblem(e.kind, name);
      if (p) report(at(e, 'metadata.name', `${e.kind} name "${name}" ${p}`, 'shorten or rename the node (node names prefix object names), or fix the construct'));
      const ns = get(e.object, 'metadata', 'namespace');
      if (typeof ns === 'string') {
        const q = dns1123LabelProblem(ns);
        if (q) report(at(e, 'metadata.namespace', `namespace "${ns}" ${q}`, 'fix `namespace` in the environment file'));
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

/**
 * A name check remembered per string: a fleet repeats the same label keys and values on every
 * object, and the walk below meets each of them thousands of times.
 */
function remembered(check: (v: string) => string | undefined): (v: string) => string | undefined {
  const seen = new Map<string, string | undefined>();
  return (v) => {
    if (seen.has(v)) return seen.get(v);
    const problem = check(v);
    if (seen.size >= 20_000) seen.clear();
    seen.set(v, problem);
    return problem;
  };
}

const keyProblem = remembered(qualifiedNameProblem);
const valueProblem = remembered(labelValueProblem);

type LabelProblem = { path: string; message: string };

/** The path of the field being walked. */
type Segments = Array<string | number>;

function checkLabelMap(map: unknown, segs: Segments, what: string, problems: LabelProblem[]): void {
  const obj = asObj(map);
  if (!obj) return;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const kp = keyProblem(k);
    if (kp) problems.push({ path: joinPath(...segs, k), message: `${what} key "${k}": ${kp}` });
    if (typeof v !== 'string') problems.push({ path: joinPath(...segs, k), message: `${what} value of "${k}" must be a string` });
    else {
      const vp = valueProblem(v);
      if (vp) problems.push({ path: joinPath(...segs, k), message: `${what} value "${v}" of "${k}": ${vp}` });
    }
  }
}

/**
 * Walks an object for label maps, annotations and selectors, wherever they are. The walk visits
 * every field of every object, so it keeps one path stack (`segs`, restored on return) and builds
 * path strings only for problems.
 */
function labelProblems(o: unknown, segs: Segments, parentKey: string | undefined, out: LabelProblem[], kind: string): void {
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      if (typeof o[i] !== 'object') continue;
      segs.push(i);
      labelProblems(o[i], segs, parentKey, out, kind);
      segs.pop();
    }
    return;
  }
  const obj = asObj(o);
  if (!obj) return;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (typeof v !== 'object' || v === null) continue;
    segs.push(k);
    if (parentKey === 'metadata' && k === 'labels') checkLabelMap(v, segs, 'label', out);
    else if (parentKey === 'metadata' && k === 'annotations') {
      for (const key of Object.keys(v)) {
        const kp = keyProblem(key);
        if (kp) out.push({ path: joinPath(...segs, key), message: `annotation key "${key}": ${kp}` });
      }
      const size = Object.entries(v).reduce((n, [a, b]) => n + a.length + String(b).length, 0);
      if (size > 256 * 1024) out.push({ path: joinPath(...segs), message: `annotations total ${size} bytes; the limit is 262144` });
    } else if (k === 'matchLabels' || k === 'nodeSelector' || (kind === 'Service' && segs.length === 2 && segs[0] === 'spec' && k === 'selector')) {
      checkLabelMap(v, segs, k === 'nodeSelector' ? 'node selector' : 'selector', out);
    } else if (k === 'matchExpressions') {
      const p = joinPath(...segs);
      asArr(v).forEach((raw, i) => {
        const e = asObj(raw);
        const key = asStr(e?.['key']);
        if (key !== undefined) {
          const kp = keyProblem(key);
          if (kp) out.push({ path: joinPath(p, i, 'key'), message: `selector key "${key}": ${kp}` });
        }
        if (e?.['operator'] === 'In' || e?.['operator'] === 'NotIn') {
          const values = asStrs(e['values']);
          if (values.length === 0) out.push({ path: joinPath(p, i, 'values'), message: `operator ${String(e['operator'])} needs at least one value` });
          for (const val of values) {
            const vp = valueProblem(val);
            if (vp) out.push({ path: joinPath(p, i, 'values'), message: `selector value "${val}": ${vp}` });
          }
        }
      });
    } else if (!(kind === 'ConfigMap' && segs.length === 1 && (k === 'data' || k === 'binaryData'))) {
      labelProblems(v, segs, k, out, kind);
    }
    segs.pop();
  }
}

export const labelsRule: Rule = {
  id: 'k8s/labels',
  severity: 'error',
  title: 'label keys and values, annotation keys and selectors are well-formed',
  explain:
    'Label keys are an optional DNS-subdomain prefix and a name of at most 63 characters; values are at most 63 letters, ' +
    'digits, "-", "_" and ".", starting and ending alphanumeric. The same holds in selectors and node selectors. The API ' +
    'server refuses anything else, for example an environment name or a version longer than 63 characters used as a value.',
  waivable: false,
  check(ctx, report) {
    for (const e of ctx.objects) {
      const problems: Array<{ path: string; message: string }> = [];
      labelProblems(e.object, [], undefined, problems, e.kind);
      for (const p of problems) report(at(e, p.path, p.message, 'labels come from the constructs and from nodePools/rpcClients in the environment file: fix the value there'));
    }
  },
};

// ---------------------------------------------------------------------------------------------

export const containerNameRule: Rule = {
  id: 'k8s/container-name',
  severity: 'error',
  title: 'containers and init containers have unique DNS-1123 label names',
  explain: 'Every container of a pod (init containers included) needs a name that is a DNS-1123 label, unique in the pod, and a pod needs at least one container.',
  waivable: false,
  check(ctx, report) {
    for (const t of ctx.templates) {
      if (!t.containers.some((c) => !c.init)) report(at(t.entry, joinPath(t.specPath, 'containers'), 'the pod has no containers', FIX_CONSTRUCT));
      const seen = new Set<string>();
      for (const c of t.containers) {
        if (!c.name) {
          report(at(t.entry, joinPath(c.path, 'name'), 'container name is required', FIX_CONSTRUCT));
          continue;
        }
        const p = dns1123LabelProblem(c.name);
        if (p) report(at(t.entry, joinPath(c.path, 'name'), `container name "${c.name}" ${p}`, FIX_CONSTRUCT));
        if (seen.has(c.name)) report(at(t.entry, joinPath(c.path, 'name'), `container name "${c.name}" is used twice in the pod`, FIX_CONSTRUCT));
        seen.add(c.name);
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

export const portNameRule: Rule = {
  id: 'k8s/port-name',
  severity: 'error',
  title: 'port names are valid: container ports at most 15 characters (IANA service names), Service ports DNS labels',
  explain:
    'A container port name (and a target port or probe port given by name) must be an IANA service name: at most 15 ' +
    'lowercase letters, digits and single hyphens, with at least one letter; "beacon-metrics-2" (16) is refused. Names must ' +
    'be unique in the pod, or a named target port is ambiguous. Service port names are DNS-1123 labels, unique, and ' +
    'required when a Service has more than one port.',
  waivable: false,
  check(ctx, report) {
    for (const t of ctx.templates) {
      const seen = new Map<string, string>();
      for (const c of t.containers) {
        for (const { port, path } of ports(c)) {
          const name = port['name'];
          if (name === undefined) continue;
          if (typeof name !== 'string') continue;
          const p = portNameProblem(name);
          if (p) report(at(t.entry, joinPath(path, 'name'), `port name "${name}" ${p}`, FIX_CONSTRUCT));
          if (seen.has(name) && !c.init) report(at(t.entry, joinPath(path, 'name'), `port name "${name}" is also used by container "${seen.get(name)}"`, FIX_CONSTRUCT));
          if (!c.init) seen.set(name, c.name ?? '?');
        }
        for (const { port, path } of probePorts(c)) {
          if (typeof port !== 'string') continue;
          const p = portNameProblem(port);
          if (p) report(at(t.entry, path, `probe port name "${port}" ${p}`, FIX_CONSTRUCT));
        }
      }
    }
    for (const e of ctx.ofKind('Service')) {
      const list = servicePorts(e);
      const names = new Set<string>();
      for (const { port, path } of list) {
        const name = asStr(port['name']);
        if (name === undefined) {
          if (list.length > 1) report(at(e, joinPath(path, 'name'), 'a Service with more than one port must name each port', FIX_CONSTRUCT));
        } else {
          const p = dns1123LabelProblem(name);
          if (p) report(at(e, joinPath(path, 'name'), `Service port name "${name}" ${p}`, FIX_CONSTRUCT));
          if (names.has(name)) report(at(e, joinPath(path, 'name'), `Service port name "${name}" is used twice`, FIX_CONSTRUCT));
          names.add(name);
        }
        const target = port['targetPort'];
        if (typeof target === 'string') {
          const p = portNameProblem(target);
          if (p) report(at(e, joinPath(path, 'targetPort'), `target port name "${target}" ${p}`, FIX_CONSTRUCT));
        }
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

export const namedPortRule: Rule = {
  id: 'k8s/named-port',
  severity: 'error',
  title: 'a port given by name (Service target port, probe port) names a port of the container',
  explain:
    'A Service whose `targetPort` names a port that no selected container declares sends traffic nowhere; a probe on an ' +
    'unknown named port fails and the kubelet restarts the container. Both are accepted by the API server and fail later.',
  waivable: false,
  check(ctx, report) {
    for (const t of ctx.templates) {
      for (const c of t.containers) {
        const names = new Set(ports(c).map((p) => asStr(p.port['name'])).filter((n): n is string => n !== undefined));
        for (const { port, path } of probePorts(c)) {
          if (typeof port === 'string' && !names.has(port)) {
            report(at(t.entry, path, `probe port "${port}" is not a port of container "${c.name ?? '?'}" (its ports: ${[...names].join(', ') || 'none'})`, FIX_CONSTRUCT));
          }
        }
      }
    }
    for (const e of ctx.ofKind('Service')) {
      const selector = asStrMap(get(e.object, 'spec', 'selector'));
      const selected = ctx.templatesMatching(selector, e.namespace);
      if (selected.length === 0) continue;
      const names = new Set(selected.flatMap((t) => t.containers.filter((c) => !c.init).flatMap((c) => ports(c).map((p) => asStr(p.port['name'])))));
      for (const { port, path } of servicePorts(e)) {
        const target = port['targetPort'];
        if (typeof target === 'string' && !names.has(target)) {
          report(at(e, joinPath(path, 'targetPort'), `target port "${target}" is not a container port of the pods the Service selects`, FIX_CONSTRUCT));
        }
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

export const duplicatePortRule: Rule = {
  id: 'k8s/duplicate-port',
  severity: 'error',
  title: 'no port (with its protocol) is declared twice in a pod or a Service',
  explain:
    'Two container ports with the same number and protocol in one pod, two Service ports with the same port and protocol, ' +
    'or one node port used twice are refused by the API server (Services) or fight for the socket (pods). The same number ' +
    'over TCP and UDP (P2P discovery) is fine.',
  waivable: false,
  check(ctx, report) {
    for (const t of ctx.templates) {
      const seen = new Map<string, string>();
      const hostSeen = new Set<string>();
      for (const c of t.containers.filter((x) => !x.init)) {
        for (const { port, path } of ports(c)) {
          const proto = asStr(port['protocol']) ?? 'TCP';
          const key = `${String(port['containerPort'])}/${proto}`;
          if (seen.has(key)) report(at(t.entry, joinPath(path, 'containerPort'), `container port ${key} is also declared by container "${seen.get(key)}"`, FIX_CONSTRUCT));
          else seen.set(key, c.name ?? '?');
          if (typeof port['hostPort'] === 'number' && port['hostPort'] !== 0) {
            const hk = `${port['hostPort']}/${proto}`;
            if (hostSeen.has(hk)) report(at(t.entry, joinPath(path, 'hostPort'), `host port ${hk} is declared twice`, FIX_CONSTRUCT));
            hostSeen.add(hk);
          }
        }
      }
    }
    for (const e of ctx.ofKind('Service')) {
      const seen = new Set<string>();
      const nodePorts = new Set<string>();
      for (const { port, path } of servicePorts(e)) {
        const proto = asStr(port['protocol']) ?? 'TCP';
        const key = `${String(port['port'])}/${proto}`;
        if (seen.has(key)) report(at(e, joinPath(path, 'port'), `Service port ${key} is declared twice`, FIX_CONSTRUCT));
        seen.add(key);
        if (port['nodePort'] !== undefined) {
          const nk = `${String(port['nodePort'])}/${proto}`;
          if (nodePorts.has(nk)) report(at(e, joinPath(path, 'nodePort'), `node port ${nk} is declared twice`, FIX_CONSTRUCT));
          nodePorts.add(nk);
        }
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

/** The API server's default NodePort range (`--service-node-port-range`). */
export const NODE_PORT_RANGE = [30000, 32767] as const;

function outOfRange(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && (!Number.isInteger(v) || v < min || v > max);
}

export const portNumberRule: Rule = {
  id: 'k8s/port-number',
  severity: 'error',
  title: 'port numbers are 1-65535, node ports in the NodePort range 30000-32767',
  explain:
    'Container, Service, target, probe and NetworkPolicy port numbers must be between 1 and 65535; a node port must be in ' +
    "the cluster's NodePort range (30000-32767 by default), or the API server refuses the Service.",
  waivable: false,
  check(ctx, report) {
    // `field` is joined to `path` only for a port out of range.
    const bad = (e: ObjectEntry, path: string, field: string | undefined, v: unknown, what: string, min = 1, max = 65535) => {
      if (outOfRange(v, min, max)) report(at(e, field ? joinPath(path, field) : path, `${what} ${String(v)} is outside ${min}-${max}`, FIX_CONSTRUCT));
    };
    for (const t of ctx.templates) {
      for (const c of t.containers) {
        for (const { port, path } of ports(c)) {
          bad(t.entry, path, 'containerPort', port['containerPort'], 'container port');
          if (port['hostPort'] !== 0) bad(t.entry, path, 'hostPort', port['hostPort'], 'host port');
        }
        for (const { port, path } of probePorts(c)) bad(t.entry, path, undefined, port, 'probe port');
      }
    }
    for (const e of ctx.objects) {
      if (e.kind === 'Service') {
        for (const { port, path } of servicePorts(e)) {
          bad(e, path, 'port', port['port'], 'Service port');
          bad(e, path, 'targetPort', port['targetPort'], 'target port');
          bad(e, path, 'nodePort', port['nodePort'], 'node port', NODE_PORT_RANGE[0], NODE_PORT_RANGE[1]);
        }
      } else if (e.kind === 'NetworkPolicy') {
        for (const dir of ['ingress', 'egress'] as const) {
          asArr(get(e.object, 'spec', dir)).forEach((rule, i) => {
            asArr(get(rule, 'ports')).forEach((p, j) => {
              const path = joinPath('spec', dir, i, 'ports', j);
              const port = get(p, 'port');
              const end = get(p, 'endPort');
              bad(e, path, 'port', port, 'port');
              if (end !== undefined) {
                bad(e, path, 'endPort', end, 'end port');
                if (typeof port !== 'number' || (typeof end === 'number' && end < port)) {
                  report(at(e, joinPath(path, 'endPort'), 'endPort needs a numeric port not above it', FIX_CONSTRUCT));
                }
              }
            });
          });
        }
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

/** Resource names a container may request: the standard ones, huge pages, or extended `domain/name`. */
function resourceNameProblem(name: string): string | undefined {
  if (['cpu', 'memory', 'ephemeral-storage'].includes(name) || /^hugepages-/.test(name)) return undefined;
  if (name.includes('/') && !qualifiedNameProblem(name)) return undefined;
  return `"${name}" is not a resource name (cpu, memory, ephemeral-storage, hugepages-<size> or <domain>/<name>)`;
}

function quantityProblem(v: unknown): string | undefined {
  if (typeof v === 'number') return v < 0 ? `${v} is negative` : undefined;
  if (typeof v !== 'string') return `${JSON.stringify(v)} is not a quantity`;
  if (!isQuantity(v)) return `"${v}" is not a Kubernetes quantity (such as "500m", "2", "8Gi"; not "2 cores" or "8GB")`;
  if (parseQuantity(v)! < 0) return `"${v}" is negative`;
  return undefined;
}

export const quantityRule: Rule = {
  id: 'k8s/quantity',
  severity: 'error',
  title: 'resource requests, limits, volume sizes and size limits are valid quantities; volume claims request storage',
  explain:
    'Quantities follow the API grammar: a number and a suffix from m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei (or an ' +
    'exponent). "8GB", "2 cores" and negative values are refused, as are unknown resource names. Each volume claim ' +
    'template must request `storage`.',
  waivable: false,
  check(ctx, report) {
    for (const t of ctx.templates) {
      for (const c of t.containers) {
        for (const part of ['requests', 'limits'] as const) {
          for (const [name, v] of Object.entries(asObj(get(c.c, 'resources', part)) ?? {})) {
            const rn = resourceNameProblem(name);
            const q = quantityProblem(v);
            if (!rn && !q) continue;
            const path = joinPath(c.path, 'resources', part, name);
            if (rn) report(at(t.entry, path, rn, 'fix `resources` of the node in the environment file'));
            if (q) report(at(t.entry, path, q, 'fix `resources` of the node in the environment file'));
          }
        }
      }
      t.volumes.forEach((v, i) => {
        const limit = get(v, 'emptyDir', 'sizeLimit');
        const q = limit === undefined ? undefined : quantityProblem(limit);
        if (q) report(at(t.entry, joinPath(t.specPath, 'volumes', i, 'emptyDir', 'sizeLimit'), q, 'fix `storage.size` of the node in the environment file'));
      });
      t.claims.forEach((claim, i) => {
        const path = joinPath('spec.volumeClaimTemplates', i, 'spec.resources.requests.storage');
        const size = get(claim, 'spec', 'resources', 'requests', 'storage');
        if (size === undefined) report(at(t.entry, path, `volume claim template "${String(get(claim, 'metadata', 'name'))}" requests no storage`, FIX_CONSTRUCT));
        else {
          const q = quantityProblem(size);
          if (q) report(at(t.entry, path, q, 'fix `storage.size` of the node in the environment file'));
        }
      });
    }
    for (const e of ctx.ofKind('PersistentVolumeClaim')) {
      const size = get(e.object, 'spec', 'resources', 'requests', 'storage');
      const q = size === undefined ? 'the claim requests no storage' : quantityProblem(size);
      if (q) report(at(e, 'spec.resources.requests.storage', q, FIX_CONSTRUCT));
    }
  },
};

// ---------------------------------------------------------------------------------------------

export const requestsWithinLimitsRule: Rule = {
  id: 'k8s/requests-within-limits',
  severity: 'error',
  title: 'no container requests more of a resource than its limit',
  explain: 'The API server refuses a pod whose request of a resource is above its limit ("must be less than or equal to cpu limit").',
  waivable: false,
  check(ctx, report) {
    for (const t of ctx.templates) {
      for (const c of t.containers) {
        const requests = asObj(get(c.c, 'resources', 'requests')) ?? {};
        const limits = asObj(get(c.c, 'resources', 'limits')) ?? {};
        for (const [name, r] of Object.entries(requests)) {
          const l = limits[name];
          if (l === undefined) continue;
          const rv = typeof r === 'number' ? r : parseQuantity(String(r));
          const lv = typeof l === 'number' ? l : parseQuantity(String(l));
          if (rv === undefined || lv === undefined || rv <= lv) continue;
          report(at(t.entry, joinPath(c.path, 'resources.requests', name),
            `container "${c.name ?? '?'}" requests ${String(r)} ${name} but is limited to ${String(l)}`,
            `lower resources.requests.${name} or raise resources.limits.${name} of the node in the environment file`));
        }
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

const WORKLOADS_WITH_SELECTOR = new Set(['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet']);

export const selectorMatchRule: Rule = {
  id: 'k8s/selector-match',
  severity: 'error',
  title: "workload selectors match their pod template's labels; Service, NetworkPolicy, PodDisruptionBudget and monitor selectors select something",
  explain:
    'A StatefulSet or Deployment whose selector does not match its own pod template is refused by the API server. A ' +
    'Service, NetworkPolicy, PodDisruptionBudget, ServiceMonitor, PodMonitor or PodMonitoring whose selector matches no ' +
    'pod (or Service) of the environment is accepted and silently does nothing.',
  waivable: false,
  check(ctx, report) {
    for (const t of ctx.templates) {
      if (!WORKLOADS_WITH_SELECTOR.has(t.entry.kind)) continue;
      const selector = get(t.entry.object, 'spec', 'selector');
      const sel = asObj(selector);
      if (!sel || (Object.keys(asStrMap(sel['matchLabels'])).length === 0 && asArr(sel['matchExpressions']).length === 0)) {
        report(at(t.entry, 'spec.selector', 'the selector is empty; apps/v1 workloads need one', FIX_CONSTRUCT));
      } else if (!labelSelectorMatches(selector, t.labels)) {
        report(at(t.entry, 'spec.selector', `the selector does not match the pod template's labels (${t.labelsPath})`, FIX_CONSTRUCT));
      }
    }
    for (const e of ctx.objects) {
      if (e.kind === 'Service') {
        const selector = asStrMap(get(e.object, 'spec', 'selector'));
        if (Object.keys(selector).length === 0) continue;
        if (ctx.templatesMatching(selector, e.namespace).length === 0) {
          report(at(e, 'spec.selector', `the selector ${JSON.stringify(selector)} matches no pod template in namespace "${e.namespace ?? ''}"`, FIX_CONSTRUCT));
        }
      } else if (e.kind === 'NetworkPolicy' || e.kind === 'PodDisruptionBudget' || e.kind === 'PodMonitor' || e.kind === 'PodMonitoring') {
        const path = e.kind === 'NetworkPolicy' ? 'spec.podSelector' : 'spec.selector';
        const selector = get(e.object, ...path.split('.'));
        const sel = asObj(selector) ?? {};
        if (Object.keys(asStrMap(sel['matchLabels'])).length === 0 && asArr(sel['matchExpressions']).length === 0) continue;
        // A PodMonitor may select pods of other namespaces (its namespaceSelector).
        if (ctx.templatesSelectedBy(selector, e.kind === 'PodMonitor' ? undefined : e.namespace).length === 0) {
          report(at(e, path, 'the selector matches no pod template of the environment', FIX_CONSTRUCT));
        }
      } else if (e.kind === 'ServiceMonitor') {
        if (ctx.servicesSelectedBy(get(e.object, 'spec', 'selector')).length === 0) {
          report(at(e, 'spec.selector', 'the selector matches no Service of the environment', FIX_CONSTRUCT));
        }
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

export const serviceNameRule: Rule = {
  id: 'k8s/service-name',
  severity: 'error',
  title: "a StatefulSet's serviceName names a headless Service of the environment that selects its pods",
  explain:
    "A StatefulSet's governing Service gives its pods stable DNS names. If `serviceName` names no Service in the namespace, " +
    'or one that is not headless (`clusterIP: None`) or does not select the pods, the pods get no DNS records.',
  waivable: false,
  check(ctx, report) {
    for (const t of ctx.templates.filter((x) => x.entry.kind === 'StatefulSet')) {
      const name = asStr(get(t.entry.object, 'spec', 'serviceName'));
      if (name === undefined || name === '') continue;
      const svc = ctx.find('Service', t.entry.namespace, name);
      if (!svc) {
        const known = ctx.ofKind('Service').filter((o) => o.namespace === t.entry.namespace).map((o) => o.name);
        report(at(t.entry, 'spec.serviceName', `no Service "${name}" in namespace "${t.entry.namespace ?? ''}" (Services: ${known.join(', ') || 'none'})`, FIX_CONSTRUCT));
        continue;
      }
      if (get(svc.object, 'spec', 'clusterIP') !== 'None') {
        report(at(t.entry, 'spec.serviceName', `Service "${name}" is not headless (clusterIP: None)`, FIX_CONSTRUCT));
      }
      if (!mapSelectorMatches(asStrMap(get(svc.object, 'spec', 'selector')), t.labels)) {
        report(at(t.entry, 'spec.serviceName', `Service "${name}" does not select this StatefulSet's pods`, FIX_CONSTRUCT));
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

export const volumeMountRule: Rule = {
  id: 'k8s/volume-mount',
  severity: 'error',
  title: 'volume names are unique DNS labels and every volume mount names a volume of the pod',
  explain:
    'Each `volumeMounts[].name` must name a volume of the pod or a volume claim template of the StatefulSet, or the pod is ' +
    'refused; volume names must be unique DNS-1123 labels; a container may not mount two volumes at one path, and a ' +
    '`subPath` must be relative without "..".',
  waivable: false,
  check(ctx, report) {
    for (const t of ctx.templates) {
      const names = new Set<string>();
      const declare = (name: unknown, path: string) => {
        if (typeof name !== 'string') {
          report(at(t.entry, path, 'volume name is required', FIX_CONSTRUCT));
          return;
        }
        const p = dns1123LabelProblem(name);
        if (p) report(at(t.entry, path, `volume name "${name}" ${p}`, FIX_CONSTRUCT));
        if (names.has(name)) report(at(t.entry, path, `volume name "${name}" is declared twice`, FIX_CONSTRUCT));
        names.add(name);
      };
      t.volumes.forEach((v, i) => declare(v['name'], joinPath(t.specPath, 'volumes', i, 'name')));
      t.claims.forEach((c, i) => declare(get(c, 'metadata', 'name'), joinPath('spec.volumeClaimTemplates', i, 'metadata.name')));
      for (const c of t.containers) {
        const paths = new Set<string>();
        asArr(c.c['volumeMounts']).forEach((raw, i) => {
          const m = asObj(raw) ?? {};
          const path = joinPath(c.path, 'volumeMounts', i);
          const name = asStr(m['name']);
          if (name !== undefined && !names.has(name)) {
            report(at(t.entry, joinPath(path, 'name'), `container "${c.name ?? '?'}" mounts volume "${name}", which the pod does not have (volumes: ${[...names].join(', ') || 'none'})`, FIX_CONSTRUCT));
          }
          const mountPath = asStr(m['mountPath']);
          if (mountPath !== undefined) {
            if (paths.has(mountPath)) report(at(t.entry, joinPath(path, 'mountPath'), `container "${c.name ?? '?'}" mounts two volumes at ${mountPath}`, FIX_CONSTRUCT));
            paths.add(mountPath);
          }
          const sub = asStr(m['subPath']);
          if (sub !== undefined && (sub.startsWith('/') || sub.split('/').includes('..'))) {
            report(at(t.entry, joinPath(path, 'subPath'), `subPath "${sub}" must be relative and must not contain ".."`, FIX_CONSTRUCT));
          }
        });
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

export const referenceRule: Rule = {
  id: 'k8s/reference',
  severity: 'error',
  title: 'ConfigMaps, ServiceAccounts and Roles that pods and bindings refer to exist in the environment',
  explain:
    'A pod that mounts a ConfigMap (or a key of it) that does not exist stays in ContainerCreating; one that names a ' +
    'missing ServiceAccount is never created; a RoleBinding to a missing Role grants nothing. nodegen writes every object ' +
    'its pods need, so each reference must resolve inside dist/<env> (unless marked optional).',
  waivable: false,
  check(ctx, report) {
    for (const t of ctx.templates) {
      const configMap = (name: string) => ctx.find('ConfigMap', t.entry.namespace, name);
      t.volumes.forEach((v, i) => {
        const cm = asObj(v['configMap']);
        const name = asStr(cm?.['name']);
        if (!cm || name === undefined || cm['optional'] === true) return;
        const path = joinPath(t.specPath, 'volumes', i, 'configMap');
        const found = configMap(name);
        if (!found) {
          report(at(t.entry, joinPath(path, 'name'), `volume "${String(v['name'])}" mounts ConfigMap "${name}", which the environment does not write`, FIX_CONSTRUCT));
          return;
        }
        const data = { ...asObj(get(found.object, 'data')), ...asObj(get(found.object, 'binaryData')) };
        asArr(cm['items']).forEach((it, j) => {
          const key = asStr(get(it, 'key'));
          if (key !== undefined && !(key in data)) report(at(t.entry, joinPath(path, 'items', j, 'key'), `ConfigMap "${name}" has no key "${key}"`, FIX_CONSTRUCT));
        });
      });
      for (const c of t.containers) {
        asArr(c.c['env']).forEach((raw, i) => {
          const ref = asObj(get(raw, 'valueFrom', 'configMapKeyRef'));
          const name = asStr(ref?.['name']);
          if (!ref || name === undefined || ref['optional'] === true) return;
          const found = configMap(name);
          const key = asStr(ref['key']) ?? '';
          const path = joinPath(c.path, 'env', i, 'valueFrom.configMapKeyRef');
          if (!found) report(at(t.entry, path, `env refers to ConfigMap "${name}", which the environment does not write`, FIX_CONSTRUCT));
          else if (!(key in (asObj(get(found.object, 'data')) ?? {}))) report(at(t.entry, path, `ConfigMap "${name}" has no key "${key}"`, FIX_CONSTRUCT));
        });
        asArr(c.c['envFrom']).forEach((raw, i) => {
          const ref = asObj(get(raw, 'configMapRef'));
          const name = asStr(ref?.['name']);
          if (ref && name !== undefined && ref['optional'] !== true && !configMap(name)) {
            report(at(t.entry, joinPath(c.path, 'envFrom', i, 'configMapRef'), `envFrom refers to ConfigMap "${name}", which the environment does not write`, FIX_CONSTRUCT));
          }
        });
      }
      const sa = asStr(t.spec['serviceAccountName']);
      if (sa !== undefined && sa !== 'default' && !ctx.find('ServiceAccount', t.entry.namespace, sa)) {
        report(at(t.entry, joinPath(t.specPath, 'serviceAccountName'), `ServiceAccount "${sa}" is not written by the environment`, FIX_CONSTRUCT));
      }
    }
    for (const e of ctx.ofKind('RoleBinding')) {
      const kind = asStr(get(e.object, 'roleRef', 'kind'));
      const name = asStr(get(e.object, 'roleRef', 'name'));
      if (kind === 'Role' && name !== undefined && !ctx.find('Role', e.namespace, name)) {
        report(at(e, 'roleRef.name', `Role "${name}" is not written by the environment`, FIX_CONSTRUCT));
      }
      asArr(get(e.object, 'subjects')).forEach((s, i) => {
        if (get(s, 'kind') !== 'ServiceAccount') return;
        const sName = asStr(get(s, 'name'));
        const sNs = asStr(get(s, 'namespace')) ?? e.namespace;
        if (sName === undefined || sName === 'default' || sNs !== e.namespace) return;
        if (!ctx.find('ServiceAccount', e.namespace, sName)) {
          report(at(e, joinPath('subjects', i, 'name'), `ServiceAccount "${sName}" is not written by the environment`, FIX_CONSTRUCT));
        }
      });
    }
  },
};

// ---------------------------------------------------------------------------------------------

export const serviceSpecRule: Rule = {
  id: 'k8s/service-spec',
  severity: 'error',
  title: "a Service's fields fit its type (clusterIP None, externalTrafficPolicy, source ranges, node ports)",
  explain:
    'The API server refuses `clusterIP: None` on a NodePort or LoadBalancer Service, `externalTrafficPolicy` or `nodePort` ' +
    'on a ClusterIP Service, `loadBalancerSourceRanges` on anything but a LoadBalancer (and any entry that is not a CIDR), ' +
    'and a Service without ports unless it is headless.',
  waivable: false,
  check(ctx, report) {
    for (const e of ctx.ofKind('Service')) {
      const spec = asObj(e.object['spec']) ?? {};
      const type = asStr(spec['type']) ?? 'ClusterIP';
      const external = type === 'NodePort' || type === 'LoadBalancer';
      if (spec['clusterIP'] === 'None' && type !== 'ClusterIP') report(at(e, 'spec.clusterIP', `clusterIP: None is only for ClusterIP Services, not ${type}`, FIX_CONSTRUCT));
      if (spec['externalTrafficPolicy'] !== undefined && !external) {
        report(at(e, 'spec.externalTrafficPolicy', `externalTrafficPolicy may only be set on NodePort and LoadBalancer Services, not ${type}`, FIX_CONSTRUCT));
      }
      const ranges = asArr(spec['loadBalancerSourceRanges']);
      if (ranges.length > 0 && type !== 'LoadBalancer') report(at(e, 'spec.loadBalancerSourceRanges', `loadBalancerSourceRanges may only be set on a LoadBalancer, not ${type}`, FIX_CONSTRUCT));
      ranges.forEach((r, i) => {
        if (typeof r !== 'string' || !isCidr(r)) report(at(e, joinPath('spec.loadBalancerSourceRanges', i), `${JSON.stringify(r)} is not a CIDR block`, 'fix publicEndpoints.sourceRanges in the environment file'));
      });
      servicePorts(e).forEach(({ port, path }) => {
        if (port['nodePort'] !== undefined && !external) report(at(e, joinPath(path, 'nodePort'), `nodePort may not be set on a ${type} Service`, FIX_CONSTRUCT));
      });
      if (type === 'ExternalName') {
        if (!asStr(spec['externalName'])) report(at(e, 'spec.externalName', 'an ExternalName Service needs externalName', FIX_CONSTRUCT));
      } else if (servicePorts(e).length === 0 && spec['clusterIP'] !== 'None') {
        report(at(e, 'spec.ports', 'a Service that is not headless needs at least one port', FIX_CONSTRUCT));
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

export const duplicateObjectRule: Rule = {
  id: 'k8s/duplicate-object',
  severity: 'error',
  title: 'no two objects of the environment share kind, namespace and name',
  explain: '`kubectl apply -f dist/<env>` would apply both, the later silently replacing the earlier. Two nodes or charts producing the same object name is a naming bug.',
  waivable: false,
  check(ctx, report) {
    const seen = new Map<string, ObjectEntry>();
    for (const e of ctx.objects) {
      const group = e.apiVersion.includes('/') ? e.apiVersion.slice(0, e.apiVersion.lastIndexOf('/')) : '';
      const key = `${group}/${e.kind}/${e.namespace ?? ''}/${e.name}`;
      const first = seen.get(key);
      if (first) report(at(e, 'metadata.name', `${e.ref} is also written in ${first.file}`, 'rename one of the nodes (node names prefix object names) or fix the chart that writes both'));
      else seen.set(key, e);
    }
  },
};
