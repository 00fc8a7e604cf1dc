// HttpServer: node:http serving one app, with a graceful close.
import { chmodSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestAbortedError } from '@netcgi/core';
import { processRequest, removeStaleSocket, type App, type ListenAddress, type RunOptions } from '@netcgi/core/connector';
import { drainRest, RequestBody } from './request-body.js';
import { HttpResponseOutput } from './response-output.js';
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
  #idle: (() => void) | undefined;

  constructor(app: App, runOptions: RunOptions, settings: HttpServerSettings) {
    this.#app = app;
    this.#runOptions = runOptions;
    this.#settings = settings;
    this.#server = createServer((request, response) => this.#handle(request, response));
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
      // exclusive: each worker of a supervisor accepts on the inherited socket itself.
      if ('fd' in address) server.listen({ fd: address.fd, exclusive: true }, listening);
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
   * Stops accepting, lets the requests in flight finish (idle keep-alive connections are closed at
   * once), and after `timeoutMs` closes what is left.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    const server = this.#server;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (this.#active > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => { this.#idle = resolve; }),
        new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); }),
      ]);
      clearTimeout(timer);
    }
    server.closeAllConnections();
    await closed;
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    this.#active++;
    let body: RequestBody | undefined;
    let controller: AbortController | undefined;
    let gone = false;
    response.on('close', () => {
      if (response.writableFinished) return;
      // The client went away before the response ended.
      gone = true;
      const reason = new RequestAbortedError('the client went away');
      controller?.abort(reason);
      body?.destroy(reason);
    });
    const signalOf = (): AbortSignal => {
      controller ??= new AbortController();
      if (gone && !controller.signal.aborted) controller.abort(new RequestAbortedError('the client went away'));
      return controller.signal;
    };
    void processRequest(this.#app, {
      variables: requestVariables(request, this.#settings),
      get body() { return (body ??= new RequestBody(request)); },
      output: new HttpResponseOutput(response, request.method === 'HEAD'),
      logError: this.#settings.logError,
      get signal() { return signalOf(); },
    }, this.#runOptions).catch((error: unknown) => {
      // config.defaultErrorHandler is false: the app asked for its errors; the response is cut.
      this.#settings.logError(`${request.method} ${request.url}: the app threw: ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent && !response.destroyed) response.writeHead(500).end();
      else response.destroy();
    }).finally(() => {
      drainRest(request, this.#settings.maxDrainSize);
      if (--this.#active === 0) this.#idle?.();
    });
  }
}
