// The errors netcgi throws. Each has a stable `code` so callers and tests match on it, not on text.
import { reasonPhrase } from './lazy.js';

/** Base class of every error netcgi throws on purpose. `code` is stable across versions. */
export class NetcgiError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Options of an {@link HttpError}. */
export interface HttpErrorOptions extends ErrorOptions {
  /** Extra response header fields, e.g. `{ 'WWW-Authenticate': 'Basic realm="x"' }` with a 401. */
  headers?: Record<string, string | readonly string[]>;
}

/**
 * Thrown anywhere in a request (by the app or by the pipeline) to answer with `status`.
 * 4xx and 5xx become an error page showing the HTML-escaped `message`; a status below 400 ends
 * the request early with that status, the given headers and no body.
 */
export class HttpError extends NetcgiError {
  readonly status: number;
  readonly headers: Record<string, string | readonly string[]>;
  /** @throws RangeError when `status` is not an integer from 100 to 599. */
  constructor(status: number, message?: string, options?: HttpErrorOptions) {
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new RangeError(`http status must be an integer from 100 to 599, got ${status}`);
    }
    super('ERR_HTTP', message ?? reasonPhrase(status) ?? `status ${status}`, options);
    this.status = status;
    this.headers = options?.headers ?? {};
  }
}

/** Reading the value of an argument that was larger than its limit. */
export class ArgumentOversizedError extends NetcgiError {
  constructor(name: string, limit: number) {
    super('ERR_ARGUMENT_OVERSIZED', `argument "${name}" is larger than its limit of ${limit} bytes`);
  }
}

/** Reading an argument after `finalize()` deleted its value. */
export class ArgumentFinalizedError extends NetcgiError {
  constructor(name: string) {
    super('ERR_ARGUMENT_FINALIZED', `argument "${name}" was finalized; its value is gone`);
  }
}

/** Changing the response header after it went out. */
export class HeaderSentError extends NetcgiError {
  constructor(what: string) {
    super('ERR_HEADER_SENT', `cannot ${what}: the response header was already sent`);
  }
}

/** A header name or value that would corrupt the response (CR, LF, NUL, or a bad name). */
export class InvalidHeaderError extends NetcgiError {
  constructor(message: string) {
    super('ERR_INVALID_HEADER', message);
  }
}

/** Misuse of the output channel: rollback of output already sent, writing after the end. */
export class OutputError extends NetcgiError {
  constructor(message: string) {
    super('ERR_OUTPUT', message);
  }
}

/** The request was aborted by the web server or its peer went away. */
export class RequestAbortedError extends NetcgiError {
  constructor(message = 'the request was aborted') {
    super('ERR_REQUEST_ABORTED', message);
  }
}

/**
 * Misuse of a streamed argument (`argStore` answered `'stream'`): its bytes pass once, so it can be
 * opened or read only once, and has no synchronous `value`.
 */
export class ArgumentStreamedError extends NetcgiError {
  constructor(message: string) {
    super('ERR_ARGUMENT_STREAMED', message);
  }
}
