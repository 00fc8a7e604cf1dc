// The response on fd 1: written synchronously, as a CGI program's output is a blocking pipe.
import fs from 'node:fs';
import { RequestAbortedError } from '@netcgi/core';
import { serializeCgiHead, type ResponseHead, type ResponseOutput } from '@netcgi/core/connector';

/**
 * The pipeline's output for a CGI response. Writes go straight to fd 1 with `writeSync`: a
 * blocking write is the backpressure, and process.stdout's stream (a net.Socket for a pipe) costs
 * milliseconds of start-up per request. Should the web server have made the pipe non-blocking
 * (EAGAIN), the rest goes through process.stdout, which waits for `drain`.
 */
export class StdoutOutput implements ResponseOutput {
  readonly #fd: number;
  readonly #fallback: () => NodeJS.WritableStream;
  #stream: NodeJS.WritableStream | undefined;
  #ended = false;
  #failed = false;

  constructor(fd = 1, fallback: () => NodeJS.WritableStream = () => process.stdout) {
    this.#fd = fd;
    this.#fallback = fallback;
  }

  get writable(): boolean {
    return !this.#ended && !this.#failed;
  }

  write(chunk: Buffer | string): Promise<void> | void {
    this.#writeNow(chunk);
    const stream = this.#stream;
    if (stream === undefined || !(stream as { writableNeedDrain?: boolean }).writableNeedDrain) return;
    return this.#drain(stream);
  }

  /** Waits for `drain`; a stream that errors or closes first (the web server left) fails the write. */
  #drain(stream: NodeJS.WritableStream): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = (error?: Error): void => {
        stream.off('drain', onDrain).off('error', onGone).off('close', onClose);
        if (error === undefined) return resolve();
        this.#failed = true;
        reject(new RequestAbortedError(`the web server no longer reads the response: ${error.message}`));
      };
      const onDrain = (): void => settle();
      const onGone = (error: Error): void => settle(error);
      const onClose = (): void => settle(new Error('stdout closed'));
      stream.on('drain', onDrain).on('error', onGone).on('close', onClose);
    });
  }

  writeHead(head: ResponseHead): void {
    this.#writeNow(serializeCgiHead(head));
  }

  #writeNow(chunk: Buffer | string): void {
    if (!this.writable) throw new RequestAbortedError('the web server no longer reads the response');
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.#stream !== undefined) {
      this.#stream.write(bytes);
      return;
    }
    let offset = 0;
    try {
      while (offset < bytes.length) offset += fs.writeSync(this.#fd, bytes, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') {
        this.#failed = true;
        throw new RequestAbortedError(`the web server no longer reads the response: ${(error as Error).message}`);
      }
      this.#stream = this.#fallback();
      this.#stream.write(bytes.subarray(offset));
    }
  }

  end(): Promise<void> | void {
    if (this.#ended) return;
    this.#ended = true;
    const stream = this.#stream;
    if (stream !== undefined) return new Promise((resolve) => stream.write('', () => resolve()));
  }
}
