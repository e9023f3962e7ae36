/**
 * `client: custom`: a node of a chain nodegen has no profile for, described by its reviewer: image,
 * command and arguments, ports with their purposes, where its data lives, and what "ready" means.
 * It gets the same StatefulSet, claims, Services, NetworkPolicy, security context, snapshots and
 * policy checks as the built-in nodes (README "Custom nodes"); what nodegen cannot know about the
 * chain (its flags, its network, its realistic disk size) the environment file states.
 *
 * The checks that span keys are one pure function, {@link customNodeProblems}, which the schema
 * reports with the file and line and the construct throws on (a library user has no file).
 */
import { z } from 'zod';

/** What a port is for: who may reach it (README "Exposure by purpose"). */
export const CUSTOM_PORT_PURPOSES = ['p2p', 'rpc', 'metrics', 'other'] as const;
/** One of {@link CUSTOM_PORT_PURPOSES}. */
export type CustomPortPurpose = (typeof CUSTOM_PORT_PURPOSES)[number];

/**
 * A container port name: an IANA service name (at most 15 lowercase letters, digits and single
 * hyphens, with a letter), as the API server requires (README rule `k8s/port-name`).
 */
export const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/;
/** An environment variable name as a shell reads it. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The UID a custom node runs as when it names none: a high UID, outside any host's system range. */
export const CUSTOM_DEFAULT_UID = 10001;
/** The first sync's budget when the node names none: 7 days, the longest of the built-in nodes'. */
export const CUSTOM_DEFAULT_INITIAL_SYNC_MINUTES = 7 * 24 * 60;

/** One port of a custom node, as a mistake-checker sees it. */
export interface CustomPortLike {
  readonly port: number;
  readonly purpose: CustomPortPurpose;
  readonly protocol?: 'TCP' | 'UDP';
  readonly metricsPath?: string;
}

/** The keys {@link customNodeProblems} looks at. */
export interface CustomNodeLike {
  readonly ports: Readonly<Record<string, CustomPortLike>>;
  readonly dataPath: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly secretEnv?: Readonly<Record<string, unknown>>;
  readonly expose?: { readonly p2p?: string };
}

/** A mistake that spans keys of a custom node, with the key path it is reported against. */
export interface CustomNodeProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Mistakes a key's own schema cannot see: duplicate ports, a port purpose missing, a data path nodegen mounts elsewhere. */
export function customNodeProblems(v: CustomNodeLike): CustomNodeProblem[] {
  const problems: CustomNodeProblem[] = [];
  const seen = new Map<string, string>();
  for (const [name, p] of Object.entries(v.ports)) {
    const key = `${p.port}/${p.protocol ?? 'TCP'}`;
    const first = seen.get(key);
    if (first !== undefined) problems.push({ path: ['ports', name, 'port'], message: `port ${key} is already port "${first}": a pod cannot listen twice on one port` });
    else seen.set(key, name);
    if (p.metricsPath !== undefined && p.purpose !== 'metrics') problems.push({ path: ['ports', name, 'metricsPath'], message: 'metricsPath is only for a port with purpose: metrics' });
  }
  const purposes = new Set(Object.values(v.ports).map((p) => p.purpose));
  if (Object.keys(v.ports).length > 0 && !purposes.has('rpc')) {
    problems.push({ path: ['ports'], message: 'name at least one port with purpose: rpc: it is what the node\'s Service (<node>) and its RPC clients reach' });
  }
  if (v.expose?.p2p !== undefined && v.expose.p2p !== 'none' && !purposes.has('p2p')) {
    problems.push({ path: ['expose', 'p2p'], message: `${v.expose.p2p} needs a port with purpose: p2p (the P2P Service would have no port)` });
  }
  const d = v.dataPath;
  if (!d.startsWith('/')) problems.push({ path: ['dataPath'], message: `must be an absolute path such as "/data" (got "${d}")` });
  else if (d.split('/').some((s) => s === '..' || s === '.')) problems.push({ path: ['dataPath'], message: 'must not contain "." or ".." segments' });
  else if (/^\/+$/.test(d)) problems.push({ path: ['dataPath'], message: 'must not be "/": the data volume cannot hide the image\'s root filesystem' });
  else if (d === '/tmp' || d.startsWith('/tmp/')) problems.push({ path: ['dataPath'], message: 'must not be /tmp or below it: /tmp is the pod\'s scratch emptyDir, lost on every restart' });
  for (const name of Object.keys(v.secretEnv ?? {})) {
    if (Object.hasOwn(v.env ?? {}, name)) problems.push({ path: ['secretEnv', name], message: `${name} is also in env: set it in one of the two` });
  }
  return problems;
}

/** The pieces of schema.ts this schema is built from (importing schema.ts here would be an import cycle). */
/** A node's `storage` schema, as schema.ts builds it (spelled out: importing its type would be a cycle of types). */
export type StorageSchemaLike = z.ZodObject<{
  size: z.ZodOptional<z.ZodString>;
  storageClass: z.ZodOptional<z.ZodString>;
  ephemeral: z.ZodOptional<z.ZodBoolean>;
  restoreFrom: z.ZodOptional<z.ZodType<{ volumeSnapshot?: string | undefined; snapshotHandle?: string | undefined; name?: string | undefined }>>;
}, z.core.$strict>;

export interface CustomSchemaParts<C extends z.ZodRawShape, R extends z.ZodTypeAny> {
  /** The keys every node has (schema.ts `common`). */
  readonly common: C;
  readonly image: z.ZodType<string>;
  readonly quantity: z.ZodType<string>;
  readonly resources: R;
  /** A node's `storage` (schema.ts `storageSchema`). */
  readonly storage: StorageSchemaLike;
  readonly dnsLabel: (max?: number) => z.ZodType<string>;
}

const command = (what: string) =>
  z.array(z.string().min(1, { message: 'must not be empty' })).min(1, { message: `list the ${what}: at least the program` });

/** A probe: an exec command and its timing. Every timing is written out: an absent key takes the default below, never the API server's. */
function probeSchema<E extends z.ZodRawShape>(extra: E) {
  return z.strictObject({
    /** Run in the node's container; exit 0 means success. No shell unless the command starts one. */
    command: command('command'),
    /** @default 30 */
    periodSeconds: z.number().int().min(1).max(3600).optional(),
    /** @default 15 */
    timeoutSeconds: z.number().int().min(1).max(600).optional(),
    /** @default 3 */
    failureThreshold: z.number().int().min(1).max(100).optional(),
    ...extra,
  });
}

/** The schema of a `client: custom` node; schema.ts builds it from its shared pieces. */
export function customNodeSchemaOf<C extends z.ZodRawShape, R extends z.ZodTypeAny>(p: CustomSchemaParts<C, R>) {
  return z
    .strictObject({ client: z.literal('custom'), ...p.common })
    // extend, not a spread: image, storage and resources replace common's optional ones.
    .extend({
      /** The chain's name (`zcash`): the `app.kubernetes.io/name` label, the container's name and the alerts' `chain` label. */
      chain: p.dnsLabel(),
      /** The chain's network as its client names it (`Mainnet`, `Testnet`, `mainnet`): shown by `nodegen list`. */
      network: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, { message: 'must be a network name such as "mainnet" or "Testnet" (letters, digits, ".", "_", "-")' }),
      /**
       * Whether `network` is the chain's production network: the tier checks (rule `policy/network-tier`)
       * compare it with the environment's tier, as they do the built-in clients' networks.
       */
      mainnet: z.boolean(),
      /** The image, pinned to a release tag or digest (rule `policy/image-pinned`). Required: nodegen knows no release of it. */
      image: p.image,
      /** The program and its first arguments (the container's `command`): the image's entrypoint is not run. */
      command: command('program to run'),
      /** Arguments after `command`; `extraArgs` follow them. @default [] */
      args: z.array(z.string()).optional(),
      /**
       * Environment variables, by name. dist/ is committed to git: never a password, token or key
       * here (rule `policy/no-secrets` refuses names such as *_PASSWORD with a literal value); use
       * `secretEnv`. `HOME` is `/tmp` unless set here (the root filesystem is read-only). @default {}
       */
      env: z.record(z.string().regex(ENV_NAME, { message: 'must be an environment variable name (letters, digits, "_")' }), z.string()).optional(),
      /**
       * Environment variables read from Secrets that you create in the node's namespace (nodegen
       * never writes a Secret): `{ NAME: { secret: <Secret name>, key: <key> } }`, written as
       * `valueFrom.secretKeyRef`. @default {}
       */
      secretEnv: z
        .record(
          z.string().regex(ENV_NAME, { message: 'must be an environment variable name (letters, digits, "_")' }),
          z.strictObject({ secret: p.dnsLabel(253), key: z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, { message: 'must be a Secret key (letters, digits, "-", "_", ".")' }) }),
        )
        .optional(),
      /**
       * The ports the node listens on, by name (an IANA service name: at most 15 lowercase letters,
       * digits and "-"). `purpose` decides who may reach each (README "Exposure by purpose"): `rpc`
       * the `rpcClients` (and the public LoadBalancer with `expose.rpc: public`), `p2p` anyone
       * (its own Service with `expose.p2p`), `metrics` the scrapers of `monitoring.namespaces`,
       * `other` nobody outside the pod. At least one `rpc` port.
       */
      ports: z
        .record(
          z.string().regex(PORT_NAME, { message: 'must be a port name: at most 15 lowercase letters, digits and single "-", with a letter' }),
          z.strictObject({
            port: z.number().int().min(1).max(65535),
            purpose: z.enum(CUSTOM_PORT_PURPOSES),
            /** @default TCP */
            protocol: z.enum(['TCP', 'UDP']).optional(),
            /** Where a `metrics` port serves Prometheus text. @default /metrics */
            metricsPath: z.string().regex(/^\/[^\s]*$/, { message: 'must be a URL path such as "/metrics"' }).optional(),
          }),
        )
        .refine((ports) => Object.keys(ports).length > 0, { message: 'list at least one port (an rpc port, which the node\'s Service reaches)' }),
      /** Where the data volume is mounted in the container: the client's data directory (an absolute path). */
      dataPath: z.string().min(1),
      /** Size is required: nodegen has no realistic figure for a chain it does not know. */
      storage: p.storage.extend({ size: p.quantity }),
      /** Required: nodegen cannot size a client it does not know (rule `policy/resources`). */
      resources: p.resources,
      /**
       * The readiness probe: only a Ready replica gets RPC traffic. Set `meansSynced: true` only
       * when the command exits non-zero until the node is synced with its network (it then also
       * guards the first sync, as a startup probe). Outside a sandbox a node without it is warned
       * about (rule `policy/custom-readiness`). @default - no probe: Ready as soon as the container runs
       */
      readiness: probeSchema({
        /** The command exits non-zero until the node is synced with its network (not merely "answers"). @default false */
        meansSynced: z.boolean().optional(),
        /** How long the first sync may take before the kubelet restarts the container. @default 10080 (7 days) */
        initialSyncMinutes: z.number().int().min(1).max(60 * 24 * 60).optional(),
      }).optional(),
      /** The liveness probe: a failing one restarts the container, so check only that the client answers. @default - none */
      liveness: probeSchema({}).optional(),
      /** The UID and GID the client runs as (never 0: the namespace refuses root pods). @default 10001 */
      runAsUser: z
        .number()
        .int()
        .min(1, { message: 'must not be 0: the restricted Pod Security Standard refuses root; use the image\'s own user (zebrad: 10001)' })
        .max(2147483647)
        .optional(),
      /** Time for the client to flush its database on SIGTERM. @default 300 */
      terminationGracePeriodSeconds: z.number().int().min(0).max(86400).optional(),
    })
    .superRefine((v, ctx) => {
      // The spread of `common` hides the object's shape from the compiler here; the keys are the ones above.
      for (const problem of customNodeProblems(v as CustomNodeLike)) ctx.addIssue({ code: 'custom', path: [...problem.path], message: problem.message });
    });
}
