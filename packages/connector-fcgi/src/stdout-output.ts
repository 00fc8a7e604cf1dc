// A request's response as FCGI_STDOUT records, with the socket's backpressure (FastCGI §5.3).
import { RequestAbortedError } from '@netcgi/core';
import type { ResponseOutput } from '@netcgi/core/connector';
import { encodeStream, RecordType } from './protocol/index.js';
import type { RecordSink } from './record-sink.js';

/**
 * The `output` a request gives the core's pipeline: no stream of its own, each write becomes
 * STDOUT records at once. A write returns a promise only while the socket is over its high-water
 * mark, so a slow web server slows the app. Ending it calls `onEnd`, which sends the stream's end
 * and END_REQUEST in the same batch.
 */
export class StdoutOutput implements ResponseOutput {
  readonly #sink: RecordSink;
  readonly #requestId: number;
  readonly #onEnd: () => void;
  #ended = false;
  #destroyed = false;
  /** Settles the write that waits for the socket, if one does. */
  #waiting: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(sink: RecordSink, requestId: number, onEnd: () => void) {
    this.#sink = sink;
    this.#requestId = requestId;
    this.#onEnd = onEnd;
  }

  get writable(): boolean {
    return !this.#ended && !this.#destroyed && this.#sink.open;
  }

  write(chunk: Buffer | string): Promise<void> | void {
    this.writeNow(chunk);
    if (!this.#sink.needsDrain) return;
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#sink.whenWritable(() => this.#settleWaiting());
    });
  }

  writeNow(chunk: Buffer | string): void {
    if (!this.writable) throw new RequestAbortedError('the connection to the web server is gone');
    const records: Buffer[] = [];
    encodeStream(RecordType.Stdout, this.#requestId, typeof chunk === 'string' ? Buffer.from(chunk) : chunk, records);
    this.#sink.send(records);
  }

  end(): void {
    if (this.#ended || this.#destroyed) return;
    this.#ended = true;
    this.#onEnd();
  }

  /** The request was aborted or the connection is gone: nothing more is sent. */
  destroy(): void {
    this.#destroyed = true;
    this.#settleWaiting();
  }

  #settleWaiting(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting === undefined) return;
    if (this.#destroyed || !this.#sink.open) waiting.reject(new RequestAbortedError('the connection to the web server is gone'));
    else waiting.resolve();
  }
}
