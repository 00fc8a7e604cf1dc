// What a supervisor asks of the pipeline, at no cost to a run that asks nothing: a deadline for
// the app (requestTimeout) and a summary of each request when it is over (onRequestEnd).
import { HttpError } from './errors.js';
import type { RequestOutcome } from './handle-error.js';
import type { ResponseHead } from './output/response-head.js';
import type { ResponseOutput } from './output/response-output.js';

/** One request, as an access log writes it. */
export interface RequestSummary {
  readonly method: string;
  /** SCRIPT_NAME + PATH_INFO (no query string: it may carry what a log must not keep). */
  readonly path: string;
  /** The status sent, or 0 when no header went out (an abort before the answer). */
  readonly status: number;
  /** Body bytes handed to the connector. */
  readonly bytes: number;
  readonly durationMs: number;
  readonly outcome: RequestOutcome;
  /** The FastCGI role, or `responder`. */
  readonly role: string;
}

/** A {@link ResponseOutput} that remembers the status it sent and counts the body bytes. */
export class MeteredOutput implements ResponseOutput {
  readonly #output: ResponseOutput;
  status = 0;
  bytes = 0;

  constructor(output: ResponseOutput) {
    this.#output = output;
  }

  get writable(): boolean {
    return this.#output.writable;
  }

  writeHead(head: ResponseHead): void {
    this.status = head.status;
    this.#output.writeHead(head);
  }

  write(chunk: Buffer | string): Promise<void> | void {
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return this.#output.write(chunk);
  }

  end(): Promise<void> | void {
    return this.#output.end();
  }
}

/**
 * The deadline of one request: its signal aborts at `ms`, and `race(running)` rejects with a 504
 * `HttpError` then, so that the pipeline answers and cleans up without waiting for an app that
 * does not stop. The app itself cannot be stopped: it goes on, with an aborted signal and an output
 * that takes no more.
 */
export class RequestDeadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #expired: Promise<never>;

  constructor(ms: number, connectorSignal: () => AbortSignal | undefined) {
    let expire!: (error: HttpError) => void;
    this.#expired = new Promise<never>((_, reject) => { expire = reject; });
    // Not an unhandled rejection when the app finishes first.
    this.#expired.catch(() => undefined);
    this.#timer = setTimeout(() => {
      const error = new HttpError(504, `the request ran longer than its ${ms} ms (requestTimeout): its signal is aborted and the answer given without it`);
      this.#controller.abort(error);
      expire(error);
    }, ms);
    this.#timer.unref();
    this.connectorSignal = connectorSignal;
  }

  readonly connectorSignal: () => AbortSignal | undefined;

  /** The app's signal: aborted by the deadline, or by the connector (the peer went away). */
  signal(): AbortSignal {
    const connector = this.connectorSignal();
    return connector === undefined ? this.#controller.signal : AbortSignal.any([connector, this.#controller.signal]);
  }

  race<T>(running: Promise<T>): Promise<T> {
    return Promise.race([running, this.#expired]);
  }

  clear(): void {
    clearTimeout(this.#timer);
  }
}
