// A request's STDIN or DATA stream as a Readable, paused at the socket when the reader lags.
import { Readable } from 'node:stream';

/** How an input stream asks its connection to stop and resume reading the socket. */
export interface InputFlowControl {
  pauseFor(stream: InputStream): void;
  resumeFor(stream: InputStream): void;
}

/**
 * The body (STDIN) or a Filter's file (DATA). Records are pushed as they arrive, without copying;
 * past the high-water mark the connection stops reading its socket until this stream is read.
 * A destroyed stream (the pipeline stopped reading) drops what still arrives, so the rest of a
 * body is discarded without being held.
 */
export class InputStream extends Readable {
  readonly #flow: InputFlowControl;
  #ended = false;

  /**
   * `records`: one chunk per record, as the pipeline reads the body. A byte stream's reader
   * (`for await`) gets everything buffered joined into one new Buffer, a copy of the whole body
   * made chunk by chunk; a Filter's app gets DATA as the byte stream it expects.
   */
  constructor(flow: InputFlowControl, mode: 'records' | 'bytes') {
    // At most 8 records (8 × 64 KiB) or 256 KiB wait here before the socket is paused.
    super(mode === 'records' ? { objectMode: true, highWaterMark: 8 } : { highWaterMark: 256 * 1024 });
    this.#flow = flow;
    // An abort destroys the stream with its reason; a reader learns of it, and a stream nobody
    // reads must not turn it into an uncaught 'error'.
    this.on('error', () => {});
  }

  /** Takes a record's content; an empty one ends the stream (FastCGI §3.3). */
  deliver(content: Buffer): void {
    if (this.destroyed || this.#ended) return;
    if (content.length === 0) {
      this.#ended = true;
      this.push(null);
      return;
    }
    if (!this.push(content)) this.#flow.pauseFor(this);
  }

  override _read(): void {
    this.#flow.resumeFor(this);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#flow.resumeFor(this);
    callback(error);
  }
}
