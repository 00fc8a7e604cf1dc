// What the connectors' commands share: the address to listen on, and the app module to serve.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { App, RunOptions } from './process-request.js';

/** A TCP port (on `host`, default 127.0.0.1) or a unix socket path (`mode`: its permissions). */
export type ListenAddress =
  | { readonly port: number; readonly host?: string }
  | { readonly path: string; readonly mode?: number };

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
 * export `app`) is the app, its export `options` the run options.
 * @throws TypeError when the module exports no function as its app; what importing it throws.
 */
export async function loadAppModule<O extends RunOptions = RunOptions>(path: string): Promise<AppModule<O>> {
  const module = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown; app?: unknown; options?: O };
  const app = module.default ?? module.app;
  if (typeof app !== 'function') throw new TypeError(`${path} exports no app: give it a default export (cgi) => …`);
  return { app: app as App, options: module.options ?? ({} as O) };
}
