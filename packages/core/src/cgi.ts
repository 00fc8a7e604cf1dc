// The Cgi object an app receives: arguments, output, header helpers, URL, clean-up.
import type { Argument } from './arguments/argument.js';
import type { PartQueue } from './arguments/part-queue.js';
import type { Environment } from './environment.js';
import type { OutChannel } from './output/output-channel.js';
import { headerFields, redirectionFields, type HeaderOptions, type RedirectionOptions } from './output/response-header.js';
import type { TempFiles } from './temp-files.js';
import { buildUrl, type UrlOptions } from './url.js';

/** What an app is written against: one request, whatever connector runs it. */
export interface Cgi {
  /** The request's CGI properties and headers, and the response header. */
  readonly environment: Environment;
  /** REQUEST_METHOD, e.g. `GET`. */
  readonly method: string;
  /** Every argument, in request order: query string first, then the body's. */
  readonly arguments: readonly Argument[];
  /**
   * The request body, with any method, when it is not a POST form: the argument `BODY`
   * (`await cgi.body?.json()`). With `argStore` answering `stream` the app runs before it arrives
   * and reads it live (`open()`), once.
   */
  readonly body: Argument | undefined;
  /** The response body. */
  readonly out: OutChannel;
  /** Aborted when the web server aborts the request or goes away. */
  readonly signal: AbortSignal;
  /**
   * The multipart parts from the first one `argStore` answered `stream` for, as they arrive: that
   * part, then every later one (files live, fields in memory). Those parts are not in `arguments`.
   * Asking for the next part skips what was left unread of the one before. Nothing when no part
   * was streamed. Iterable once.
   * @throws (from the iteration) HttpError 400 on a malformed body, RequestAbortedError on an abort.
   */
  parts(): AsyncIterable<Argument>;
  /** The first argument of that name. */
  argument(name: string): Argument | undefined;
  /** The first value of that name, or `fallback`. @throws ArgumentOversizedError */
  argumentValue(name: string, fallback?: string): string;
  argumentExists(name: string): boolean;
  /** Every argument of that name, in request order. */
  multipleArgument(name: string): Argument[];
  /** This request's URL, rebuilt from CGI properties. @throws ArgumentOversizedError */
  url(options?: UrlOptions): string;
  /** Replaces the response header. @throws HeaderSentError, InvalidHeaderError, TypeError */
  setHeader(options?: HeaderOptions): void;
  /** Replaces the response header with a redirection to `location` (`{ local: true }`: a CGI local redirect). @throws HeaderSentError, InvalidHeaderError, TypeError */
  setRedirectionHeader(location: string, options?: RedirectionOptions): void;
  /** Runs `callback` when the request ends, after the response; callbacks run last-registered first. */
  atExit(callback: () => void | Promise<void>): void;
  /** Deletes every temp file and runs the `atExit` callbacks; the connector calls it. Runs once. */
  finalize(): Promise<void>;
}

/** What the pipeline gives a {@link RequestCgi} (a connector's subclass passes it on). */
export interface CgiInit extends Pick<Cgi, 'environment' | 'method' | 'arguments' | 'body' | 'out'> {
  /** The parts still arriving after a streamed one, if any. */
  readonly parts: PartQueue | undefined;
  /** Gives the request's signal; called only if the app reads `cgi.signal` (most never do). */
  readonly signalOf: () => AbortSignal;
  readonly tempFiles: TempFiles;
}

/**
 * The one implementation of {@link Cgi}. A connector that adds powers (FastCGI's `FcgiCgi`)
 * subclasses it, so that every request's Cgi has the same shape from its construction.
 */
export class RequestCgi implements Cgi {
  readonly environment: Environment;
  readonly method: string;
  readonly arguments: readonly Argument[];
  readonly body: Argument | undefined;
  readonly out: OutChannel;
  readonly #parts: PartQueue | undefined;
  readonly #signalOf: () => AbortSignal;
  #signal: AbortSignal | undefined;
  readonly #tempFiles: TempFiles;
  readonly #atExit: (() => void | Promise<void>)[] = [];
  #finalized: Promise<void> | undefined;

  constructor(init: CgiInit) {
    this.environment = init.environment;
    this.method = init.method;
    this.arguments = init.arguments;
    this.body = init.body;
    this.out = init.out;
    this.#parts = init.parts;
    this.#signalOf = init.signalOf;
    this.#tempFiles = init.tempFiles;
  }

  get signal(): AbortSignal {
    this.#signal ??= this.#signalOf();
    return this.#signal;
  }

  parts(): AsyncIterable<Argument> {
    return this.#parts ?? noParts;
  }

  argument(name: string): Argument | undefined {
    return this.arguments.find((argument) => argument.name === name);
  }

  argumentValue(name: string, fallback = ''): string {
    return this.argument(name)?.value ?? fallback;
  }

  argumentExists(name: string): boolean {
    return this.argument(name) !== undefined;
  }

  multipleArgument(name: string): Argument[] {
    return this.arguments.filter((argument) => argument.name === name);
  }

  url(options?: UrlOptions): string {
    return buildUrl(this, options);
  }

  setHeader(options: HeaderOptions = {}): void {
    this.environment.setOutputHeaderFields(headerFields(options));
  }

  setRedirectionHeader(location: string, options?: RedirectionOptions): void {
    this.environment.setOutputHeaderFields(redirectionFields(location, options));
  }

  atExit(callback: () => void | Promise<void>): void {
    this.#atExit.push(callback);
  }

  finalize(): Promise<void> {
    this.#finalized ??= this.#finalize();
    return this.#finalized;
  }

  /**
   * @internal The pipeline's finalize: undefined (nothing to wait for) when the request made no
   * argument, temp file or atExit callback, as most do; else what `finalize()` returns.
   */
  finalizeAtOnce(): Promise<void> | undefined {
    if (this.#finalized === undefined && this.arguments.length === 0 && this.body === undefined && this.#parts === undefined && this.#atExit.length === 0 && this.#tempFiles.isEmpty) {
      this.#tempFiles.close();
      this.#finalized = Promise.resolve();
      return undefined;
    }
    return this.finalize();
  }

  async #finalize(): Promise<void> {
    const argumentList = this.body === undefined ? this.arguments : [...this.arguments, this.body];
    if (argumentList.length > 0) await Promise.all(argumentList.map((argument) => argument.finalize()));
    await this.#parts?.close();
    await this.#tempFiles.removeAll();
    for (const callback of this.#atExit.reverse()) {
      try {
        await callback();
      } catch (error) {
        this.environment.logError(`an atExit callback threw: ${error instanceof Error ? error.stack : String(error)}`);
      }
    }
  }
}

const noParts: AsyncIterable<Argument> = { async *[Symbol.asyncIterator]() {} };
