// The connector's side of a response: where its head (status and fields), then its body, go.
import type { Writable } from 'node:stream';
import { RequestAbortedError } from '../errors.js';
import { serializeCgiHead, type ResponseHead } from './response-head.js';

/**
 * What a connector gives the pipeline to write a response into. A connector with a stream wraps
 * it in {@link WritableOutput}; one with its own framing (FastCGI's STDOUT records) implements
 * this directly and saves a stream per request.
 */
export interface ResponseOutput {
  /** False once the response ended or the web server is gone. */
  readonly writable: boolean;
  /**
   * Writes `chunk`. A promise means "wait for it before writing more" (the web server is slow).
   * @throws RequestAbortedError (or rejects with it) when the web server is gone.
   */
  write(chunk: Buffer | string): Promise<void> | void;
  /**
   * Sends the response head, once, before any body byte, and synchronously: an app's
   * `sendOutputHeader()` returns when it is on its way. A CGI or FastCGI connector writes
   * `serializeCgiHead(head)`; an HTTP connector sets its status and fields.
   * @throws RequestAbortedError when the web server is gone.
   */
  writeHead(head: ResponseHead): void;
  /** Ends the response; resolves once it is handed over (or the web server is gone). */
  end(): Promise<void> | void;
}

/**
 * A {@link ResponseOutput} over a Node `Writable` that takes the raw CGI response (the head as CGI
 * text, then the body): every write waits while the stream is over its high-water mark.
 */
export class WritableOutput implements ResponseOutput {
  readonly #writable: Writable;

  constructor(writable: Writable) {
    this.#writable = writable;
    // A connector destroys its stream when the peer goes away, maybe with an error; writers learn
    // of it through `writable` and failed writes, and an unhandled 'error' would end the process.
    writable.on('error', () => {});
  }

  get writable(): boolean {
    const stream = this.#writable;
    return !stream.destroyed && !stream.writableEnded;
  }

  async write(chunk: Buffer | string): Promise<void> {
    if (this.#writable.writableNeedDrain) await this.#drain();
    if (!this.writable) throw new RequestAbortedError('the connection to the web server is gone');
    if (!this.#writable.write(chunk)) await this.#drain();
  }

  writeHead(head: ResponseHead): void {
    if (!this.writable) throw new RequestAbortedError('the connection to the web server is gone');
    this.#writable.write(serializeCgiHead(head));
  }

  async end(): Promise<void> {
    const stream = this.#writable;
    if (stream.destroyed || stream.writableFinished) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        stream.off('finish', done);
        stream.off('close', done);
        stream.off('error', done);
        resolve();
      };
      stream.on('finish', done).on('close', done).on('error', done);
      if (!stream.writableEnded) stream.end();
    });
  }

  #drain(): Promise<void> {
    const stream = this.#writable;
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        stream.off('drain', onDrain);
        stream.off('close', onClose);
        stream.off('error', onClose);
      };
      const onDrain = (): void => {
        cleanup();
        resolve();
      };
      const onClose = (): void => {
        cleanup();
        reject(new RequestAbortedError('the connection to the web server is gone'));
      };
      if (stream.destroyed) return onClose();
      stream.on('drain', onDrain).on('close', onClose).on('error', onClose);
    });
  }
}
