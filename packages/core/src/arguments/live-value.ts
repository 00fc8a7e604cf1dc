// The value of a streamed argument: the request's bytes as they arrive, readable once.
import type { Readable } from 'node:stream';
import { ArgumentOversizedError, ArgumentStreamedError, HttpError } from '../errors.js';
import { nodeStream } from '../lazy.js';

/** The limits a live value's bytes are held to as they pass. */
export interface LiveLimits {
  /** The argument's name, for error messages. */
  readonly name: string;
  /** The argument's byte limit (`argStore`'s `maxSize`): past it, ArgumentOversizedError. */
  readonly maxSize: number;
  /**
   * A raw body's CONTENT_LENGTH: exactly that many bytes are taken (a web server may send more),
   * and an end before them is a 400. Without it the value runs to the end of its source.
   */
  readonly length?: number | undefined;
  /** Without `length`: the most bytes taken (`inputContentLengthLimit`); past it, a 413. */
  readonly bodyLimit?: number;
  /** What to do with the source when the value is let go before its end. */
  readonly release: 'destroy' | 'drain';
}

/**
 * A value the app reads while the request is still arriving: `open()` gives its bytes as they come,
 * with backpressure to the web server; `bytes()` reads them all. Either, once.
 */
export class LiveValue {
  readonly #source: Readable;
  readonly #limits: LiveLimits;
  #stream: LiveStream | undefined;
  #bytes: Promise<Buffer> | undefined;
  #done = false;

  constructor(source: Readable, limits: LiveLimits) {
    this.#source = source;
    this.#limits = limits;
  }

  /** The bytes that went through so far. */
  get size(): number {
    return this.#stream?.size ?? 0;
  }

  /**
   * The bytes as they arrive: an object-mode stream of Buffers, one per piece the connector
   * received (a byte-mode stream would join what is buffered into a new Buffer: a copy of the body).
   * @throws ArgumentStreamedError on a second call, or after `bytes()`.
   */
  open(): Readable {
    if (this.#stream !== undefined || this.#done) {
      throw new ArgumentStreamedError(`argument "${this.#limits.name}" is a live stream that was already read: open() it, or read it with bytes(), text() or json(), once`);
    }
    this.#stream = newLiveStream(this.#source, this.#limits);
    return this.#stream;
  }

  /** Reads every byte (a second call gives the same). @throws ArgumentStreamedError after `open()`. */
  bytes(): Promise<Buffer> {
    this.#bytes ??= collect(this.open());
    return this.#bytes;
  }

  /** The request is over: stop reading, and let the source go. Never throws. */
  discard(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#stream === undefined) release(this.#source, this.#limits.release);
    else if (!this.#stream.readableEnded) this.#stream.destroy();
  }
}

/** The live bytes of one value, with the count of those that went through. */
interface LiveStream extends Readable {
  readonly size: number;
}

let liveStreamClass: (new (source: Readable, limits: LiveLimits) => LiveStream) | undefined;

/**
 * A new LiveStream. Its class extends node:stream's Readable, so it is defined on first use: a
 * request without a live value never loads node:stream (lazy.ts's `nodeStream`).
 */
function newLiveStream(source: Readable, limits: LiveLimits): LiveStream {
  liveStreamClass ??= defineLiveStream(nodeStream().Readable);
  return new liveStreamClass(source, limits);
}

function defineLiveStream(ReadableBase: typeof import('node:stream').Readable): new (source: Readable, limits: LiveLimits) => LiveStream {
  /** The live bytes of one value, pulled from the source only as fast as they are read. */
  return class LiveStream extends ReadableBase {
    readonly #source: Readable;
    readonly #limits: LiveLimits;
    #size = 0;
    #finished = false;
    /** A limit was passed: the reader gets what came before, then this error. */
    #failure: Error | undefined;

    constructor(source: Readable, limits: LiveLimits) {
      super({ objectMode: true, highWaterMark: 4 });
      this.#source = source;
      this.#limits = limits;
      if (limits.length === 0) {
        this.#finish();
        return;
      }
      source.pause();
      source.on('data', this.#onData).on('end', this.#onEnd).on('error', this.#onError).on('close', this.#onClose);
      // A source destroyed before this stream was made (an abort) says so now.
      if (source.destroyed) queueMicrotask(this.#onClose);
    }

    get size(): number {
      return this.#size;
    }

    override _read(): void {
      // After a failure, `read()` destroys the stream once the reader has what came before it.
      if (this.#failure !== undefined) {
        if (this.readableLength === 0) this.destroy(this.#failure);
        return;
      }
      if (!this.#finished) this.#source.resume();
    }

    override read(size?: number): unknown {
      const chunk: unknown = super.read(size);
      // The reader has taken the last chunk before a failure: the failure is next.
      const failure = this.#failure;
      if (failure !== undefined && this.readableLength === 0) process.nextTick(() => this.destroy(failure));
      return chunk;
    }

    override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
      if (!this.#finished && this.#failure === undefined) {
        this.#detach();
        release(this.#source, this.#limits.release);
      }
      callback(error);
    }

    readonly #onData = (chunk: Buffer | string): void => {
      let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const { length, maxSize, name } = this.#limits;
      const last = length !== undefined && this.#size + bytes.length >= length;
      if (last) bytes = bytes.subarray(0, length - this.#size);
      const bodyLimit = this.#limits.bodyLimit ?? Number.POSITIVE_INFINITY;
      if (length === undefined && this.#size + bytes.length > bodyLimit) {
        return this.#fail(new HttpError(413, `the request body is larger than the limit of ${bodyLimit} bytes`));
      }
      if (this.#size + bytes.length > maxSize) {
        // The reader gets every byte up to the limit, then the error.
        if (this.#size < maxSize) this.push(bytes.subarray(0, maxSize - this.#size));
        this.#size = maxSize;
        return this.#fail(new ArgumentOversizedError(name, maxSize));
      }
      this.#size += bytes.length;
      const more = this.push(bytes);
      if (last) this.#finish();
      else if (!more) this.#source.pause();
    };

    readonly #onEnd = (): void => {
      const { length } = this.#limits;
      if (length !== undefined && this.#size < length) {
        return this.#fail(new HttpError(400, `the request body ended ${length - this.#size} bytes short of its content-length of ${length}`));
      }
      this.#finish();
    };

    readonly #onError = (error: Error): void => {
      this.destroy(error);
    };

    readonly #onClose = (): void => {
      // Destroyed without an error of its own (a connector that dropped the body): still a failure.
      if (!this.#finished && !this.destroyed) this.destroy(this.#source.errored ?? new Error(`the request body of "${this.#limits.name}" closed before its end`));
    };

    /** Stops taking bytes; the reader gets those already here, then `error` (never a silent cut). */
    #fail(error: Error): void {
      this.#failure = error;
      this.#detach();
      release(this.#source, this.#limits.release);
      if (this.readableLength === 0) this.destroy(error);
    }

    /** Every byte went through: stop listening; the source is left where it is. */
    #finish(): void {
      this.#finished = true;
      this.#detach();
      this.push(null);
    }

    #detach(): void {
      this.#source.off('data', this.#onData).off('end', this.#onEnd).off('error', this.#onError).off('close', this.#onClose);
      // Paused again: without a 'data' listener a flowing source would drop what comes.
      this.#source.pause();
    }
  }
}

/** Lets a source go: a raw body is destroyed (the connector discards the rest), a part is read to nowhere. */
function release(source: Readable, how: LiveLimits['release']): void {
  if (how === 'destroy') source.destroy();
  else source.resume();
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
