// cgi.out: the response body as a writable stream with commit() and rollback(), over one OutputSink.
import { EventEmitter } from 'node:events';
import { OutputError, RequestAbortedError } from '../errors.js';
import type { OutputSink } from './output-sink.js';

type WriteCallback = (error?: Error | null) => void;

/** What waits for the sink, in the order the app asked for it: commit and rollback act between writes. */
type Pending =
  | { readonly kind: 'chunk'; readonly chunk: Buffer | string; readonly bytes: number; readonly callback: WriteCallback | undefined }
  | { readonly kind: 'commit'; readonly settle: WriteCallback }
  | { readonly kind: 'rollback' };

/** While corked, writes are held up to this many bytes before `write` asks to wait (as a Writable's default). */
const HIGH_WATER_MARK = 16 * 1024;

function responseOver(): RequestAbortedError {
  return new RequestAbortedError('the response is over: the request was aborted, or its response failed or ended');
}

/**
 * The response body. A writable stream as Node's `pipeline()` and `pipe()` take it, like
 * node:http's `ServerResponse` (and, like it, not a `stream.Writable`): `write`, `end`, `cork`,
 * `destroy`, the `drain`, `finish`, `close` and `error` events and the `writable…` properties.
 * `send()` is a write to await; `commit()` sends the header (once) and everything written so far;
 * `rollback()` drops what was written since the last commit. The connector commits after the app
 * returns.
 *
 * Why not a `Writable`: most responses are a write or two that the sink takes at once, and a
 * `Writable`'s state machine (its end, finish and destroy each a tick) was a sixth of a FastCGI
 * hello's time in process, and node:stream a twentieth of a CGI hello's start.
 */
export class OutChannel extends EventEmitter implements NodeJS.WritableStream {
  readonly #sink: OutputSink;
  readonly #sendHeader: () => void;
  /** Entries the sink has not taken yet, oldest first: only behind a busy sink or a cork. */
  readonly #pending: Pending[] = [];
  /** The sink is taking an entry (its write returned a promise). */
  #busy = false;
  /** Bytes written and not yet taken by the sink (queued or being taken). */
  #heldBytes = 0;
  #corked = 0;
  #needDrain = false;
  #ending = false;
  #finished = false;
  #destroyed = false;
  #closed = false;
  #errored: Error | null = null;
  #defaultEncoding: BufferEncoding = 'utf8';
  #endCallbacks: WriteCallback[] = [];
  #idleWaiters: (() => void)[] = [];
  #bytesWritten = 0;
  #bytesSinceCommit = 0;

  /** @internal Built by the request pipeline. */
  constructor(sink: OutputSink, sendHeader: () => void) {
    super();
    this.#sink = sink;
    this.#sendHeader = sendHeader;
    // Errors reach the app through write callbacks, send() and commit(); an 'error' no one listens
    // to must not end the process (pipe() re-emits one when its own listener was the last).
    this.on('error', ignore);
  }

  /**
   * Writes `chunk`; true when the sink took it at once, false when it is held (a slow web server,
   * a temp file being written): wait for 'drain' before writing more.
   * @throws TypeError when `chunk` is not a string, Buffer or Uint8Array.
   */
  write(chunk: Buffer | Uint8Array | string, callback?: WriteCallback): boolean;
  write(chunk: Buffer | Uint8Array | string, encoding?: BufferEncoding, callback?: WriteCallback): boolean;
  write(chunk: Buffer | Uint8Array | string, encodingOrCallback?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean {
    const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : this.#defaultEncoding;
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    const data = bytesOf(chunk, encoding);
    if (this.#ending || this.#destroyed) {
      this.#refuse(done);
      return false;
    }
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    const entry: Pending = { kind: 'chunk', chunk: data, bytes, callback: done };
    this.#heldBytes += bytes;
    if (this.#takesAtOnce()) {
      this.#hand(entry);
      if (!this.#busy && !this.#destroyed) return true;
    } else {
      this.#pending.push(entry);
      if (!this.#busy && this.#heldBytes < HIGH_WATER_MARK) return true;
    }
    this.#needDrain = true;
    return false;
  }

  /**
   * Writes `chunk` and resolves once the output has taken it, so that `await cgi.out.send(…)` in a
   * loop never runs ahead of a slow web server (no `once('drain')` by hand).
   * @throws (rejects with) RequestAbortedError when the request was aborted or its response ended;
   *   the output's error when the write failed.
   */
  send(chunk: Buffer | string): Promise<void> {
    if (this.#destroyed || this.#ending) return Promise.reject(responseOver());
    return new Promise((resolve, reject) => {
      this.write(chunk, (error) => (error === null || error === undefined ? resolve() : reject(error)));
    });
  }

  /** Ends the body after `chunk`, if given; 'finish' then 'close' follow once the sink has it all. */
  end(callback?: () => void): this;
  end(chunk: Buffer | Uint8Array | string, callback?: () => void): this;
  end(chunk: Buffer | Uint8Array | string, encoding?: BufferEncoding, callback?: () => void): this;
  end(chunkOrCallback?: Buffer | Uint8Array | string | (() => void), encodingOrCallback?: BufferEncoding | (() => void), callback?: () => void): this {
    const done: WriteCallback | undefined = typeof chunkOrCallback === 'function' ? chunkOrCallback : typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (chunkOrCallback !== undefined && chunkOrCallback !== null && typeof chunkOrCallback !== 'function') {
      this.write(chunkOrCallback, typeof encodingOrCallback === 'string' ? encodingOrCallback : this.#defaultEncoding);
    }
    if (done !== undefined) {
      if (this.#closed || this.#destroyed) process.nextTick(done, this.#errored ?? (this.#destroyed ? responseOver() : undefined));
      else this.#endCallbacks.push(done);
    }
    if (this.#ending || this.#destroyed) return this;
    this.#ending = true;
    if (this.#corked > 0) {
      this.#corked = 0;
      this.#pump();
    } else {
      this.#finishWhenIdle();
    }
    return this;
  }

  /** Holds writes until as many `uncork()` calls. */
  cork(): void {
    this.#corked++;
  }

  uncork(): void {
    if (this.#corked > 0 && --this.#corked === 0) this.#pump();
  }

  setDefaultEncoding(encoding: BufferEncoding): this {
    if (!Buffer.isEncoding(encoding)) throw new TypeError(`unknown encoding: ${String(encoding)}`);
    this.#defaultEncoding = encoding;
    return this;
  }

  /**
   * Stops the output: what the sink has not taken is dropped and its callbacks fail, uncommitted
   * output is released; 'error' (with an error) then 'close' follow.
   */
  destroy(error?: Error): this {
    if (this.#destroyed) return this;
    this.#destroyed = true;
    if (error !== undefined) this.#errored = error;
    const reason = error ?? responseOver();
    for (const entry of this.#pending.splice(0)) this.#settle(entry, reason);
    this.#wakeIdleWaiters();
    let releasing: Promise<void> | void;
    try {
      releasing = this.#sink.close();
    } catch {
      releasing = undefined;
    }
    // After a finish, 'close' is on its way already.
    if (!this.#finished) this.#announceClose(releasing, reason, error);
    return this;
  }

  get writable(): boolean {
    return !this.#ending && !this.#destroyed;
  }

  get writableEnded(): boolean {
    return this.#ending;
  }

  get writableFinished(): boolean {
    return this.#finished;
  }

  /** Bytes written and not yet taken by the output. */
  get writableLength(): number {
    return this.#heldBytes;
  }

  get writableNeedDrain(): boolean {
    return this.#needDrain && !this.#ending && !this.#destroyed;
  }

  get writableCorked(): number {
    return this.#corked;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get errored(): Error | null {
    return this.#errored;
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
      // Direct output with nothing held: act at once, no entry in the queue.
      return this.#commitNow();
    }
    if (this.#destroyed) throw this.#errored ?? responseOver();
    if (!this.#ending) return new Promise((resolve, reject) => this.#enqueue({ kind: 'commit', settle: (error) => (error ? reject(error) : resolve()) }));
    // Ended (e.g. by pipeline()): no write can come any more, so the commit needs no entry.
    await this.#idle();
    if (this.#errored !== null) throw this.#errored;
    await this.#commitNow();
  }

  /**
   * @internal The pipeline's end of a response: commits and ends the channel synchronously when
   * nothing is held and the output is direct (most responses), and says so; otherwise does nothing
   * and returns false, and the pipeline awaits `commit()` and calls `end()`.
   * @throws RequestAbortedError when the web server went away.
   */
  commitAndEndAtOnce(): boolean {
    if (!this.#canCommitAtOnce()) return false;
    this.#sendHeader();
    this.#bytesSinceCommit = 0;
    if (this.listenerCount('finish') > 0 || this.listenerCount('close') > 0) {
      this.end();
      return true;
    }
    // The app has returned: no one can listen any more but who already does, so no event needs
    // the tick that end() would wait for them.
    this.#ending = this.#finished = this.#closed = true;
    return true;
  }

  /**
   * Drops what was written since the last commit.
   * @throws OutputError when the output is direct and bytes were written since the last commit:
   *   they are already on their way to the client.
   */
  rollback(): void {
    if (!this.#sink.buffered) {
      const written = this.#bytesSinceCommit + this.#heldBytes;
      if (written > 0) throw new OutputError(`cannot roll back ${written} bytes of direct output: they were sent`);
      return;
    }
    if (!this.#ending && !this.#destroyed) this.#enqueue({ kind: 'rollback' });
  }

  async #commitNow(): Promise<void> {
    this.#sendHeader();
    this.#bytesSinceCommit = 0;
    await this.#sink.commit();
  }

  #canCommitAtOnce(): boolean {
    return !this.#ending && !this.#sink.buffered && this.#takesAtOnce() && !this.#destroyed;
  }

  /** Nothing is held before a new entry: the sink may take it now. */
  #takesAtOnce(): boolean {
    return !this.#busy && this.#corked === 0 && this.#pending.length === 0;
  }

  #enqueue(entry: Pending): void {
    if (this.#takesAtOnce()) this.#hand(entry);
    else this.#pending.push(entry);
  }

  /** Gives the sink one entry; when it must wait, the sink is busy until the entry settles. */
  #hand(entry: Pending): void {
    let taking: Promise<void> | void;
    try {
      taking = this.#apply(entry);
    } catch (error) {
      this.#settle(entry, error as Error);
      this.destroy(error as Error);
      return;
    }
    if (taking === undefined) {
      this.#settle(entry);
      return;
    }
    this.#busy = true;
    taking.then(
      () => {
        this.#busy = false;
        this.#settle(entry);
        this.#pump();
      },
      (error: Error) => {
        this.#busy = false;
        this.#settle(entry, error);
        this.destroy(error);
      },
    );
  }

  #apply(entry: Pending): Promise<void> | void {
    if (entry.kind === 'chunk') {
      this.#bytesWritten += entry.bytes;
      return this.#sink.write(entry.chunk);
    }
    if (entry.kind === 'commit') return this.#commitNow();
    this.#sink.rollback();
  }

  #settle(entry: Pending, error?: Error): void {
    if (entry.kind === 'chunk') {
      this.#heldBytes -= entry.bytes;
      if (error === undefined) this.#bytesSinceCommit += entry.bytes;
      // A write's callback never runs before write() returns, as with any Node stream.
      if (entry.callback !== undefined) process.nextTick(entry.callback, error ?? null);
    } else if (entry.kind === 'commit') {
      entry.settle(error);
    }
  }

  /** Hands the sink what is held, in order, until it must wait; then, idle, says so. */
  #pump(): void {
    while (!this.#busy && this.#corked === 0 && this.#pending.length > 0 && !this.#destroyed) this.#hand(this.#pending.shift()!);
    if (!this.#takesAtOnce() || this.#destroyed) return;
    this.#wakeIdleWaiters();
    if (this.#needDrain && !this.#ending) {
      this.#needDrain = false;
      this.emit('drain');
    }
    this.#finishWhenIdle();
  }

  /**
   * Ended and everything taken: 'finish', then 'close'. The sink keeps what it holds: a transactional
   * body the app ended (pipeline() ends it) is sent by the pipeline's commit after; the request's
   * clean-up removes its temp file.
   */
  #finishWhenIdle(): void {
    if (!this.#ending || this.#finished || this.#destroyed || !this.#takesAtOnce()) return;
    this.#finished = true;
    this.#announceClose(undefined);
  }

  /** Once `releasing` is done, tells the listeners: 'finish' or 'error' first, 'close' last. */
  #announceClose(releasing: Promise<void> | void, reason?: Error, error?: Error): void {
    const closed = (): void => {
      if (error !== undefined) this.emit('error', error);
      else if (reason === undefined) this.emit('finish');
      // Read now: an end(callback) between the finish and this tick is called too.
      for (const callback of this.#endCallbacks.splice(0)) callback(reason);
      this.#closed = true;
      this.emit('close');
    };
    if (releasing === undefined) process.nextTick(closed);
    else releasing.then(closed, closed);
  }

  /** A write after the end or the destroy: its callback fails; after an end it is an 'error' too. */
  #refuse(callback: WriteCallback | undefined): void {
    const error = responseOver();
    if (callback !== undefined) process.nextTick(callback, error);
    if (!this.#destroyed) process.nextTick(() => this.emit('error', error));
  }

  #wakeIdleWaiters(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves when every entry so far has been taken by the sink. */
  #idle(): Promise<void> {
    if (this.#takesAtOnce() || this.#destroyed) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}

function ignore(): void {}

/** A chunk as the sink takes it: UTF-8 strings as they are (the connector encodes them in place). */
function bytesOf(chunk: unknown, encoding: BufferEncoding): Buffer | string {
  if (typeof chunk === 'string') return encoding === 'utf8' || encoding === 'utf-8' ? chunk : Buffer.from(chunk, encoding);
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`cgi.out takes a string, Buffer or Uint8Array, not ${chunk === null ? 'null' : typeof chunk}`);
}
