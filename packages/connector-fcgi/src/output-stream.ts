// A request's response as FCGI_STDOUT records, with the socket's backpressure (FastCGI §5.3).
import { Writable } from 'node:stream';
import { encodeStream, RecordType } from './protocol/index.js';
import type { RecordSink } from './record-sink.js';

/**
 * The `output` a request gives the core's pipeline. Each write becomes STDOUT records and its
 * callback waits while the socket is over its high-water mark, so a slow web server slows the app.
 * Ending it calls `onFinish`, which sends the stream's end and END_REQUEST in the same batch.
 */
export class StdoutStream extends Writable {
  readonly #sink: RecordSink;
  readonly #requestId: number;
  readonly #onFinish: () => void;

  constructor(sink: RecordSink, requestId: number, onFinish: () => void) {
    super({ highWaterMark: 64 * 1024 });
    this.#sink = sink;
    this.#requestId = requestId;
    this.#onFinish = onFinish;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const records: Buffer[] = [];
    encodeStream(RecordType.Stdout, this.#requestId, chunk, records);
    this.#send(records, callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    const records: Buffer[] = [];
    for (const { chunk } of chunks) encodeStream(RecordType.Stdout, this.#requestId, chunk, records);
    this.#send(records, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#onFinish();
    callback();
  }

  #send(records: Buffer[], callback: (error?: Error | null) => void): void {
    if (!this.#sink.open) return callback(new Error('the connection to the web server is closed'));
    this.#sink.send(records);
    this.#sink.whenWritable(() => callback());
  }
}
