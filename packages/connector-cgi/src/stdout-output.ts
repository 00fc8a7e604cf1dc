// The response on fd 1: synchronous while the pipe surely takes it, then through process.stdout.
import fs from 'node:fs';
import { RequestAbortedError } from '@netcgi/core';
import { serializeCgiHead, type ResponseHead, type ResponseOutput } from '@netcgi/core/connector';

/**
 * What an empty pipe takes without blocking (Linux's default pipe capacity). Up to here writes use
 * `writeSync`: no stream to start (a hello response). Past it a write may block until the web
 * server reads, and a process blocked in `write(2)` runs no JavaScript, not even the handler of the
 * SIGTERM the web server sends when it gives up (nor can it exit: Node joins its threads first, so
 * the thread pool is no way out either). The rest goes through process.stdout, whose descriptor
 * libuv makes non-blocking: a full pipe is a wait for `drain` that an abort can end.
 */
const SYNC_WRITE_BYTES = 64 * 1024;

/**
 * The pipeline's output for a CGI response, on fd 1 (see SYNC_WRITE_BYTES); a web server that made
 * the pipe non-blocking (EAGAIN) gets process.stdout at once. A write error (EPIPE: the web server
 * closed the pipe) makes the output unwritable and is reported once to `onFailure`; `abort` fails
 * a write that waits for `drain`.
 */
export class StdoutOutput implements ResponseOutput {
  readonly #fd: number;
  readonly #fallback: () => NodeJS.WritableStream;
  readonly #onFailure: (failure: RequestAbortedError) => void;
  #stream: NodeJS.WritableStream | undefined;
  #written = 0;
  #ended = false;
  #failure: RequestAbortedError | undefined;
  #rejectWaiting: ((error: Error) => void) | undefined;

  constructor(fd = 1, fallback: () => NodeJS.WritableStream = () => process.stdout, onFailure: (failure: RequestAbortedError) => void = () => {}) {
    this.#fd = fd;
    this.#fallback = fallback;
    this.#onFailure = onFailure;
  }

  get writable(): boolean {
    return !this.#ended && this.#failure === undefined;
  }

  write(chunk: Buffer | string): Promise<void> | void {
    const bytes = this.#checked(chunk);
    if (this.#stream === undefined && this.#written + bytes.length <= SYNC_WRITE_BYTES) return this.#writeSync(bytes);
    return this.#toStream(bytes);
  }

  writeHead(head: ResponseHead): void {
    // The head is the first thing written: the pipe takes it.
    void this.#writeSync(this.#checked(serializeCgiHead(head)));
  }

  /** The request was aborted: a write that waits fails with `reason`, and later ones throw. */
  abort(reason: Error): void {
    if (this.#failure !== undefined || this.#ended) return;
    this.#failure = reason instanceof RequestAbortedError ? reason : new RequestAbortedError(reason.message);
    this.#rejectWaiting?.(this.#failure);
  }

  end(): Promise<void> | void {
    if (this.#ended) return;
    this.#ended = true;
    const stream = this.#stream;
    if (stream !== undefined && this.#failure === undefined) return new Promise((resolve) => stream.write('', () => resolve()));
  }

  #checked(chunk: Buffer | string): Buffer {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#ended) throw new RequestAbortedError('the response has ended');
    return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  }

  #writeSync(bytes: Buffer): Promise<void> | void {
    let offset = 0;
    try {
      while (offset < bytes.length) offset += fs.writeSync(this.#fd, bytes, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return this.#toStream(bytes.subarray(offset));
      throw this.#fail(error as Error);
    } finally {
      this.#written += offset;
    }
  }

  #toStream(bytes: Buffer): Promise<void> | void {
    const stream = (this.#stream ??= this.#openStream());
    if (stream.write(bytes)) return;
    return this.#wait(drained(stream).catch((error: Error) => { throw this.#fail(error); }));
  }

  #openStream(): NodeJS.WritableStream {
    const stream = this.#fallback();
    // EPIPE comes as an 'error' event, maybe with no write waiting: unheard, it would end the process.
    stream.on('error', (error: Error) => { this.#rejectWaiting?.(this.#fail(error)); });
    return stream;
  }

  /** `work`, failing early when the request is aborted. */
  #wait(work: Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#rejectWaiting = reject;
      work.then(resolve, reject);
    }).finally(() => { this.#rejectWaiting = undefined; });
  }

  #fail(error: Error): RequestAbortedError {
    if (this.#failure !== undefined) return this.#failure;
    this.#failure = new RequestAbortedError(`the web server no longer reads the response: ${error.message}`);
    this.#onFailure(this.#failure);
    return this.#failure;
  }
}

/** Resolves at `drain`; rejects when the stream errors or closes first (the web server left). */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    // A stream that failed already (its 'error' is emitted) will not drain.
    const { errored } = stream as { errored?: Error | null };
    if (errored) return reject(errored);
    const settle = (error?: Error): void => {
      stream.off('drain', onDrain).off('error', onGone).off('close', onClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = (): void => settle();
    const onGone = (error: Error): void => settle(error);
    const onClose = (): void => settle(new Error('stdout closed'));
    stream.on('drain', onDrain).on('error', onGone).on('close', onClose);
  });
}
