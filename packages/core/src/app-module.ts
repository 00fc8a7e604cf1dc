// What the connectors' commands share: the address to listen on, and the app module to serve.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './in-memory/command-line.js';
import type { App, RunOptions } from './process-request.js';

/**
 * A TCP port (on `host`, default 127.0.0.1), a unix socket path (`mode`: its permissions), or a
 * listening socket already open on file descriptor `fd` (systemd socket activation: 3; a web
 * server or the supervisor handing one over: 0).
 */
export type ListenAddress =
  | { readonly port: number; readonly host?: string }
  | { readonly path: string; readonly mode?: number }
  | { readonly fd: number };

/**
 * `9000` and `host:9000` are TCP (`[::1]:9000` for IPv6); anything else is a unix socket path.
 * @throws RangeError for a port above 65535.
 */
export function parseListenAddress(text: string): ListenAddress {
  if (/^\d+$/.test(text)) return { port: port(text) };
  const match = /^\[?([^\]/]*?)\]?:(\d+)$/.exec(text);
  if (match !== null && !text.includes('/')) return { host: match[1]!, port: port(match[2]!) };
  return { path: text };
}

/**
 * A socket file left by a process that died (SIGKILL, a crash) makes listen fail with EADDRINUSE.
 * Removes it, but only when nothing answers on it: a live server's socket is left alone.
 */
export async function removeStaleSocket(path: string): Promise<void> {
  // Loaded here: the core's connector bundle is on a CGI program's start-up path, which needs neither.
  const [{ stat, unlink }, { connect }] = await Promise.all([import('node:fs/promises'), import('node:net')]);
  // The promise API: a synchronous stat of a socket would poison module resolution (nodejs/node#51142).
  const found = await stat(path).catch(() => undefined);
  if (found === undefined || !found.isSocket()) return;
  const alive = await new Promise<boolean>((done) => {
    const probe = connect(path);
    probe.once('connect', () => { probe.destroy(); done(true); }).once('error', () => done(false));
  });
  if (!alive) await unlink(path);
}

function port(text: string): number {
  const value = Number(text);
  if (value > 65535) throw new RangeError(`port ${text} is out of range`);
  return value;
}

/** An app module as the commands load it. */
export interface AppModule<O extends RunOptions = RunOptions> {
  readonly app: App;
  /** The module's export `options`, or `{}`. */
  readonly options: O;
}

/**
 * Imports the app module at `path` (relative to the working directory): its default export (or
 * export `app`) is the app, its export `options` the run options. A `.ts` module runs where Node
 * strips types itself (22.18, 24 and later: erasable syntax only, no enums or namespaces).
 * @throws TypeError when the module exports no function as its app, or is TypeScript on a Node
 *   that cannot run it; what importing it throws.
 */
export async function loadAppModule<O extends RunOptions = RunOptions>(path: string): Promise<AppModule<O>> {
  if (/\.[cm]?ts$/.test(path) && !typeScriptRuns()) {
    throw new TypeError(`${path} is TypeScript, which Node ${process.version} cannot load: build it to JavaScript (tsc), or run it on Node 22.18, 24 or later, which strip the types themselves`);
  }
  const module = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown; app?: unknown; options?: O };
  const app = module.default ?? module.app;
  if (typeof app !== 'function') throw new TypeError(`${path} exports no app: give it a default export (cgi) => …`);
  return { app: app as App, options: module.options ?? ({} as O) };
}

/** True when this Node runs `.ts` modules itself (type stripping: on by default from 22.18 and 23.6). */
function typeScriptRuns(): boolean {
  return Boolean((process.features as { typescript?: unknown }).typescript);
}

/** What a connector's command line asks for. */
export interface AppCommandLine<O extends RunOptions> {
  readonly appModule: string;
  readonly options: O;
  readonly help: boolean;
}

/** A connector's serving command (`netcgi-fcgi`, `netcgi-http`): how it parses and serves. */
export interface AppCommand<O extends RunOptions, L extends AppCommandLine<O>> {
  readonly name: string;
  readonly usage: string;
  /** @throws UsageError (from `@netcgi/core/connector`) on a wrong argument. */
  readonly parse: (args: readonly string[]) => L;
  /** Runs before the module is loaded; true when it took over (a `--workers` primary). */
  readonly takeOver?: (commandLine: L) => boolean;
  /** Serves the app; resolves to a line for stdout (where it listens), or nothing. */
  readonly serve: (app: App, options: O, commandLine: L) => Promise<string | void>;
}

/**
 * The whole of a connector's serving command: parse (usage on a mistake: exit status 2), help,
 * load the app module (its `options` under the command line's), serve. Resolves to the exit
 * status while serving goes on: 0, 1 when serving could not start, 2 on a usage error.
 */
export async function runAppCommand<O extends RunOptions, L extends AppCommandLine<O>>(command: AppCommand<O, L>, args: readonly string[]): Promise<number> {
  const say = (stream: NodeJS.WriteStream, line: string): void => { stream.write(`${command.name}: ${line}\n`); };
  let commandLine: L;
  try {
    commandLine = command.parse(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    say(process.stderr, `${error.message}\n${command.usage}`);
    return 2;
  }
  if (commandLine.help) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  if (command.takeOver?.(commandLine) === true) return 0;
  let module: AppModule<O>;
  try {
    module = await loadAppModule<O>(commandLine.appModule);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    say(process.stderr, error.message);
    return 2;
  }
  try {
    const line = await command.serve(module.app, { ...module.options, ...commandLine.options }, commandLine);
    if (line !== undefined) say(process.stdout, line);
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    say(process.stderr, `${error instanceof Error ? error.message : String(error)}${inUse ? ' (something else listens there: pass --listen)' : ''}`);
    return 1;
  }
  return 0;
}
