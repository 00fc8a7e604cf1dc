// HttpServer: node:http serving one app, with a graceful close.
import { chmodSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import { processRequest, removeStaleSocket, TurnLoad, type App, type ListenAddress, type RunOptions } from '@netcgi/core/connector';
import { HttpExchange } from './exchange.js';
import { drainRest } from './request-body.js';
import { requestVariables } from './variables.js';

/** The settings of an {@link HttpServer}, every one resolved. */
export interface HttpServerSettings {
  readonly listen: ListenAddress;
  readonly scriptName: string;
  readonly trustProxy: boolean;
  readonly maxDrainSize: number;
  readonly logError: (line: string) => void;
}

/** An app on node:http. */
export class HttpServer {
  readonly #app: App;
  readonly #runOptions: RunOptions;
  readonly #settings: HttpServerSettings;
  readonly #server: Server;
  #active = 0;
  readonly #load = new TurnLoad();
  /** Each open connection, and how many requests it has brought (see close()). */
  readonly #connections = new Map<Socket, { requests: number; active: boolean }>();
  #closing = false;

  constructor(app: App, runOptions: RunOptions, settings: HttpServerSettings) {
    this.#app = app;
    this.#runOptions = runOptions;
    this.#settings = settings;
    this.#server = createServer((request, response) => this.#handle(request, response));
    this.#server.on('connection', (socket: Socket) => {
      this.#connections.set(socket, { requests: 0, active: false });
      socket.once('close', () => this.#connections.delete(socket));
    });
    // Longer than a proxy's keep-alive to its upstream (nginx's 60 s), so that the proxy closes first.
    this.#server.keepAliveTimeout = 65_000;
  }

  /** Starts listening. @throws Error when the address cannot be listened on (EADDRINUSE, EACCES). */
  async listen(): Promise<void> {
    const server = this.#server;
    const address = this.#settings.listen;
    if ('path' in address) await removeStaleSocket(address.path);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const listening = (): void => {
        server.off('error', reject);
        resolve();
      };
      // Under node:cluster a worker's listen on a descriptor is answered with the primary's (Node
      // ignores `exclusive` there): the socket systemd handed the supervisor, shared by every worker.
      if ('fd' in address) server.listen({ fd: address.fd }, listening);
      else if ('path' in address) server.listen(address.path, listening);
      else server.listen(address.port, address.host ?? '127.0.0.1', listening);
    });
    server.on('error', (error) => this.#settings.logError(`server error: ${error.message}`));
    if ('path' in address && address.mode !== undefined) chmodSync(address.path, address.mode);
  }

  /** Where it listens: `http://host:port/` (the host as given; `localhost` for loopback), or the socket path. */
  get url(): string {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') return address ?? '';
    const listen = this.#settings.listen;
    if ('fd' in listen) return `http://localhost:${address.port}/`;
    const host = 'host' in listen && listen.host !== undefined && !['127.0.0.1', '::1', 'localhost'].includes(listen.host) ? listen.host : 'localhost';
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/`;
  }

  /** The TCP address, or undefined on a unix socket. */
  address(): AddressInfo | undefined {
    const address = this.#server.address();
    return address === null || typeof address === 'string' ? undefined : address;
  }

  /** Requests being answered now. */
  get activeRequests(): number {
    return this.#active;
  }

  /**
   * Stops accepting and lets the requests in flight finish, each answered with `Connection:
   * close`; after `timeoutMs` closes what is left. Idle keep-alive connections are closed at once
   * (a client retries a request it sent on a connection closing under it). A connection that has
   * not brought its first request yet is left to bring it, and that request is served: node:http's
   * own close() would drop it (it counts such a connection as idle), and the client would see a
   * reset for a request it had every right to send.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    this.#closing = true;
    const server = this.#server;
    // net.Server's close: stop accepting, without node:http's closing of "idle" connections.
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    for (const [socket, state] of this.#connections) if (state.requests > 0 && !state.active) socket.destroy();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
    clearTimeout(timer);
    server.closeAllConnections();
    for (const socket of this.#connections.keys()) socket.destroy();
    await closed;
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    this.#active++;
    this.#load.requestCame();
    const connection = this.#connections.get(request.socket);
    if (connection !== undefined) {
      connection.requests++;
      connection.active = true;
    }
    if (this.#closing) response.shouldKeepAlive = false;
    const exchange = new HttpExchange(request, response, requestVariables(request, this.#settings), this.#settings.logError, () => {
      if (connection !== undefined) connection.active = false;
      this.#active--;
    }, this.#load);
    void processRequest(this.#app, exchange, this.#runOptions).catch((error: unknown) => {
      // config.defaultErrorHandler is false: the app asked for its errors; the response is cut.
      this.#settings.logError(`${request.method} ${request.url}: the app threw: ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent && !response.destroyed) response.writeHead(500).end();
      else response.destroy();
    }).finally(() => {
      drainRest(request, this.#settings.maxDrainSize);
      exchange.settle();
      // Closing: this connection is done once its response is out.
      if (this.#closing && !request.socket.destroyed) {
        if (response.writableFinished) request.socket.end();
        else response.once('finish', () => request.socket.end());
      }
    });
  }
}
