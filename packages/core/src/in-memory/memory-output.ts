// A response kept in memory: the head as the pipeline gave it, and the body's bytes.
import { RequestAbortedError } from '../errors.js';
import type { ResponseHead } from '../output/response-head.js';
import type { ResponseOutput } from '../output/response-output.js';

/** The {@link ResponseOutput} of an in-memory request. `abort()` acts as a web server going away. */
export class MemoryOutput implements ResponseOutput {
  head: ResponseHead | undefined;
  readonly chunks: Buffer[] = [];
  #ended = false;
  #aborted = false;

  get writable(): boolean {
    return !this.#ended && !this.#aborted;
  }

  writeHead(head: ResponseHead): void {
    this.#check();
    this.head = head;
  }

  write(chunk: Buffer | string): void {
    this.#check();
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }

  end(): void {
    this.#ended = true;
  }

  /** Nothing more is taken; writes throw RequestAbortedError. */
  abort(): void {
    this.#aborted = true;
  }

  /** The body written so far. */
  get body(): Buffer {
    return Buffer.concat(this.chunks);
  }

  #check(): void {
    if (!this.writable) throw new RequestAbortedError('the connection to the web server is gone');
  }
}
