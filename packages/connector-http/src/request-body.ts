// The request body as the pipeline reads it: node:http's request, which the pipeline may let go of
// without the connection going with it.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { RequestAbortedError } from '@netcgi/core';

/**
 * The body of `request` as an object-mode stream of its chunks (no joining copies), pulled only
 * while read. Destroying it (the pipeline stopped reading: an oversized body, an app that returned)
 * leaves the request alone, paused: destroying a node:http request that has not ended destroys its
 * socket, and the response with it. What is left is {@link drainRest}'s.
 */
export class RequestBody extends Readable {
  readonly #request: IncomingMessage;

  constructor(request: IncomingMessage) {
    super({ objectMode: true, highWaterMark: 8 });
    this.#request = request;
    request.pause();
    request.on('data', this.#onData).on('end', this.#onEnd).on('error', this.#onGone).on('aborted', this.#onGone);
    // An abort destroys this stream with its reason; a stream nobody reads must not throw it.
    this.on('error', () => {});
  }

  override _read(): void {
    this.#request.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#detach();
    callback(error);
  }

  readonly #onData = (chunk: Buffer): void => {
    if (!this.push(chunk)) this.#request.pause();
  };

  readonly #onEnd = (): void => {
    this.#detach();
    this.push(null);
  };

  readonly #onGone = (): void => {
    this.destroy(new RequestAbortedError('the client went away before its request body ended'));
  };

  #detach(): void {
    this.#request.off('data', this.#onData).off('end', this.#onEnd).off('error', this.#onGone).off('aborted', this.#onGone);
    this.#request.pause();
  }
}

/**
 * After the response: reads what is left of the request body to nowhere, so that the connection
 * can carry the next request; past `limit` bytes the connection is closed instead (a client that
 * keeps sending a body nobody wants is not worth keeping).
 */
export function drainRest(request: IncomingMessage, limit: number): void {
  if (request.complete || request.destroyed) return;
  let drained = 0;
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > limit) request.destroy();
  });
  request.on('error', () => {});
  request.resume();
}
