// A large streamed response: GET /SIZE sends SIZE bytes (up to 4 GiB) as a download, written as
// fast as the client reads and no faster. Memory stays flat whatever the size: one 64 KiB chunk is
// reused, and each write waits for the web server (await cgi.out.send()).
import { HttpError, type Cgi } from '@netcgi/core';

/** The bytes repeat every 251 (a prime, so chunk boundaries never line up with a power of two). */
const PERIOD = 251;
const CHUNK = Buffer.from(Array.from({ length: PERIOD * 261 }, (_, index) => index % PERIOD));
const MAX_SIZE = 4 * 2 ** 30;

/** Byte `offset` of every download: what a client can check its copy against. */
export const byteAt = (offset: number): number => offset % PERIOD;

export default async function download(cgi: Cgi): Promise<void> {
  const match = /^\/(\d{1,10})$/.exec(cgi.environment.pathInfo);
  const size = match === null ? Number.NaN : Number(match[1]);
  if (!(size <= MAX_SIZE)) throw new HttpError(404, `ask for /SIZE, a number of bytes up to ${MAX_SIZE}`);
  cgi.setHeader({ contentType: 'application/octet-stream', contentLength: size, filename: `pattern-${size}.bin`, cache: 'no-cache' });
  if (cgi.method === 'HEAD') return;
  for (let sent = 0; sent < size; sent += CHUNK.length) {
    // An abort (the client went away) rejects send(): the loop ends, nothing more is made.
    await cgi.out.send(size - sent >= CHUNK.length ? CHUNK : CHUNK.subarray(0, size - sent));
  }
}
