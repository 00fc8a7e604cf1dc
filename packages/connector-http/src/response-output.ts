// The pipeline's output for a node:http response: the head as a status and fields, the body with
// the socket's backpressure.
import type { ServerResponse } from 'node:http';
import { RequestAbortedError } from '@netcgi/core';
import type { ResponseHead, ResponseOutput, TurnLoad } from '@netcgi/core/connector';

/** Up to this size a body written at once goes out in one string with its head. */
const SMALL_BODY_BYTES = 16 * 1024;

/**
 * A {@link ResponseOutput} over a `ServerResponse`; no CGI text is made or parsed. The head waits
 * for the first body write, and that write for the rest of the turn: a response whose body is
 * written at once (most) goes out with a `Content-Length`, in one socket write, rather than as a
 * chunked body with its terminating chunk in a second write (half the throughput at 32
 * connections, measured). Under load (core's `TurnLoad`), a response complete before its head went
 * out leaves at the end of the turn, with the other responses of the turn.
 */
export class HttpResponseOutput implements ResponseOutput {
  readonly #response: ServerResponse;
  readonly #bodyless: boolean;
  readonly #load: TurnLoad;
  #head: ResponseHead | undefined;
  #headSent = false;
  #held: Buffer | undefined;
  #cutOff = false;
  #ending = false;
  /** Waits for a response ended but not yet sent (see {@link afterSent}). */
  #onSent: (() => void) | undefined;

  /**
   * `bodyless`: the request was a HEAD (no body, and no length to tell). `load`: the server's.
   */
  constructor(response: ServerResponse, bodyless: boolean, load: TurnLoad) {
    this.#response = response;
    this.#bodyless = bodyless;
    this.#load = load;
  }

  get writable(): boolean {
    const response = this.#response;
    return !response.writableEnded && !response.destroyed;
  }

  writeHead(head: ResponseHead): void {
    this.#check();
    this.#head = head;
  }

  write(chunk: Buffer | string): Promise<void> | void {
    this.#check();
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (!this.#headSent) {
      if (this.#held === undefined) {
        this.#held = bytes;
        setImmediate(this.#flushHeld);
        return;
      }
      // A second write in the same turn: the body streams, chunked.
      this.#flushHeld();
    }
    return this.#send(bytes);
  }

  /**
   * The app failed after the head went out: `end` then closes the connection instead of ending
   * the body, so that the client sees a truncated response (no last chunk, or fewer bytes than
   * its Content-Length) rather than a complete one.
   */
  cutOff(): void {
    this.#cutOff = true;
  }

  end(): Promise<void> | void {
    const response = this.#response;
    if (response.writableFinished || response.destroyed) return;
    if (this.#cutOff) {
      return new Promise((resolve) => {
        response.once('close', resolve);
        // What the app wrote goes out first, then the connection closes (FIN, no last chunk).
        const socket = response.socket;
        if (this.#headSent && socket !== null) socket.end(() => response.destroy());
        else response.destroy();
      });
    }
    if (response.writableEnded || this.#ending) return;
    if (!this.#headSent) {
      this.#ending = true;
      // Under load the whole response leaves at the end of the turn (the write that held its body
      // already asked for that turn's end), with the other responses of the turn; alone, at once.
      if (!this.#load.underLoad) this.#flushHeld();
      else if (this.#held === undefined) setImmediate(this.#flushHeld);
      return;
    }
    // Handed to node:http, which writes it out; the pipeline has nothing to wait for (a client
    // that goes away now is told by the response's 'close', see HttpExchange).
    response.end();
  }

  /**
   * Calls `callback` once the response is handed to node:http: at once, unless it ended under load
   * and waits for the end of the turn (or the client went away meanwhile).
   */
  afterSent(callback: () => void): void {
    if (this.#ending && !this.#headSent && this.writable) this.#onSent = callback;
    else callback();
  }

  /**
   * At the end of the turn, or at once for a lone response that ended: the whole response, head and
   * held body in one `end()`. With the body still coming: the head and what was held, chunked.
   */
  readonly #flushHeld = (): void => {
    if (this.#headSent || !this.writable) return this.#sent();
    const held = this.#held;
    this.#held = undefined;
    if (this.#ending) {
      const response = this.#response;
      this.#sendHead(held?.length ?? 0);
      // Head and body in one write: node:http joins them when the body comes with end(), a small
      // one as a latin1 string (the same bytes) into one string with the head, rather than a
      // vector of the head's string and the body's buffer.
      if (held !== undefined && held.length <= SMALL_BODY_BYTES) response.end(held.toString('latin1'), 'latin1');
      else response.end(held);
      return this.#sent();
    }
    if (held === undefined) return;
    this.#sendHead();
    this.#response.write(held);
  };

  #sent(): void {
    const onSent = this.#onSent;
    this.#onSent = undefined;
    onSent?.();
  }

  /** `length`: the whole body's, when it is known, for a Content-Length the app did not set. */
  #sendHead(length?: number): void {
    this.#headSent = true;
    const head = this.#head ?? { status: 200, statusText: 'OK', fields: [], localRedirect: false };
    const fields: string[] = [];
    let framed = false;
    for (const [name, value] of head.fields) {
      fields.push(name, value);
      if (name.length >= 14 && /^(content-length|transfer-encoding)$/i.test(name)) framed = true;
    }
    if (length !== undefined && !framed && !this.#bodyless && head.status >= 200 && head.status !== 204 && head.status !== 304) {
      fields.push('Content-Length', String(length));
    }
    // A flat list keeps repeated fields (Set-Cookie) apart and their order as the app set it.
    this.#response.writeHead(head.status, head.statusText, fields);
  }

  #send(bytes: Buffer): Promise<void> | void {
    if (this.#response.write(bytes)) return;
    return this.#drain();
  }

  #check(): void {
    if (!this.writable) throw new RequestAbortedError('the client went away');
  }

  /** Waits until the socket takes more; a client that goes away first fails the write. */
  #drain(): Promise<void> {
    const response = this.#response;
    return new Promise((resolve, reject) => {
      const settle = (gone: boolean): void => {
        response.off('drain', onDrain).off('close', onClose);
        if (gone) reject(new RequestAbortedError('the client went away'));
        else resolve();
      };
      const onDrain = (): void => settle(false);
      const onClose = (): void => settle(true);
      response.on('drain', onDrain).on('close', onClose);
    });
  }
}
