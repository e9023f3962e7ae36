/**
 * `zmq` in environment files: mistakes are reported with the file, key path and line before
 * anything renders, and extraArgs cannot publish a second, unguarded ZeroMQ address.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { validate } from '../../src/cli/commands/validate.js';
import { copyProject, developProblems, writeDevelop } from '../helpers/project.js';

const project = copyProject();
afterAll(() => project.cleanup());

const problemsWith = (overlay: string) => developProblems(project.root, overlay);

describe('zmq in an environment file', () => {
  it('accepts every topic on bitcoind and the four Monacoin has on monacoind', () => {
    expect(problemsWith('nodes:\n  bitcoind:\n    zmq: { rawblock: true, rawtx: true, hashblock: true, hashtx: true, sequence: true, namespaces: [indexer] }\n  monacoind:\n    zmq: { rawblock: true, rawtx: true, hashblock: true, hashtx: true }\n')).toEqual([]);
  });

  it.each([
    ['sequence on monacoind', 'monacoind', '    zmq:\n      rawblock: true\n      sequence: true\n', 'nodes.monacoind.zmq.sequence', /Monacoin 0\.20 has no "sequence" topic/, 10],
    ['an unknown topic', 'bitcoind', '    zmq:\n      rawblocks: true\n', 'nodes.bitcoind.zmq.rawblocks', /did you mean "rawblock"/, 9],
    ['a port instead of a switch', 'bitcoind', '    zmq:\n      rawtx: 28333\n', 'nodes.bitcoind.zmq.rawtx', /boolean/, 9],
    ['a namespace that is no DNS label', 'bitcoind', '    zmq:\n      rawtx: true\n      namespaces: [Indexer]\n', 'nodes.bitcoind.zmq.namespaces.0', /DNS-1123/, 10],
  ])('refuses %s, naming the file, key and line', (_, node, body, key, message, line) => {
    const problems = problemsWith(`nodes:\n  ${node}:\n${body}`);
    const p = problems.find((x) => x.path?.replace(/\[(\d+)\]/g, '.$1') === key);
    expect(p, JSON.stringify(problems)).toBeDefined();
    expect(p!.message).toMatch(message);
    expect(p!.file).toBe('environments/develop.yaml');
    expect(p!.line).toBe(line);
  });

  it('refuses a zmqpub address in extraArgs: the Service and NetworkPolicy follow the zmq key', async () => {
    writeDevelop(project.root, 'nodes:\n  bitcoind:\n    extraArgs: ["-zmqpubrawtx=tcp://0.0.0.0:9999", "-zmqpubrawtxhwm=5000"]\n');
    const r = await validate({ root: project.root, env: 'develop' });
    const found = r.findings.filter((f) => f.rule === 'policy/managed-flags');
    expect(found.map((f) => `${f.path}: ${f.message}`)).toEqual(['nodes.bitcoind.extraArgs[0]: -zmqpubrawtx=tcp://0.0.0.0:9999 sets what the environment key zmq controls']);
  });
});
