// Real peers for the integration tests and the benchmarks (bench/ imports the build of this file,
// test-support/dist/processes.js): free ports, scratch directories, environments, daemons, curl.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

/**
 * Throws when a web server or client is missing. `.ci/run` installs them from Debian's packages;
 * a test that silently skipped its real peer would prove nothing.
 */
export function requireCommand(command: string, debianPackage: string): string {
  // Debian puts servers in /usr/sbin, which a user's PATH may lack.
  const env = { ...process.env, PATH: `${process.env['PATH']}:/usr/sbin:/sbin` };
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8', env }).stdout.trim();
  if (found === '') throw new Error(`${command} is not installed: apt-get install ${debianPackage} (.ci/run installs the tests' peers, bench/install-peers the benchmark's)`);
  return found;
}

/** A port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * A scratch directory, readable by the unprivileged workers of a web server started as root. It
 * is made in /tmp, not in the test run's own TMPDIR: that one is private (0700) to catch leaked
 * temp files, and www-data could not reach a document root inside it.
 */
export function scratchDirectory(name: string): { path: string; file(relative: string, content: string): string; remove(): void } {
  const path = mkdtempSync(join('/tmp', `${name}-`));
  spawnSync('chmod', ['755', path]);
  return {
    path,
    file(relative, content) {
      const file = join(path, relative);
      writeFileSync(file, content);
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/**
 * The environment for a process a test starts: the test runner's, without NODE_PATH. pnpm sets
 * NODE_PATH to its store, which lets a broken module resolution pass in tests that would fail in
 * production (nodejs/node#51142 hid exactly so).
 */
export function productionEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env['NODE_PATH'];
  return env;
}

/**
 * The environment of a process a web server starts, for timing it: PATH, HOME and LANG only. No
 * NODE_EXTRA_CA_CERTS (this machine sets it, and it alone makes `node -e 0` three times slower),
 * no NODE_PATH, no NODE_OPTIONS.
 */
export function cleanEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: `${process.env['PATH']}:/usr/sbin:/sbin`, HOME: process.env['HOME'] ?? '/root', LANG: 'C', ...extra };
}

/** What a daemon's output keeps: its last 1 MiB, for the message when it fails. */
const OUTPUT_KEPT = 2 ** 20;

export interface DaemonOptions {
  readonly cwd?: string;
  /** Default: {@link productionEnvironment}. */
  readonly env?: NodeJS.ProcessEnv;
  /** For messages; default the command's name. */
  readonly name?: string;
}

/** A long-running process (a server, a web server), in a process group of its own, its output kept. */
export class Daemon {
  readonly child: ChildProcess;
  readonly name: string;
  output = '';
  readonly #exited: Promise<void>;

  constructor(command: string, args: readonly string[], options: DaemonOptions = {}) {
    this.name = options.name ?? command;
    this.child = spawn(command, args, { cwd: options.cwd, env: options.env ?? productionEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const keep = (chunk: Buffer): void => { this.output = (this.output + chunk.toString()).slice(-OUTPUT_KEPT); };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.#exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get exited(): Promise<void> {
    return this.#exited;
  }

  /** Resolves once it accepts connections on `address`. @throws Error when it exits first, with its output. */
  started(address: number | string, host = '127.0.0.1'): Promise<void> {
    return waitForListener(address, this, 15_000, host);
  }

  /**
   * `signal` (default SIGTERM) to the whole process group (the server and what it spawned), then
   * waits; SIGKILL after `killAfterMs`.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(-this.child.pid!, signal);
    } catch {
      return;
    }
    const killer = setTimeout(() => { try { process.kill(-this.child.pid!, 'SIGKILL'); } catch { /* gone */ } }, killAfterMs);
    await this.#exited;
    clearTimeout(killer);
  }
}

/** Resolves once something accepts connections on the port of `host` (or on the unix socket path). */
export async function waitForListener(address: number | string, daemon?: Daemon, timeoutMs = 15_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = typeof address === 'number' ? connect(address, host) : connect(address);
      socket.once('connect', () => { socket.destroy(); resolve(true); }).once('error', () => resolve(false));
    });
    if (ok) return;
    if (daemon !== undefined && (daemon.child.exitCode !== null || daemon.child.signalCode !== null)) throw new Error(`${daemon.name} exited before listening on ${address}:\n${daemon.output}`);
    if (Date.now() > deadline) throw new Error(`nothing listens on ${address} after ${timeoutMs} ms\n${daemon?.output ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Established TCP connections to a local port, as `ss` sees them. */
export function establishedConnections(port: number): number {
  const result = spawnSync('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  return result.stdout.split('\n').filter((line) => line.trim() !== '').length;
}

/** Runs curl and returns its status, headers and body. @throws Error when curl fails. */
export function curl(args: readonly string[]): { status: number; headers: string; body: Buffer } {
  const result = spawnSync('curl', ['-s', '-S', '-D', '-', ...args], { maxBuffer: 256 * 1024 * 1024 });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`curl ${args.join(' ')} failed: ${result.stderr.toString()}`);
  let output = result.stdout;
  for (;;) {
    const end = output.indexOf('\r\n\r\n');
    const headers = output.subarray(0, end).toString('latin1');
    const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(headers)?.[1]);
    output = output.subarray(end + 4);
    // "100 Continue" (curl expects it before a large body) comes first, as a header block of its own.
    if (status >= 200) return { status, headers, body: output };
  }
}
