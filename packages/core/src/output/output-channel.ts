// cgi.out: a Writable for the response body with commit() and rollback(), over one OutputSink.
import { Writable } from 'node:stream';
import type { OutputSink } from './output-sink.js';

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

  /** @internal Built by the request pipeline. */
  constructor(sink: OutputSink, sendHeader: () => void) {
    super({ decodeStrings: true });
    this.#sink = sink;
    this.#sendHeader = sendHeader;
  }

  /** Body bytes the app has written, including any rolled back or dropped for HEAD. */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /**
   * Sends the header if it has not gone out, then everything written since the last commit.
   * @throws RequestAbortedError when the web server went away.
   */
  async commit(): Promise<void> {
    await this.#idle();
    if (this.errored) throw this.errored;
    this.#sendHeader();
    await this.#sink.commit();
  }

  /**
   * Drops what was written since the last commit.
   * @throws OutputError in direct mode when bytes were already sent since the last commit.
   */
  rollback(): void {
    this.#sink.rollback();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#bytesWritten += chunk.length;
    let pending: Promise<void> | void;
    try {
      pending = this.#sink.write(chunk);
    } catch (error) {
      return this.#done(callback, error as Error);
    }
    if (pending === undefined) return this.#done(callback);
    pending.then(() => this.#done(callback), (error: Error) => this.#done(callback, error));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#wakeIdleWaiters();
    this.#sink.close().then(() => callback(error), callback);
  }

  #done(callback: (error?: Error | null) => void, error?: Error): void {
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
