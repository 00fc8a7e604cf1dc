// Libraries loaded on first use: a CGI program starts once per request, and a hello world must not
// pay for multipart parsing, cookies or HTTP reason phrases it never needs (see docs/benchmarks.md).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let cookie: typeof import('cookie') | undefined;
let busboy: typeof import('busboy') | undefined;
let crypto: typeof import('node:crypto') | undefined;
let statusCodes: Record<number, string | undefined> | undefined;

/** The `cookie` package. */
export function cookieLibrary(): typeof import('cookie') {
  return (cookie ??= require('cookie') as typeof import('cookie'));
}

/** The `busboy` package. */
export function busboyLibrary(): typeof import('busboy') {
  return (busboy ??= require('busboy') as typeof import('busboy'));
}

/** Node's reason phrase for `status` (`Not Found` for 404), if it has one. */
export function reasonPhrase(status: number): string | undefined {
  statusCodes ??= (require('node:http') as typeof import('node:http')).STATUS_CODES;
  return statusCodes[status];
}

/** `bytes` random bytes in hex (temp file names). */
export function randomHex(bytes: number): string {
  return (crypto ??= require('node:crypto') as typeof import('node:crypto')).randomBytes(bytes).toString('hex');
}
