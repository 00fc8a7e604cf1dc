// A request's response as FCGI_STDOUT records, with the socket's backpressure (FastCGI §5.3).
import { RequestAbortedError } from '@netcgi/core';
import { serializeCgiHead, type ResponseHead, type ResponseOutput } from '@netcgi/core/connector';
import { encodeStream, RecordType } from './protocol/index.js';
import type { RecordSink } from './record-sink.js';

/** Small writes of one turn are merged into one STDOUT record up to this size. */
const MERGE_UP_TO_BYTES = 8 * 1024;

/**
 * The `output` a request gives the core's pipeline: no stream of its own. Small writes of one turn
 * (the header block, a short body) are held and merged into one STDOUT record just before the
 * connection writes, so a hello response is one record, not two, for us to make and for the web
 * server to parse; a large write goes out as records at once. A write returns a promise only while
 * the socket is over its high-water mark, so a slow web server slows the app. Ending it calls
 * `onEnd`, which sends the stream's end and END_REQUEST in the same batch.
 */
export class StdoutOutput implements ResponseOutput {
  readonly #sink: RecordSink;
  readonly #requestId: number;
  readonly #onEnd: () => void;
  #ended = false;
  #destroyed = false;
  /** Small writes not yet made into a record. */
  #held: Buffer[] = [];
  #heldBytes = 0;
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
    this.#writeNow(chunk);
    if (!this.#sink.needsDrain) return;
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#sink.whenWritable(() => this.#settleWaiting());
    });
  }

  writeHead(head: ResponseHead): void {
    this.#writeNow(serializeCgiHead(head));
  }

  #writeNow(chunk: Buffer | string): void {
    if (!this.writable) throw new RequestAbortedError('the connection to the web server is gone');
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (bytes.length === 0) return;
    if (this.#heldBytes + bytes.length <= MERGE_UP_TO_BYTES) {
      if (this.#heldBytes === 0) this.#sink.beforeNextFlush(this.#sendHeld);
      this.#held.push(bytes);
      this.#heldBytes += bytes.length;
      return;
    }
    this.#sendHeld();
    const records: Buffer[] = [];
    encodeStream(RecordType.Stdout, this.#requestId, bytes, records);
    this.#sink.send(records);
  }

  end(): void {
    if (this.#ended || this.#destroyed) return;
    this.#sendHeld();
    this.#ended = true;
    this.#onEnd();
  }

  /** The request was aborted or the connection is gone: nothing more is sent. */
  destroy(): void {
    this.#destroyed = true;
    this.#held = [];
    this.#heldBytes = 0;
    this.#settleWaiting();
  }

  readonly #sendHeld = (): void => {
    if (this.#heldBytes === 0) return;
    const held = this.#held;
    const data = held.length === 1 ? held[0]! : Buffer.concat(held, this.#heldBytes);
    this.#held = [];
    this.#heldBytes = 0;
    if (this.#destroyed || !this.#sink.open) return;
    const records: Buffer[] = [];
    encodeStream(RecordType.Stdout, this.#requestId, data, records);
    this.#sink.send(records);
  };

  #settleWaiting(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting === undefined) return;
    if (this.#destroyed || !this.#sink.open) waiting.reject(new RequestAbortedError('the connection to the web server is gone'));
    else waiting.resolve();
  }
}
