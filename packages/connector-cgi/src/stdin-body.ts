// The request body on stdin: exactly CONTENT_LENGTH bytes (RFC 3875 §4.2), or up to EOF without one.
import type { Readable } from 'node:stream';

/**
 * The request's body, made when the pipeline first reads it: a GET never makes a stream, so a CGI
 * program answering one never loads node:stream (~1.6 ms of its start on Node 24).
 */
export class StdinBody {
  readonly #contentLength: number | undefined;
  #stream: Readable | undefined;
  #stdinOpened = false;
  #abortReason: Error | undefined;

  constructor(contentLength: number | undefined) {
    this.#contentLength = contentLength;
  }

  stream(): Readable {
    if (this.#stream === undefined) {
      this.#stream = limitedBody(() => {
        this.#stdinOpened = true;
        return process.stdin;
      }, this.#contentLength);
      // An abort destroys it with its reason; unread, that must not be an uncaught error.
      this.#stream.on('error', () => {});
      if (this.#abortReason !== undefined) this.#stream.destroy(this.#abortReason);
    }
    return this.#stream;
  }

  /** The request was aborted: a read fails with `reason`. */
  abort(reason: Error): void {
    this.#abortReason = reason;
    this.#stream?.destroy(reason);
  }

  /** The request is over: stdin is let go, since an open stdin would keep the process alive. */
  close(): void {
    this.#stream?.destroy();
    if (this.#stdinOpened) process.stdin.destroy();
  }
}

/**
 * A Readable of the first `length` bytes of the input (all of it when `length` is undefined:
 * Apache sends a chunked upload with no CONTENT_LENGTH and closes stdin after it). The input is
 * opened on the first read only, so a GET never touches stdin; past the length it is paused, so the
 * process can exit.
 */
export function limitedBody(openInput: () => Readable, length: number | undefined): Readable {
  // Loaded here, not at start: a CGI program answering a GET never needs node:stream (~1.6 ms).
  const { Readable } = process.getBuiltinModule('node:stream');
  if (length === 0) return Readable.from([]);
  let remaining = length ?? Number.POSITIVE_INFINITY;
  let input: Readable | undefined;
  const onData = (chunk: Buffer): void => {
    const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
    remaining -= part.length;
    const more = body.push(part);
    if (remaining === 0) finish();
    else if (!more) input!.pause();
  };
  const finish = (): void => {
    release();
    body.push(null);
  };
  const fail = (error: Error): void => { body.destroy(error); };
  const release = (): void => {
    input?.off('data', onData).off('end', finish).off('error', fail).pause();
  };
  const body = new Readable({
    read() {
      if (input === undefined) {
        input = openInput();
        input.on('data', onData).once('end', finish).once('error', fail);
      }
      input.resume();
    },
    destroy(error, callback) {
      release();
      callback(error);
    },
  });
  return body;
}
