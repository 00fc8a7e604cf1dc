// The pipeline's output for a node:http response: the head as a status and fields, the body with
// the socket's backpressure.
import type { ServerResponse } from 'node:http';
import { RequestAbortedError } from '@netcgi/core';
import type { ResponseHead, ResponseOutput } from '@netcgi/core/connector';

/** A {@link ResponseOutput} over a `ServerResponse`; no CGI text is made or parsed. */
export class HttpResponseOutput implements ResponseOutput {
  readonly #response: ServerResponse;

  constructor(response: ServerResponse) {
    this.#response = response;
  }

  get writable(): boolean {
    const response = this.#response;
    return !response.writableEnded && !response.destroyed;
  }

  writeHead(head: ResponseHead): void {
    this.#check();
    const fields: string[] = [];
    for (const [name, value] of head.fields) fields.push(name, value);
    // A flat list keeps repeated fields (Set-Cookie) apart and their order as the app set it.
    this.#response.writeHead(head.status, head.statusText, fields);
  }

  write(chunk: Buffer | string): Promise<void> | void {
    this.#check();
    if (this.#response.write(chunk)) return;
    return this.#drain();
  }

  end(): Promise<void> | void {
    const response = this.#response;
    if (response.writableFinished || response.destroyed) return;
    return new Promise((resolve) => {
      response.once('finish', resolve).once('close', resolve);
      if (!response.writableEnded) response.end();
    });
  }

  #check(): void {
    if (!this.writable) throw new RequestAbortedError('the client went away');
  }

  /** Waits until the socket takes more; a client that goes away first fails the write. */
  #drain(): Promise<void> {
    const response = this.#response;
    return new Promise((resolve, reject) => {
      const settle = (gone: boolean): void => {
        response.off('drain', onDrain).off('close', onClose);
        if (gone) reject(new RequestAbortedError('the client went away'));
        else resolve();
      };
      const onDrain = (): void => settle(false);
      const onClose = (): void => settle(true);
      response.on('drain', onDrain).on('close', onClose);
    });
  }
}
