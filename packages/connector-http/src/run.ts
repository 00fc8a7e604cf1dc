// runHttp: the HTTP connector's entry point, with its defaults and signal handling.
import type { App, ListenAddress, RunOptions } from '@netcgi/core/connector';
import { HttpServer } from './server.js';

/** Options of {@link runHttp}: the core's options plus the HTTP server's. */
export interface HttpOptions extends RunOptions {
  /** A TCP port (host default 127.0.0.1) or a unix socket path. Default: port 8080 on 127.0.0.1. */
  readonly listen?: ListenAddress;
  /** The prefix the app is mounted at: `SCRIPT_NAME`, the rest of the path being `PATH_INFO`. Default `''`. */
  readonly scriptName?: string;
  /**
   * Take `X-Forwarded-For`, `-Proto` and `-Host` from the proxy in front (nginx `proxy_pass`).
   * Only when every request comes through that proxy: a client could forge them. Default false.
   */
  readonly trustProxy?: boolean;
  /** After a response, the most bytes of an unread request body read to keep the connection; past it, it is closed. Default 1 MiB. */
  readonly maxDrainSize?: number;
  /** On SIGTERM / SIGINT: stop accepting, finish the requests in flight, exit 0. Default true. */
  readonly handleSignals?: boolean;
  /** How long a shutdown waits for requests in flight before closing their connections, in ms. Default 10 000. */
  readonly shutdownTimeout?: number;
  /** Where errors go. Default: stderr. */
  readonly logError?: (line: string) => void;
}

/**
 * Serves `app` on node:http until the server is closed (or the process gets SIGTERM / SIGINT).
 * @throws Error when the address cannot be listened on (EADDRINUSE, EACCES).
 */
export async function runHttp(app: App, options: HttpOptions = {}): Promise<HttpServer> {
  const server = new HttpServer(app, options, {
    listen: options.listen ?? { port: 8080 },
    scriptName: options.scriptName ?? '',
    trustProxy: options.trustProxy ?? false,
    maxDrainSize: options.maxDrainSize ?? 1024 * 1024,
    logError: options.logError ?? ((line) => process.stderr.write(`netcgi-http: ${line}\n`)),
  });
  await server.listen();
  if (options.handleSignals ?? true) exitGracefullyOnSignals(server, options.shutdownTimeout ?? 10_000);
  return server;
}

function exitGracefullyOnSignals(server: HttpServer, timeoutMs: number): void {
  const shutdown = (): void => {
    // A second signal while draining takes the default action: the process ends at once.
    process.off('SIGTERM', shutdown).off('SIGINT', shutdown);
    void server.close(timeoutMs).then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown).on('SIGINT', shutdown);
}
