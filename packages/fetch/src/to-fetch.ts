// toFetch: a netcgi app as a Fetch-API handler, for fetch-based servers and test tools.
import { Readable } from 'node:stream';
import { RequestAbortedError } from '@netcgi/core';
import { cgiVariablesOfHttpRequest, processRequest, type App, type ResponseHead, type ResponseOutput, type RunOptions } from '@netcgi/core/connector';

/** Options of {@link toFetch}: the core's, and where the app is mounted. */
export interface ToFetchOptions extends RunOptions {
  /** The prefix the app is mounted at (`SCRIPT_NAME`). Default `''`. */
  readonly scriptName?: string;
  /** Where the app's `logError` lines go. Default: stderr. */
  readonly logError?: (line: string) => void;
}

/**
 * `app` as a fetch handler: `(request) => Promise<Response>`. The request becomes the CGI variables
 * a web server would set (the URL's host and port, its path and query); its body streams to the
 * app; the Response resolves as soon as the app sends its head, and its body streams while the app
 * writes, with backpressure (the app's writes wait while the reader lags). `request.signal`
 * aborting reaches `cgi.signal`.
 */
export function toFetch(app: App, options: ToFetchOptions = {}): (request: Request) => Promise<Response> {
  const logError = options.logError ?? ((line: string) => process.stderr.write(`netcgi: ${line}\n`));
  return (request) => new Promise<Response>((resolve, reject) => {
    const url = new URL(request.url);
    const output = new FetchResponseOutput(resolve);
    const variables = cgiVariablesOfHttpRequest({
      method: request.method,
      target: url.pathname + url.search,
      // A Request carries its host in its URL, not in a Host header: a web server would have one.
      headers: request.headers.has('host') ? request.headers : [['Host', url.host], ...request.headers],
      https: url.protocol === 'https:',
      localPort: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      scriptName: options.scriptName ?? '',
      serverSoftware: 'netcgi-fetch',
    });
    const body = request.body === null ? Readable.from([]) : Readable.fromWeb(request.body as import('node:stream/web').ReadableStream<Uint8Array>);
    // An abort destroys it with its reason; if the app never read it, that must not be uncaught.
    body.on('error', () => {});
    request.signal.addEventListener('abort', () => {
      output.abort();
      body.destroy(new RequestAbortedError('the fetch request was aborted'));
    }, { once: true });
    processRequest(app, { variables, body, output, logError, signal: request.signal }, options)
      .then(() => output.settle(), (error: unknown) => {
        output.fail(error);
        reject(error);
      });
  });
}

/** The app's response as a fetch `Response`, its body a stream the app writes into. */
class FetchResponseOutput implements ResponseOutput {
  readonly #resolve: (response: Response) => void;
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  /** Wakes a write waiting for the reader. */
  #pull: (() => void) | undefined;
  #ended = false;
  #aborted = false;

  constructor(resolve: (response: Response) => void) {
    this.#resolve = resolve;
  }

  get writable(): boolean {
    return !this.#ended && !this.#aborted;
  }

  writeHead(head: ResponseHead): void {
    if (!this.writable) throw new RequestAbortedError('the fetch request was aborted');
    const headers = new Headers();
    for (const [name, value] of head.fields) headers.append(name, value);
    const hasBody = ![204, 205, 304].includes(head.status);
    const body = hasBody ? new ReadableStream<Uint8Array>({
      start: (controller) => { this.#controller = controller; },
      pull: () => { this.#wake(); },
      cancel: () => { this.abort(); },
    }, { highWaterMark: 4 }) : null;
    this.#resolve(new Response(body, { status: head.status, statusText: head.statusText, headers }));
  }

  async write(chunk: Buffer | string): Promise<void> {
    if (!this.writable) throw new RequestAbortedError('the fetch request was aborted');
    const controller = this.#controller;
    if (controller === undefined) return;
    controller.enqueue(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    // Backpressure: wait while the reader has not taken what is queued.
    while ((controller.desiredSize ?? 1) <= 0 && this.writable) await new Promise<void>((resolve) => { this.#pull = resolve; });
    if (this.#aborted) throw new RequestAbortedError('the fetch request was aborted');
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (!this.#aborted) this.#controller?.close();
  }

  /** The reader went away or the request was aborted: the body stream fails, writes stop. */
  abort(): void {
    if (!this.#aborted && !this.#ended) {
      try {
        this.#controller?.error(new RequestAbortedError('the fetch request was aborted'));
      } catch {
        // The reader cancelled it already.
      }
    }
    this.#aborted = true;
    this.#wake();
  }

  /** The pipeline is over: a response without a head (aborted) still ends the stream. */
  settle(): void {
    this.#wake();
  }

  /** The app's error reached the connector (defaultErrorHandler false): the body stream fails. */
  fail(error: unknown): void {
    try {
      this.#controller?.error(error);
    } catch {
      // Already closed.
    }
    this.abort();
  }

  #wake(): void {
    const pull = this.#pull;
    this.#pull = undefined;
    pull?.();
  }
}
