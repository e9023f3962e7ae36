/**
 * `client: custom` in environment files: a valid node loads; each mistake is reported with the file,
 * line and key path before anything renders, as for the built-in nodes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { copyProject, developProblems } from '../helpers/project.js';
import { loadEnvironment } from '../../src/environment/load.js';
import { nodeNetwork } from '../../src/environment/schema.js';

const project = copyProject();
afterAll(() => project.cleanup());

/** The lines of environments/develop.yaml before the overlay (qa.yaml's). */
const QA_LINES = 5;

/** A valid custom node, one key per line so that each mistake has its own line. */
const NODE = [
  'nodes:',
  '  zebra:',
  '    client: custom',
  '    chain: zcash',
  '    network: Testnet',
  '    mainnet: false',
  '    image: zfnd/zebra:6.3.0',
  '    command: [zebrad]',
  '    args: [start]',
  '    ports:',
  '      p2p: { port: 18233, purpose: p2p }',
  '      rpc: { port: 18232, purpose: rpc }',
  '    dataPath: /data',
  '    storage: { size: 30Gi }',
  '    resources: { requests: { cpu: "2", memory: 4Gi }, limits: { cpu: "4", memory: 8Gi } }',
  '    runAsUser: 10001',
];

/** The node with one line replaced (matched by its start), or removed when `to` is undefined; and the line's number in develop.yaml. */
function edit(from: string, to: string | undefined, extra: readonly string[] = []): { overlay: string; line: number } {
  const i = NODE.findIndex((l) => l.trimStart().startsWith(from));
  if (i < 0) throw new Error(`no line ${from}`);
  const lines = [...NODE.slice(0, i), ...(to === undefined ? [] : [to]), ...NODE.slice(i + 1), ...extra];
  return { overlay: `${lines.join('\n')}\n`, line: QA_LINES + i + 1 };
}

const problemAt = (overlay: string, key: string) => {
  const problems = developProblems(project.root, overlay);
  const p = problems.find((x) => x.path === key);
  expect(p, JSON.stringify(problems)).toBeDefined();
  expect(p!.file).toBe('environments/develop.yaml');
  return p!;
};

describe('a custom node in an environment file', () => {
  it('loads, with its declared network', () => {
    expect(developProblems(project.root, `${NODE.join('\n')}\n`)).toEqual([]);
    const { spec } = loadEnvironment('develop', { root: project.root });
    const node = spec.nodes['zebra']!;
    expect(node.client).toBe('custom');
    expect(nodeNetwork(spec, node)).toBe('Testnet');
  });

  it.each([
    ['a port number used twice', '      rpc:', '      rpc: { port: 18233, purpose: rpc }', 'nodes.zebra.ports.rpc.port', /port 18233\/TCP is already port "p2p"/],
    ['a relative data path', '    dataPath:', '    dataPath: data', 'nodes.zebra.dataPath', /absolute path/],
    ['root', '    runAsUser:', '    runAsUser: 0', 'nodes.zebra.runAsUser', /must not be 0/],
    ['an unknown purpose', '      rpc:', '      rpc: { port: 18232, purpose: admin }', 'nodes.zebra.ports.rpc.purpose', /p2p, rpc, metrics, other/],
    ['metricsPath on an rpc port', '      rpc:', '      rpc: { port: 18232, purpose: rpc, metricsPath: /metrics }', 'nodes.zebra.ports.rpc.metricsPath', /only for a port with purpose: metrics/],
    ['an image that is no reference', '    image:', '    image: "zfnd/zebra:"', 'nodes.zebra.image', /image reference/],
  ])('refuses %s, naming the file, line and key', (_, from, to, key, message) => {
    const { overlay, line } = edit(from.trim(), to);
    const p = problemAt(overlay, key);
    expect(p.message).toMatch(message);
    expect(p.line).toBe(line);
  });

  it('refuses a port name longer than a container port name may be', () => {
    const { overlay, line } = edit('rpc:', '      json-rpc-over-http: { port: 18232, purpose: rpc }');
    const problems = developProblems(project.root, overlay);
    const p = problems.find((x) => x.path?.startsWith('nodes.zebra.ports'));
    expect(p, JSON.stringify(problems)).toBeDefined();
    expect(p!.message).toMatch(/at most 15/);
    expect(p!.line).toBe(line);
  });

  it.each([
    ['dataPath', 'nodes.zebra.dataPath'],
    ['command', 'nodes.zebra.command'],
    ['mainnet', 'nodes.zebra.mainnet'],
    ['resources', 'nodes.zebra.resources'],
  ])('requires %s', (key, path) => {
    const { overlay } = edit(key, undefined);
    expect(problemAt(overlay, path).message).toMatch(/required/);
  });

  it('requires a storage size: nodegen has no realistic one for an unknown chain', () => {
    const { overlay } = edit('storage:', '    storage: { storageClass: premium-rwo }');
    expect(problemAt(overlay, 'nodes.zebra.storage.size').message).toMatch(/required/);
  });

  it('requires an rpc port, and a p2p port when P2P is exposed', () => {
    const noRpc = edit('rpc:', undefined);
    expect(problemAt(noRpc.overlay, 'nodes.zebra.ports').message).toMatch(/purpose: rpc/);
    const noP2p = edit('p2p:', undefined, ['    expose: { p2p: loadBalancer }']);
    expect(problemAt(noP2p.overlay, 'nodes.zebra.expose.p2p').message).toMatch(/needs a port with purpose: p2p/);
  });

  it('refuses a variable set both literally and from a Secret', () => {
    const { overlay } = edit('runAsUser:', '    runAsUser: 10001', ['    env: { RPC_USER: zebra }', '    secretEnv: { RPC_USER: { secret: zebra-rpc, key: user } }']);
    expect(problemAt(overlay, 'nodes.zebra.secretEnv.RPC_USER').message).toMatch(/also in env/);
  });
});
