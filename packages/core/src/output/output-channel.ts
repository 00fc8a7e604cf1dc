// cgi.out: a Writable for the response body with commit() and rollback(), over one OutputSink.
import { Writable } from 'node:stream';
import { OutputError, RequestAbortedError } from '../errors.js';
import type { OutputSink } from './output-sink.js';

// Commit and rollback travel through the stream as markers, so that they act exactly between the
// writes before them and the writes after them, even while earlier writes still wait for a slow
// web server or a temp file. Node passes a zero-length Buffer to _write as the same object.
const COMMIT = Buffer.alloc(0);
const ROLLBACK = Buffer.alloc(0);
// Node's errors for a write to a destroyed or ended stream: for an app, its response is over.
const STREAM_OVER_CODES = new Set(['ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

function responseOver(): RequestAbortedError {
  return new RequestAbortedError('the response is over: the request was aborted, or its response failed or ended');
}

/**
 * The response body. Write to it as to any Node `Writable` (`write`, `pipeline`, `for await`
 * sources); `commit()` sends the header (once) and everything written so far; `rollback()` drops
 * what was written since the last commit. The connector commits after the app returns.
 */
export class OutChannel extends Writable {
  readonly #sink: OutputSink;
  readonly #sendHeader: () => void;
  #idleWaiters: (() => void)[] = [];
  #bytesWritten = 0;
  #bytesSinceCommit = 0;

  /** @internal Built by the request pipeline. */
  constructor(sink: OutputSink, sendHeader: () => void) {
    super({ decodeStrings: true });
    this.#sink = sink;
    this.#sendHeader = sendHeader;
  }

  /**
   * Writes `chunk` and resolves once the output has taken it, so that `await cgi.out.send(…)` in a
   * loop never runs ahead of a slow web server (no `once('drain')` by hand).
   * @throws (rejects with) RequestAbortedError when the request was aborted or its response ended;
   *   the output's error when the write failed.
   */
  send(chunk: Buffer | string): Promise<void> {
    if (this.destroyed || this.writableEnded) return Promise.reject(responseOver());
    return new Promise((resolve, reject) => {
      this.write(chunk, (error) => {
        if (error === null || error === undefined) resolve();
        else reject(STREAM_OVER_CODES.has((error as NodeJS.ErrnoException).code ?? '') ? responseOver() : error);
      });
    });
  }

  /** Body bytes the app has written, including any rolled back or dropped for HEAD. */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /**
   * Sends the header if it has not gone out, then everything written before this call.
   * @throws RequestAbortedError when the web server went away.
   */
  async commit(): Promise<void> {
    if (this.#canCommitAtOnce()) {
      // Direct output with nothing queued: the marker would act at once, so act without it.
      return this.#commitNow();
    }
    if (!this.writableEnded) {
      return new Promise((resolve, reject) => this.write(COMMIT, (error) => (error ? reject(error) : resolve())));
    }
    // Ended (e.g. by pipeline()): no write can come any more, so the commit needs no marker.
    await this.#idle();
    if (this.errored) throw this.errored;
    await this.#commitNow();
  }

  /**
   * @internal The pipeline's end of a response: commits and ends the channel synchronously when
   * nothing is queued and the output is direct (most responses), and says so; otherwise does
   * nothing and returns false, and the pipeline awaits `commit()` and calls `end()`.
   * @throws RequestAbortedError when the web server went away.
   */
  commitAndEndAtOnce(): boolean {
    if (!this.#canCommitAtOnce()) return false;
    this.#sendHeader();
    this.#bytesSinceCommit = 0;
    this.end();
    return true;
  }

  #canCommitAtOnce(): boolean {
    return !this.writableEnded && !this.#sink.buffered && this.writableLength === 0 && this.writableCorked === 0 && !this.destroyed && this.errored === null;
  }

  /**
   * Drops what was written since the last commit.
   * @throws OutputError when the output is direct and bytes were written since the last commit:
   *   they are already on their way to the client.
   */
  rollback(): void {
    if (!this.#sink.buffered) {
      const written = this.#bytesSinceCommit + this.writableLength;
      if (written > 0) throw new OutputError(`cannot roll back ${written} bytes of direct output: they were sent`);
      return;
    }
    if (!this.writableEnded) this.write(ROLLBACK);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (chunk === COMMIT) {
      this.#commitNow().then(() => this.#done(callback), (error: Error) => this.#done(callback, error));
      return;
    }
    if (chunk === ROLLBACK) {
      this.#sink.rollback();
      return this.#done(callback);
    }
    this.#bytesWritten += chunk.length;
    let pending: Promise<void> | void;
    try {
      pending = this.#sink.write(chunk);
    } catch (error) {
      return this.#done(callback, error as Error);
    }
    // Counted once written: until then the chunk counts in writableLength.
    if (pending === undefined) return this.#done(callback, undefined, chunk.length);
    pending.then(() => this.#done(callback, undefined, chunk.length), (error: Error) => this.#done(callback, error));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#wakeIdleWaiters();
    this.#sink.close().then(() => callback(error), callback);
  }

  async #commitNow(): Promise<void> {
    this.#sendHeader();
    this.#bytesSinceCommit = 0;
    await this.#sink.commit();
  }

  #done(callback: (error?: Error | null) => void, error?: Error, bytes = 0): void {
    this.#bytesSinceCommit += bytes;
    callback(error);
    if (this.writableLength === 0) this.#wakeIdleWaiters();
  }

  #wakeIdleWaiters(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves when every chunk written so far has reached the sink. */
  #idle(): Promise<void> {
    if (this.writableLength === 0 || this.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
