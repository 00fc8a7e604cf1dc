// Processes for the benchmarks: clean environments, daemons that are waited for and stopped,
// free ports, and memory readings from /proc.
import { execFileSync, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The environment of a process a web server starts: no NODE_EXTRA_CA_CERTS (this machine sets
 * it, and it alone makes `node -e 0` three times slower), no NODE_PATH, no NODE_OPTIONS.
 */
export function cleanEnvironment(extra = {}) {
  return { PATH: `${process.env.PATH}:/usr/sbin:/sbin`, HOME: process.env.HOME ?? '/root', LANG: 'C', ...extra };
}

export function scratchDirectory(name) {
  return mkdtempSync(join(tmpdir(), `netcgi-bench-${name}-`));
}

export function removeDirectory(path) {
  rmSync(path, { recursive: true, force: true });
}

/** Fails with the package to install when a command is missing. */
export function requireCommand(command, debianPackage) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { env: cleanEnvironment(), stdio: 'ignore' });
  } catch {
    throw new Error(`${command} is missing: apt-get install ${debianPackage} (bench/install-peers installs every peer)`);
  }
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once something accepts connections on the port or unix socket path. */
export async function waitForListener(address, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = typeof address === 'number' ? connect(address, '127.0.0.1') : connect(address);
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${address} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A long-running process; its output goes to a log file, which is shown if it dies early. */
export class Daemon {
  constructor(name, command, args, { cwd, env, logDirectory }) {
    this.name = name;
    this.logPath = join(logDirectory, `${name.replace(/[^\w.-]+/g, '_')}.log`);
    writeFileSync(this.logPath, '');
    this.child = spawn(command, args, { cwd, env: env ?? cleanEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.output = '';
    const keep = (data) => { this.output = (this.output + data).slice(-8192); };
    this.child.stdout.on('data', keep);
    this.child.stderr.on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve(code ?? signal)));
  }

  get pid() {
    return this.child.pid;
  }

  async started(address) {
    const exit = this.exited.then((status) => { throw new Error(`${this.name} exited (${status}) while starting:\n${this.output}`); });
    await Promise.race([waitForListener(address, this.name), exit]);
  }

  /** SIGTERM to the process group, SIGKILL after 5 s. */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try { process.kill(-this.child.pid, 'SIGTERM'); } catch {}
    const timer = setTimeout(() => { try { process.kill(-this.child.pid, 'SIGKILL'); } catch {} }, 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The process and all of its descendants (PHP-FPM's and --workers' children). */
export function processTree(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(Number(entry));
    } catch {}
  }
  const tree = [];
  const visit = (id) => { tree.push(id); for (const child of children.get(id) ?? []) visit(child); };
  visit(pid);
  return tree;
}

/** VmRSS and VmHWM of a process, in KiB. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0), so that the next peak is this transfer's. */
export function resetPeak(pid) {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}
