// The request body, cut to exactly CONTENT_LENGTH bytes (RFC 3875 §4.2).
import type { Readable } from 'node:stream';
import { HttpError } from '../errors.js';

/**
 * Yields the first `length` bytes of `body`, then stops (a web server may send more; FastCGI
 * servers pad). Stopping early, e.g. on `break`, stops reading the body.
 * @throws HttpError 400 when the body ends before `length` bytes.
 */
export async function* limitBody(body: Readable, length: number): AsyncGenerator<Buffer> {
  let remaining = length;
  if (remaining === 0) return;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (bytes.length >= remaining) {
      yield bytes.length === remaining ? bytes : bytes.subarray(0, remaining);
      return;
    }
    remaining -= bytes.length;
    yield bytes;
  }
  throw new HttpError(400, `the request body ended ${remaining} bytes short of its content-length of ${length}`);
}

/** Reads a whole body of `length` bytes into memory; callers bound `length` first. */
export async function readWholeBody(body: Readable, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of limitBody(body, length)) chunks.push(chunk);
  return Buffer.concat(chunks, length);
}
