// runFcgi: the FastCGI connector's entry point, with its defaults and signal handling.
import type { App, RunOptions } from '@netcgi/core/connector';
import { allowListFromEnvironment, parseAllowList } from './allow.js';
import type { FcgiCgi } from './fcgi-cgi.js';
import { FcgiServer, type ListenAddress } from './server.js';

/** Options of {@link runFcgi}: the core's options plus the FastCGI server's. */
export interface FcgiOptions extends RunOptions {
  /** A TCP port (host default 127.0.0.1) or a unix socket path; omitted: the listening socket on fd 0. */
  readonly listen?: ListenAddress;
  /** Web server addresses allowed to connect; default FCGI_WEB_SERVER_ADDRS, unset meaning all. */
  readonly allow?: readonly string[];
  /** FCGI_MAX_CONNS: connections served at once; beyond it requests get FCGI_OVERLOADED. Default 1024. */
  readonly maxConns?: number;
  /** FCGI_MAX_REQS: requests run at once over all connections; beyond it FCGI_OVERLOADED. Default 1024. */
  readonly maxReqs?: number;
  /**
   * Requests one connection may have at once; past it, FCGI_OVERLOADED, so that one peer cannot
   * take every slot. Default: a quarter of maxReqs (256).
   */
  readonly maxReqsPerConn?: number;
  /**
   * A connection silent this long (ms) is closed: requests still waiting for their PARAMS, STDIN
   * or DATA are aborted and logged; an idle connection is closed quietly. Default 90 000: above
   * nginx's 60 s (its body and keep-alive timeouts), so that nginx gives up first.
   */
  readonly readTimeout?: number;
  /** FCGI_MPXS_CONNS: several requests at once on a connection. Default true; false answers FCGI_CANT_MPX_CONN. */
  readonly multiplex?: boolean;
  /** The largest PARAMS stream of one request, in bytes; beyond it the answer is a 431. Default 1 MiB. */
  readonly maxParamsSize?: number;
  /**
   * The PARAMS bytes all unfinished requests of the process may hold at once; a request whose
   * PARAMS would pass it is answered 503. Default 32 MiB.
   */
  readonly maxParamsTotal?: number;
  /** On SIGTERM / SIGINT: stop accepting, finish the requests in flight, exit 0. Default true. */
  readonly handleSignals?: boolean;
  /** How long a shutdown waits for requests in flight before aborting them, in ms. Default 10 000. */
  readonly shutdownTimeout?: number;
  /** Where connection-level errors go (request errors go to FCGI_STDERR). Default: stderr. */
  readonly logError?: (line: string) => void;
}

/**
 * Serves `app` over FastCGI until the server is closed (or the process gets SIGTERM / SIGINT).
 * @throws Error when an `allow` entry (or FCGI_WEB_SERVER_ADDRS) is not an IP address, when the
 *   address cannot be listened on, or when no address is given and fd 0 is not a socket.
 */
export async function runFcgi(app: App<FcgiCgi>, options: FcgiOptions = {}): Promise<FcgiServer> {
  const allow = options.allow === undefined ? allowListFromEnvironment(process.env['FCGI_WEB_SERVER_ADDRS']) : parseAllowList(options.allow, 'allow');
  const server = new FcgiServer(app, options, {
    listen: options.listen,
    allow,
    maxConnections: positive('maxConns', options.maxConns ?? 1024),
    maxRequests: positive('maxReqs', options.maxReqs ?? 1024),
    maxRequestsPerConnection: positive('maxReqsPerConn', options.maxReqsPerConn ?? Math.ceil((options.maxReqs ?? 1024) / 4)),
    readTimeout: positive('readTimeout', options.readTimeout ?? 90_000),
    multiplex: options.multiplex ?? true,
    maxParamsSize: positive('maxParamsSize', options.maxParamsSize ?? 1024 * 1024),
    maxParamsTotal: positive('maxParamsTotal', options.maxParamsTotal ?? 32 * 1024 * 1024),
    logError: options.logError ?? ((line) => process.stderr.write(`netcgi-fcgi: ${line}\n`)),
  });
  await server.listen();
  if (options.handleSignals ?? true) exitGracefullyOnSignals(server, options.shutdownTimeout ?? 10_000);
  return server;
}

function exitGracefullyOnSignals(server: FcgiServer, timeoutMs: number): void {
  let draining = false;
  const shutdown = (): void => {
    process.off('SIGTERM', shutdown).off('SIGINT', shutdown);
    if (draining) return;
    draining = true;
    // A second signal while draining takes the default action: the process ends at once.
    void server.close(timeoutMs).then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown).on('SIGINT', shutdown);
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, not ${value}`);
  return value;
}
