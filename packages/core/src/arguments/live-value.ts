// The value of a streamed argument: the request's bytes as they arrive, readable once.
import { Readable } from 'node:stream';
import { ArgumentOversizedError, ArgumentStreamedError } from '../errors.js';

/** How a live value lets go of its source when nobody reads it to the end. */
export type LetGo = () => void;

/**
 * A value the app reads while the request is still arriving: `open()` gives the bytes as a
 * stream, with backpressure to the web server; `bytes()` reads them all. Either, once. Past
 * `limit` bytes the stream fails with ArgumentOversizedError; an abort fails it with the
 * connector's RequestAbortedError.
 */
export class LiveValue {
  readonly #name: string;
  readonly #source: AsyncIterable<Buffer>;
  readonly #limit: number;
  readonly #letGo: LetGo;
  #size = 0;
  #stream: Readable | undefined;
  #bytes: Promise<Buffer> | undefined;
  #done = false;

  /** `letGo` is called when the value is discarded before its end (read to nowhere, or destroyed). */
  constructor(name: string, source: AsyncIterable<Buffer>, limit: number, letGo: LetGo) {
    this.#name = name;
    this.#source = source;
    this.#limit = limit;
    this.#letGo = letGo;
  }

  /** The bytes that went through so far. */
  get size(): number {
    return this.#size;
  }

  /** Whether the value was opened or read (or discarded). */
  get taken(): boolean {
    return this.#stream !== undefined || this.#done;
  }

  /** The bytes as they arrive. @throws ArgumentStreamedError on a second call, or after `bytes()`. */
  open(): Readable {
    if (this.taken) {
      throw new ArgumentStreamedError(`argument "${this.#name}" is a live stream that was already read: open() it, or read it with bytes(), text() or json(), once`);
    }
    this.#stream = Readable.from(this.#counted(), { objectMode: false });
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
    const stream = this.#stream;
    if (stream !== undefined && !stream.readableEnded) stream.destroy();
    if (stream === undefined || !stream.readableEnded) this.#letGo();
  }

  async *#counted(): AsyncGenerator<Buffer> {
    for await (const chunk of this.#source) {
      this.#size += chunk.length;
      if (this.#size > this.#limit) throw new ArgumentOversizedError(this.#name, this.#limit);
      yield chunk;
    }
  }
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
