// The FastCGI application server: a listening socket, its connections, limits, graceful close.
import { chmodSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { removeStaleSocket, TurnLoad, type App, type ListenAddress, type RunOptions } from '@netcgi/core/connector';
import { isAllowed } from './allow.js';
import { Connection, type ConnectionHost } from './connection.js';
import { LogThrottle } from './log-throttle.js';
import type { FcgiCgi } from './fcgi-cgi.js';
import { ParamsBudget, type RequestSettings } from './fcgi-request.js';

/** Where to listen: a TCP port, a unix socket path, or (omitted) the socket on fd 0. */
/** Where the server listens; see `@netcgi/core/connector`. */
export type { ListenAddress };

/** The settings of an {@link FcgiServer}, every one resolved. */
export interface FcgiServerSettings {
  readonly listen: ListenAddress | undefined;
  readonly allow: ReadonlySet<string>;
  readonly maxConnections: number;
  readonly maxRequests: number;
  readonly multiplex: boolean;
  readonly maxParamsSize: number;
  readonly maxParamsTotal: number;
  readonly maxRequestsPerConnection: number;
  readonly readTimeout: number;
  readonly logError: (line: string) => void;
}

/** Thrown when no address is given and fd 0 is not a listening socket. */
export const FD0_NOT_A_SOCKET =
  'fd 0 is not a listening socket: pass listen ({ port } or { path }, or --listen on the command line), or let a web server spawn the app with its listening socket on fd 0 (lighttpd bin-path, mod_fcgid)';

/** A running FastCGI application server. */
export class FcgiServer {
  readonly settings: RequestSettings;
  readonly maxConnections: number;
  readonly maxRequests: number;
  readonly multiplex: boolean;
  readonly maxRequestsPerConnection: number;
  readonly readTimeout: number;
  readonly #server: Server;
  readonly #options: FcgiServerSettings;
  readonly #connections = new Set<Connection>();
  readonly #allConnectionsClosed: (() => void)[] = [];
  #activeRequests = 0;
  #closing = false;
  readonly #logThrottle: LogThrottle;
  readonly #host: ConnectionHost;

  constructor(app: App<FcgiCgi>, runOptions: RunOptions, options: FcgiServerSettings) {
    this.settings = { app, runOptions, maxParamsSize: options.maxParamsSize, paramsBudget: new ParamsBudget(options.maxParamsTotal), load: new TurnLoad() };
    this.maxConnections = options.maxConnections;
    this.maxRequests = options.maxRequests;
    this.multiplex = options.multiplex;
    this.maxRequestsPerConnection = options.maxRequestsPerConnection;
    this.readTimeout = options.readTimeout;
    this.#options = options;
    this.#logThrottle = new LogThrottle(options.logError);
    this.#host = this.#connectionHost();
    // allowHalfOpen: the connection, not Node, decides what the peer's end means.
    this.#server = createServer({ allowHalfOpen: true, noDelay: true, highWaterMark: 256 * 1024 }, (socket) => this.accept(socket));
  }

  get activeRequests(): number {
    return this.#activeRequests;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** The TCP address listened on, or undefined for a unix socket or fd 0. */
  address(): AddressInfo | undefined {
    const address = this.#server.address();
    return address !== null && typeof address === 'object' ? address : undefined;
  }

  /**
   * Starts listening.
   * @throws Error when the address is taken, or when no address is given and fd 0 is no socket.
   */
  async listen(): Promise<void> {
    const listen = this.#options.listen;
    const path = listen !== undefined && 'path' in listen ? listen : undefined;
    if (path !== undefined) await removeStaleSocket(path.path);
    await this.#listenOnce();
    if (path?.mode !== undefined) chmodSync(path.path, path.mode);
  }

  #listenOnce(): Promise<void> {
    const listen = this.#options.listen;
    return new Promise((resolve, reject) => {
      // A file, a pipe or a connected socket on fd 0 (a shell, a supervisor's stdin) fails here.
      // No fstatSync(0) check beforehand: Node 20's module resolution reads the last stat's type,
      // and a socket there made packages behind pnpm's symlinks unresolvable (nodejs/node#51142;
      // core's lazy.ts guards its own loads too). The listen error says the same.
      const onError = (error: Error): void => reject(listen === undefined ? new Error(FD0_NOT_A_SOCKET, { cause: error }) : error);
      this.#server.once('error', onError);
      const done = (): void => {
        this.#server.off('error', onError);
        resolve();
      };
      // Under node:cluster a worker's listen on a descriptor is answered with the primary's (Node
      // ignores `exclusive` there): the socket a web server (fd 0) or systemd (fd 3) handed the
      // supervisor is shared by every worker, which accepts on it itself (SCHED_NONE).
      if (listen === undefined) this.#server.listen({ fd: 0 }, done);
      else if ('fd' in listen) this.#server.listen({ fd: listen.fd }, done);
      else if ('path' in listen) this.#server.listen({ path: listen.path }, done);
      else this.#server.listen({ port: listen.port, host: listen.host ?? '127.0.0.1' }, done);
    });
  }

  /**
   * Stops accepting, lets the active requests finish (new ones on open connections are answered
   * FCGI_OVERLOADED), then closes. Past `timeoutMs` the remaining requests are aborted.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    this.#closing = true;
    const listening = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of this.#connections) connection.close();
    const drained = this.#connections.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.#allConnectionsClosed.push(resolve));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); });
    await Promise.race([drained, deadline]);
    clearTimeout(timer);
    for (const connection of this.#connections) connection.destroy();
    await listening;
  }

  /** What its connections may ask of the server: not part of the server's own API. */
  #connectionHost(): ConnectionHost {
    const server = this;
    return {
    settings: server.settings,
    maxConnections: server.maxConnections,
    maxRequests: server.maxRequests,
    multiplex: server.multiplex,
    maxRequestsPerConnection: server.maxRequestsPerConnection,
    readTimeout: server.readTimeout,
    get activeRequests() { return server.#activeRequests; },
    get closing() { return server.#closing; },
    requestStarted: () => { server.#activeRequests++; },
    requestSettled: () => { server.#activeRequests--; },
    connectionClosed: (connection) => {
      server.#connections.delete(connection);
      if (server.#connections.size === 0) for (const resolve of server.#allConnectionsClosed.splice(0)) resolve();
    },
    logError: (line) => server.#logThrottle.log(line),
    };
  }

  /**
   * Serves a connection accepted elsewhere: a socket a supervisor handed over, or a stand-in that
   * behaves as a connected `net.Socket` (the benchmark's in-process hello). The allow list and
   * `maxConnections` apply as to a connection the server accepted itself.
   */
  accept(socket: Socket): void {
    if (!isAllowed(this.#options.allow, socket.remoteAddress)) {
      this.#host.logError(`refused a FastCGI connection from ${socket.remoteAddress}: not in the allow list (FCGI_WEB_SERVER_ADDRS)`);
      socket.destroy();
      return;
    }
    if (socket.remoteAddress !== undefined) socket.setNoDelay(true);
    const overCapacity = this.#connections.size >= this.maxConnections;
    this.#connections.add(new Connection(socket, this.#host, overCapacity));
  }
}
