// A request's response as FCGI_STDOUT records, with the socket's backpressure (FastCGI §5.3).
import { RequestAbortedError } from '@netcgi/core';
import { serializeCgiHead, type ResponseHead, type ResponseOutput } from '@netcgi/core/connector';
import { encodeStream, RecordType, type LastContent } from './protocol/index.js';
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
  readonly #onEnd: (last: LastContent) => void;
  #ended = false;
  #destroyed = false;
  /** Small writes not yet made into a record (strings are encoded only into their record). */
  #held: (Buffer | string)[] = [];
  #heldBytes = 0;
  /** Settles the write that waits for the socket, if one does. */
  #waiting: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(sink: RecordSink, requestId: number, onEnd: (last: LastContent) => void) {
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
    const length = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (length === 0) return;
    if (this.#heldBytes + length <= MERGE_UP_TO_BYTES) {
      if (this.#heldBytes === 0) this.#sink.beforeNextFlush(this.#sendHeld);
      this.#held.push(chunk);
      this.#heldBytes += length;
      return;
    }
    this.#sendHeld();
    const records: Buffer[] = [];
    encodeStream(RecordType.Stdout, this.#requestId, typeof chunk === 'string' ? Buffer.from(chunk) : chunk, records);
    this.#sink.send(records);
  }

  /** Hands what is held to `onEnd`, which sends it with the end of the response in one buffer. */
  end(): void {
    if (this.#ended || this.#destroyed) return;
    const last = { stdout: this.#held, stdoutBytes: this.#heldBytes };
    this.#held = [];
    this.#heldBytes = 0;
    this.#ended = true;
    this.#onEnd(last);
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
    const bytes = this.#heldBytes;
    this.#held = [];
    this.#heldBytes = 0;
    if (this.#destroyed || !this.#sink.open) return;
    const records: Buffer[] = [];
    encodeStream(RecordType.Stdout, this.#requestId, joined(held, bytes), records);
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

/** The pieces in one buffer, strings encoded straight into it. */
function joined(pieces: readonly (Buffer | string)[], bytes: number): Buffer {
  if (pieces.length === 1 && typeof pieces[0] !== 'string') return pieces[0]!;
  const buffer = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (const piece of pieces) offset += typeof piece === 'string' ? buffer.write(piece, offset, 'utf8') : piece.copy(buffer, offset);
  return buffer;
}
