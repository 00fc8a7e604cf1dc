// The connector's raw output with backpressure: every write waits while the peer is slow.
import type { Writable } from 'node:stream';
import { RequestAbortedError } from '../errors.js';

/** Wraps the connector's Writable so that writers await `drain` and learn when the peer is gone. */
export class RawOutput {
  readonly #writable: Writable;

  constructor(writable: Writable) {
    this.#writable = writable;
    // A connector destroys its output when the peer goes away, maybe with an error; writers learn
    // of it through `writable` and failed writes, and an unhandled 'error' would end the process.
    writable.on('error', () => {});
  }

  /** False once the connector's stream was destroyed, errored or ended. */
  get writable(): boolean {
    const stream = this.#writable;
    return !stream.destroyed && !stream.writableEnded;
  }

  /**
   * Writes `chunk` and resolves when the stream may take more.
   * @throws RequestAbortedError when the stream is gone.
   */
  async write(chunk: Buffer | string): Promise<void> {
    if (this.#writable.writableNeedDrain) await this.#drain();
    if (!this.writable) throw new RequestAbortedError('the connection to the web server is gone');
    if (!this.#writable.write(chunk)) await this.#drain();
  }

  /**
   * Writes `chunk` now, without waiting; the next `write()` waits for the drain. For the small
   * header block, which must go out synchronously when an app calls `sendOutputHeader()`.
   * @throws RequestAbortedError when the stream is gone.
   */
  writeNow(chunk: Buffer | string): void {
    if (!this.writable) throw new RequestAbortedError('the connection to the web server is gone');
    this.#writable.write(chunk);
  }

  /** Ends the stream and resolves when it has flushed everything (or was destroyed). */
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
