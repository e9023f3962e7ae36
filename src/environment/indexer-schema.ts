/**
 * `indexer:` on a bitcoind node: an Electrum server (Fulcrum) beside it, with its own volume and
 * its own least-privilege bitcoind login. What it needs of its node is checked here, so the error
 * names the file and line that set the conflicting key (`prune`, `txindex`).
 */
import { z } from 'zod';

/** The pieces of schema.ts this schema is built from (importing schema.ts here would be an import cycle). */
export interface IndexerSchemaParts<R extends z.ZodTypeAny> {
  readonly rpcauth: z.ZodType<string>;
  readonly image: z.ZodType<string>;
  readonly quantity: z.ZodType<string>;
  readonly resources: R;
  readonly dnsLabel: (max?: number) => z.ZodType<string>;
}

export function indexerSchema<R extends z.ZodTypeAny>(p: IndexerSchemaParts<R>) {
  return z.strictObject({
    /** The Electrum server; Fulcrum is the one nodegen writes (README "Electrum indexer"). @default fulcrum */
    client: z.enum(['fulcrum']).optional(),
    /**
     * The indexer's own bitcoind login, `nodegen rpcauth indexer`: it becomes a user of the node
     * limited to exactly the methods Fulcrum calls. Its password is in the Secret
     * `<node>-rpc-indexer` (key `password`) in the node's namespace, which nodegen never writes.
     */
    rpcauth: p.rpcauth,
    /** @default cculianu/fulcrum:v2.1.1 */
    image: p.image.optional(),
    /** @default - sized for the network (mainnet: requests 1 CPU / 4Gi, limits 4 CPU / 8Gi) */
    resources: p.resources.optional(),
    storage: z
      .strictObject({
        /** @default - the network's realistic index size (mainnet 300Gi) */
        size: p.quantity.optional(),
        /** @default - the environment's `storage.storageClass` */
        storageClass: p.dnsLabel(253).optional(),
      })
      .optional(),
    /** Namespaces whose pods may connect to the Electrum port. @default - the environment's `rpcClients.namespaces` */
    namespaces: z.array(p.dnsLabel()).optional(),
    /** rocksdb memory in MiB (Fulcrum's `db_mem`). @default - 2048 on mainnet, 1024 on test networks */
    dbMem: z.number().int().min(50).optional(),
  });
}

interface NodeWithIndexer {
  readonly indexer?: { readonly rpcauth: string };
  readonly prune?: number;
  readonly txindex?: boolean;
  readonly rpcUsers?: Record<string, unknown>;
  readonly exporterRpcauth?: string;
}

/** What an indexer needs of its node, and who cannot have one. */
export function checkIndexer(client: string, allowed: boolean, v: NodeWithIndexer, ctx: z.RefinementCtx): void {
  if (!v.indexer) return;
  if (!allowed) {
    ctx.addIssue({
      code: 'custom',
      path: ['indexer'],
      message: `no maintained Electrum server with a published image serves ${client}: Fulcrum serves BTC, BCH and LTC only; remove indexer (README "Electrum indexer")`,
    });
    return;
  }
  if ((v.prune ?? 0) !== 0) {
    ctx.addIssue({ code: 'custom', path: ['prune'], message: 'an indexer cannot work with a pruned node (Fulcrum reads every block from genesis): set prune: 0 or remove indexer' });
  }
  if (v.txindex === false) {
    ctx.addIssue({ code: 'custom', path: ['txindex'], message: 'an indexer needs txindex (Fulcrum fetches any transaction with getrawtransaction): remove txindex: false, the indexer turns it on' });
  }
  const user = v.indexer.rpcauth.split(':')[0]!;
  const taken = user === '__cookie__' ? 'the cookie login' : Object.hasOwn(v.rpcUsers ?? {}, user) ? 'a consumer in rpcUsers' : v.exporterRpcauth?.split(':')[0] === user ? "the exporter's login" : undefined;
  if (taken) {
    ctx.addIssue({ code: 'custom', path: ['indexer', 'rpcauth'], message: `user "${user}" is already ${taken}: give the indexer a user of its own (\`nodegen rpcauth indexer\`)` });
  }
}
