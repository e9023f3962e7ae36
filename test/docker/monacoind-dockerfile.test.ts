/**
 * docker/monacoind/Dockerfile cannot be built here (no Docker engine), so this test reads it and
 * checks what matters to the pods nodegen writes: the pinned release, the checksum gate, the
 * non-root user the MonaNode construct runs as, the binaries it calls and the ports it opens.
 * The download step itself runs for real with bash, a fake curl and fake release tarballs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtInProfile } from '../../src/chains/profiles.js';

const MONACOIN_NETWORKS = builtInProfile('monacoind').networks;
const MONACOIN_VERSION = builtInProfile('monacoind').version;
import { MonaNode } from '../../src/constructs/mona-node.js';

const DOCKERFILE = join(__dirname, '..', '..', 'docker', 'monacoind', 'Dockerfile');

/** The pinned tarball's SHA256 (provenance unverified: see the Dockerfile's comment). */
const PINNED_SHA256 = '94f8fe7400d23a9bad10af3dfc3f800e333be0aa4d61e5c8cfc5f338253d9451';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

interface Stage {
  readonly image: string;
  readonly name?: string;
  readonly instructions: Instruction[];
}

interface Dockerfile {
  /** ARGs before the first FROM, with their defaults. */
  readonly globalArgs: Record<string, string | undefined>;
  readonly stages: Stage[];
}

/** Parses a Dockerfile: comments dropped, `\` continuations joined the way BuildKit joins them. */
function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let current: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) return; // comments, also inside continuations
    if (!current) {
      if (trimmed === '') return;
      current = { text: '', line: i + 1 };
    }
    if (/\\\s*$/.test(raw)) {
      current.text += raw.replace(/\\\s*$/, '');
      return;
    }
    current.text += raw;
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(current.text)!;
    instructions.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: current.line });
    current = undefined;
  });

  const globalArgs: Record<string, string | undefined> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const [image, as, name] = ins.args.split(/\s+/).filter((t) => !t.startsWith('--'));
      stages.push({ image: image!, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword === 'ARG') Object.assign(globalArgs, parseArg(ins.args));
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

function parseArg(args: string): Record<string, string | undefined> {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(args);
  if (!m) throw new Error(`cannot parse ARG ${args}`);
  return { [m[1]!]: m[2] === undefined ? undefined : unquote(m[2]) };
}

function unquote(v: string): string {
  return /^".*"$/.test(v) ? v.slice(1, -1) : v;
}

/** Replaces `${NAME}` and `$NAME` with the given values (what Docker does for ARGs in instructions). */
function expand(v: string, vars: Record<string, string | undefined>): string {
  return v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, a?: string, b?: string) => vars[(a ?? b)!] ?? whole);
}

/** ARGs in scope in a stage: redeclared globals inherit their default unless given a new one. */
function stageArgs(df: Dockerfile, stage: Stage): Record<string, string | undefined> {
  const vars: Record<string, string | undefined> = {};
  for (const ins of stage.instructions.filter((i) => i.keyword === 'ARG')) {
    const [[name, value]] = Object.entries(parseArg(ins.args)) as [[string, string | undefined]];
    vars[name] = value !== undefined ? expand(value, vars) : df.globalArgs[name];
  }
  return vars;
}

function labels(stage: Stage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ins of stage.instructions.filter((i) => i.keyword === 'LABEL')) {
    for (const m of ins.args.matchAll(/([A-Za-z0-9_.-]+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  }
  return out;
}

const df = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
const final = df.stages.at(-1)!;
const builder = df.stages.find((s) => s.name === 'builder')!;
const of = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const downloadStep = of(builder, 'RUN').find((r) => r.args.includes('sha256sum'));

/** The pod spec the MonaNode construct writes, to compare with the image. */
function monaPod(network: 'main' | 'test') {
  const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true });
  new MonaNode(chart, 'monacoind', { image: 'registry.example/chains/monacoind:0.20.4', network });
  const sts = (chart.toJson() as Array<{ kind: string; spec: any }>).find((o) => o.kind === 'StatefulSet')!;
  return sts.spec.template.spec as {
    securityContext: { runAsUser: number; runAsGroup: number; fsGroup: number };
    containers: Array<{ command: string[]; args: string[]; env: Array<{ name: string; value: string }>; ports: Array<{ containerPort: number }> }>;
  };
}

describe('docker/monacoind/Dockerfile', () => {
  it('pins the Monacoin release that src/chains/monacoin.ts names', () => {
    expect(df.globalArgs.MONACOIN_VERSION).toBe(MONACOIN_VERSION);
    for (const stage of df.stages) {
      const vars = stageArgs(df, stage);
      if ('MONACOIN_VERSION' in vars) expect(vars.MONACOIN_VERSION, `stage ${stage.name ?? stage.image}`).toBe(MONACOIN_VERSION);
    }
  });

  it("downloads that release's x86_64 Linux tarball from the Monacoin project's GitHub releases", () => {
    const url = stageArgs(df, builder).MONACOIN_URL;
    expect(url).toBe(
      `https://github.com/monacoinproject/monacoin/releases/download/v${MONACOIN_VERSION}/monacoin-${MONACOIN_VERSION}-x86_64-linux-gnu.tar.gz`,
    );
  });

  it('pins the tarball SHA256 and checks it with sha256sum -c before unpacking anything', () => {
    expect(df.globalArgs.MONACOIN_SHA256).toBe(PINNED_SHA256);
    expect(stageArgs(df, builder).MONACOIN_SHA256).toBe(PINNED_SHA256);
    expect(downloadStep).toBeDefined();
    const run = downloadStep!.args;
    expect(run).toMatch(/\$\{?MONACOIN_SHA256\}?\s+monacoin\.tar\.gz"?\s*\|\s*sha256sum -c/);
    expect(run.indexOf('sha256sum -c')).toBeLessThan(run.indexOf('tar -x'));
    // curl -f: an HTTP error page must fail the download, not be checksummed.
    expect(run).toMatch(/curl\s+-[A-Za-z]*f/);
    // Nothing else fetches code into the image.
    expect(of(builder, 'ADD').concat(of(final, 'ADD'))).toEqual([]);
  });

  it('runs every RUN with pipefail, so a failure left of a pipe fails the build', () => {
    const shell = JSON.parse(of(builder, 'SHELL')[0]!.args) as string[];
    expect(shell[0]).toBe('/bin/bash');
    expect(shell.join(' ')).toMatch(/-\w*o pipefail/);
    expect(builder.instructions.findIndex((i) => i.keyword === 'SHELL')).toBeLessThan(builder.instructions.findIndex((i) => i.keyword === 'RUN'));
  });

  it('builds from tagged Debian bookworm-slim bases, never from latest', () => {
    const stageNames = new Set(df.stages.map((s) => s.name).filter(Boolean));
    const bases = df.stages.map((s) => s.image).filter((i) => !stageNames.has(i));
    expect(bases.length).toBe(df.stages.length);
    for (const image of bases) {
      expect(image).toMatch(/^[a-z0-9./-]+:[A-Za-z0-9._-]+(@sha256:[0-9a-f]{64})?$/);
      expect(image).not.toMatch(/:latest\b/);
    }
    expect(final.image.replace(/@.*/, '')).toBe('debian:bookworm-slim');
    expect(builder.image.replace(/@.*/, '')).toBe('debian:bookworm-slim');
  });

  it('runs as uid/gid 10001, the user and fsGroup the MonaNode construct gives the pod', () => {
    const users = of(final, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const [uid, gid] = users.at(-1)!.args.split(':');
    const pod = monaPod('test');
    expect(Number(uid)).toBe(pod.securityContext.runAsUser);
    expect(Number(gid ?? uid)).toBe(pod.securityContext.runAsGroup);
    expect(Number(gid ?? uid)).toBe(pod.securityContext.fsGroup);
    expect(Number(uid)).not.toBe(0);

    const setup = of(final, 'RUN').map((r) => r.args).join('\n');
    expect(setup).toMatch(new RegExp(`groupadd [^\\n&]*--gid ${gid ?? uid} monacoin`));
    expect(setup).toMatch(new RegExp(`useradd [^\\n&]*--uid ${uid} [^\\n&]*monacoin`));
    expect(setup).toMatch(new RegExp(`chown ${uid}:${gid ?? uid} /data`));
  });

  it('ships only monacoind and monacoin-cli, the programs the construct and its probes call', () => {
    const copies = of(final, 'COPY');
    expect(copies.length).toBe(1);
    const tokens = copies[0]!.args.split(/\s+/);
    expect(tokens[0]).toBe('--from=builder');
    const dest = tokens.at(-1)!;
    const names = tokens.slice(1, -1).map((p) => p.split('/').at(-1));
    expect(dest).toBe('/usr/local/bin/');
    expect(names.sort()).toEqual(['monacoin-cli', 'monacoind']);

    const container = monaPod('main').containers[0]!;
    expect(container.command).toEqual(['monacoind']);
    expect(container.args).toContain('-datadir=/data');
    expect(container.env.find((e) => e.name === 'CLI')?.value).toBe('monacoin-cli');
  });

  it('has no entrypoint, so the command Kubernetes passes runs as it is', () => {
    for (const stage of df.stages) expect(of(stage, 'ENTRYPOINT')).toEqual([]);
    // A default CMD for `docker run` is fine; it must be exec form (no shell in between).
    for (const cmd of of(final, 'CMD')) expect(() => JSON.parse(cmd.args)).not.toThrow();
  });

  it('gives /data to the monacoin user as the working and volume folder', () => {
    expect(of(final, 'WORKDIR').at(-1)?.args).toBe('/data');
    expect(of(final, 'VOLUME').map((v) => v.args)).toEqual(['["/data"]']);
  });

  it("exposes Monacoin's own mainnet and testnet ports, the ones the construct's pods open", () => {
    const exposed = of(final, 'EXPOSE')
      .flatMap((e) => e.args.split(/\s+/))
      .map((p) => Number(p.replace(/\/tcp$/, '')))
      .sort((a, b) => a - b);
    const expected = (['main', 'test'] as const).flatMap((n) => [MONACOIN_NETWORKS[n]!.p2pPort, MONACOIN_NETWORKS[n]!.rpcPort]).sort((a, b) => a - b);
    expect(exposed).toEqual(expected);
    expect(exposed).toEqual([9401, 9402, 19402, 19403]);
    for (const network of ['main', 'test'] as const) {
      for (const p of monaPod(network).containers[0]!.ports) expect(exposed).toContain(p.containerPort);
    }
  });

  it('carries OCI labels naming the Monacoin version and source', () => {
    const l = labels(final);
    const vars = stageArgs(df, final);
    expect(expand(l['org.opencontainers.image.version'] ?? '', vars)).toBe(MONACOIN_VERSION);
    expect(l['org.opencontainers.image.source']).toBe('https://github.com/monacoinproject/monacoin');
    expect(l['org.opencontainers.image.title']).toBe('monacoind');
    expect(l['org.opencontainers.image.licenses']).toBe('MIT');
    expect(expand(l['org.opencontainers.image.description'] ?? '', vars)).toContain(MONACOIN_VERSION);
  });
});

describe('the Dockerfile download step, run with a fake curl', () => {
  let tmp: string;

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'nodegen-monacoind-'));
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  /** A release-like tarball: `<top>/bin/<program>` scripts that print a version line. */
  function tarball(top: string, programs: string[], version = MONACOIN_VERSION): { file: string; sha256: string } {
    const src = join(tmp, 'src');
    mkdirSync(join(src, top, 'bin'), { recursive: true });
    mkdirSync(join(src, top, 'share/man/man1'), { recursive: true });
    writeFileSync(join(src, top, 'share/man/man1/monacoind.1'), '.TH MONACOIND 1\n');
    for (const p of programs) {
      writeFileSync(join(src, top, 'bin', p), `#!/bin/sh\necho "Monacoin Core ${p} version v${version}"\n`, { mode: 0o755 });
    }
    const file = join(tmp, 'release.tar.gz');
    const tar = spawnSync('tar', ['-czf', file, '-C', src, top]);
    expect(tar.status).toBe(0);
    return { file, sha256: createHash('sha256').update(readFileSync(file)).digest('hex') };
  }

  /**
   * Runs the Dockerfile's download RUN under its SHELL in a scratch folder: curl is a fake that
   * copies the tarball, and /out is redirected into the scratch folder.
   */
  function runDownload(release: { file: string }, sha256: string) {
    const bin = join(tmp, 'fakebin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'curl'),
      '#!/bin/sh\nout=\nwhile [ $# -gt 0 ]; do case "$1" in -o) out=$2; shift 2 ;; *) url=$1; shift ;; esac; done\nprintf \'%s\\n\' "$url" > "$FAKE_CURL_LOG"\ncp "$FAKE_TARBALL" "$out"\n',
    );
    chmodSync(join(bin, 'curl'), 0o755);
    const work = join(tmp, 'build');
    mkdirSync(work);
    const out = join(tmp, 'out');
    const script = downloadStep!.args.replace(/(?<=[\s"])\/out\b/g, out);
    const shell = JSON.parse(of(builder, 'SHELL')[0]!.args) as string[];
    const vars = stageArgs(df, builder);
    const r = spawnSync(shell[0]!, [...shell.slice(1), script], {
      cwd: work,
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        MONACOIN_VERSION: vars.MONACOIN_VERSION!,
        MONACOIN_SHA256: sha256,
        MONACOIN_URL: vars.MONACOIN_URL!,
        FAKE_TARBALL: release.file,
        FAKE_CURL_LOG: join(tmp, 'curl.log'),
      },
    });
    const installed = existsSync(out) ? readdirSync(out).sort() : [];
    return { status: r.status, output: `${r.stdout}${r.stderr}`, out, installed, url: existsSync(join(tmp, 'curl.log')) ? readFileSync(join(tmp, 'curl.log'), 'utf8').trim() : undefined };
  }

  const ALL = ['monacoind', 'monacoin-cli', 'monacoin-qt', 'monacoin-tx', 'monacoin-wallet', 'test_monacoin'];

  it('keeps exactly monacoind and monacoin-cli, executable, when the checksum matches', () => {
    const release = tarball(`monacoin-${MONACOIN_VERSION}`, ALL);
    const r = runDownload(release, release.sha256);
    expect(r.status, r.output).toBe(0);
    expect(r.url).toBe(stageArgs(df, builder).MONACOIN_URL);
    expect(r.installed).toEqual(['monacoin-cli', 'monacoind']);
    for (const f of r.installed) expect(statSync(join(r.out, f)).mode & 0o777).toBe(0o755);
  });

  it('fails before unpacking when the checksum does not match', () => {
    const release = tarball(`monacoin-${MONACOIN_VERSION}`, ALL);
    const r = runDownload(release, PINNED_SHA256 === release.sha256 ? '0'.repeat(64) : PINNED_SHA256);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/FAILED/);
    expect(r.installed).toEqual([]);
  });

  it('finds the binaries whatever the top folder of the tarball is called', () => {
    const release = tarball('monacoin-core-x86_64', ALL);
    const r = runDownload(release, release.sha256);
    expect(r.status, r.output).toBe(0);
    expect(r.installed).toEqual(['monacoin-cli', 'monacoind']);
  });

  it('fails, naming the program, when the tarball lacks monacoin-cli', () => {
    const release = tarball(`monacoin-${MONACOIN_VERSION}`, ['monacoind', 'monacoin-qt']);
    const r = runDownload(release, release.sha256);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('expected exactly one monacoin-cli in the release tarball, found: none');
  });

  it('fails when monacoind reports another version than the pinned one', () => {
    const release = tarball(`monacoin-${MONACOIN_VERSION}`, ALL, '0.17.1');
    const r = runDownload(release, release.sha256);
    expect(r.status).not.toBe(0);
  });
});
