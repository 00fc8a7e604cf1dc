// Libraries loaded on first use: a CGI program starts once per request, and a hello world must not
// pay for multipart parsing, cookies or HTTP reason phrases it never needs (see docs/benchmarks.md).
// Built-ins too: node:module and node:url (to `require` from here) and node:stream load on first use.
import { statSync } from 'node:fs';

let requireFromHere: NodeJS.Require | undefined;

/**
 * Node 20's realpathSync reads the stat buffer of the *last* stat call for path components it has
 * cached, and stops at one it takes for a socket or FIFO (nodejs/node#51142): after the app or a
 * connector stats a socket (fd 0 handed over by a web server) or a pipe, a package reached through
 * pnpm's symlinks resolves without its real path and cannot find its own dependencies (busboy →
 * streamsearch). A stat of this file first resets that buffer to a regular file's.
 */
function requirePackage(id: string): unknown {
  const here = process.getBuiltinModule('node:url').fileURLToPath(import.meta.url);
  statSync(here);
  requireFromHere ??= process.getBuiltinModule('node:module').createRequire(here);
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

/**
 * The reason phrases most responses carry, as node:http's STATUS_CODES has them (a test checks):
 * loading node:http for a hello's "OK" cost a CGI program 3 ms of its start (node:net with it).
 */
const COMMON_REASON_PHRASES: Readonly<Record<number, string>> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 206: 'Partial Content',
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Payload Too Large',
  415: 'Unsupported Media Type', 431: 'Request Header Fields Too Large',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** Node's reason phrase for `status` (`Not Found` for 404), if it has one. */
export function reasonPhrase(status: number): string | undefined {
  const common = COMMON_REASON_PHRASES[status];
  if (common !== undefined) return common;
  statusCodes ??= process.getBuiltinModule('node:http').STATUS_CODES;
  return statusCodes[status];
}

/**
 * node:stream, for the request bodies and argument streams that need it: a CGI program answering
 * a GET never loads it (~1.6 ms of its start on Node 24). Node keeps the module once loaded.
 */
export function nodeStream(): typeof import('node:stream') {
  return process.getBuiltinModule('node:stream');
}

/** `bytes` random bytes in hex (temp file names). */
export function randomHex(bytes: number): string {
  return (crypto ??= process.getBuiltinModule('node:crypto')).randomBytes(bytes).toString('hex');
}
