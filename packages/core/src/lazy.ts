// Libraries loaded on first use: a CGI program starts once per request, and a hello world must not
// pay for multipart parsing, cookies or HTTP reason phrases it never needs (see docs/benchmarks.md).
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const requireFromHere = createRequire(import.meta.url);
const here = fileURLToPath(import.meta.url);

/**
 * Node 20's realpathSync reads the stat buffer of the *last* stat call for path components it has
 * cached, and stops at one it takes for a socket or FIFO (nodejs/node#51142): after the app or a
 * connector stats a socket (fd 0 handed over by a web server) or a pipe, a package reached through
 * pnpm's symlinks resolves without its real path and cannot find its own dependencies (busboy →
 * streamsearch). A stat of this file first resets that buffer to a regular file's.
 */
function requirePackage(id: string): unknown {
  statSync(here);
  return requireFromHere(id);
}

let cookie: typeof import('cookie') | undefined;
let busboy: typeof import('busboy') | undefined;
let crypto: typeof import('node:crypto') | undefined;
let statusCodes: Record<number, string | undefined> | undefined;

/** The `cookie` package. */
export function cookieLibrary(): typeof import('cookie') {
  return (cookie ??= requirePackage('cookie') as typeof import('cookie'));
}

/** The `busboy` package. */
export function busboyLibrary(): typeof import('busboy') {
  return (busboy ??= requirePackage('busboy') as typeof import('busboy'));
}

/** Node's reason phrase for `status` (`Not Found` for 404), if it has one. */
export function reasonPhrase(status: number): string | undefined {
  statusCodes ??= (requireFromHere('node:http') as typeof import('node:http')).STATUS_CODES;
  return statusCodes[status];
}

/** `bytes` random bytes in hex (temp file names). */
export function randomHex(bytes: number): string {
  return (crypto ??= requireFromHere('node:crypto') as typeof import('node:crypto')).randomBytes(bytes).toString('hex');
}
