// The request body: exactly CONTENT_LENGTH bytes (RFC 3875 §4.2), or, without one, the connector's
// stream to its end (a FastCGI server that streams a chunked upload sends no CONTENT_LENGTH).
import type { Readable } from 'node:stream';
import { HttpError } from '../errors.js';

/**
 * Yields the body: the first `length` bytes of `body` (a web server may send more), or with
 * `length` undefined everything until the end, at most `limit` bytes. Stopping early, e.g. on
 * `break`, stops reading the body.
 * @throws HttpError 400 when the body ends before `length` bytes; 413 past `limit` bytes.
 */
export async function* limitBody(body: Readable, length: number | undefined, limit: number): AsyncGenerator<Buffer> {
  let remaining = length ?? limit;
  if (remaining === 0 && length !== undefined) return;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (bytes.length > remaining && length === undefined) {
      throw new HttpError(413, `the request body is larger than the limit of ${limit} bytes`);
    }
    if (bytes.length >= remaining) {
      yield bytes.length === remaining ? bytes : bytes.subarray(0, remaining);
      if (length !== undefined) return;
      remaining = 0;
      continue;
    }
    remaining -= bytes.length;
    yield bytes;
  }
  if (length !== undefined) {
    throw new HttpError(400, `the request body ended ${remaining} bytes short of its content-length of ${length}`);
  }
}

/** Reads a whole body into memory, at most `limit` bytes. @throws HttpError 400, 413 */
export async function readWholeBody(body: Readable, length: number | undefined, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of limitBody(body, length, limit)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
