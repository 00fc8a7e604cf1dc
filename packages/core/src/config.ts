// Per-application settings: where temp files go, what requests are accepted, every size limit.
import { tmpdir } from 'node:os';

/** The request methods netcgi knows how to parse arguments for. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** Settings shared by every connector. Start from {@link defaultConfig}: `{ ...defaultConfig, ... }`. */
export interface Config {
  /** Directory of upload and output-spill temp files. Default: `os.tmpdir()`. */
  readonly tmpDirectory: string;
  /** File-name prefix of temp files (no `/`). Default `netcgi`. */
  readonly tmpPrefix: string;
  /** Methods accepted; any other answers 405 with an `Allow` header. Default: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS. */
  readonly permittedHttpMethods: readonly string[];
  /**
   * Content types accepted for a request body (lower case, parameters ignored); another answers
   * 415. An empty list accepts any type. Default: any type (`[]`).
   */
  readonly permittedInputContentTypes: readonly string[];
  /**
   * POST forms (urlencoded, multipart) become arguments. False: every body, forms included, is
   * `cgi.body`, for an app that parses its own (a Fetch-API handler). Default true.
   */
  readonly parseForms: boolean;
  /** Largest accepted `Content-Length`; larger answers 413. Default 1 GiB. */
  readonly inputContentLengthLimit: number;
  /** Most arguments (query string and body together); more answers 413. Default 10 000. */
  readonly maxArguments: number;
  /** Most file uploads (multipart parts with a file name) in one request; more answers 413. Default 100. */
  readonly maxFileArguments: number;
  /** Longest argument name in bytes; longer answers 413. Default 1 KiB. */
  readonly maxArgumentNameSize: number;
  /** Largest value kept in memory unless `argStore` names another limit; larger is oversized. Default 1 MiB. */
  readonly maxMemoryArgumentSize: number;
  /** Largest value stored in a temp file unless `argStore` names another limit. Default: no limit beyond `inputContentLengthLimit`. */
  readonly maxFileArgumentSize: number;
  /** Largest urlencoded body or query string; it is parsed in memory, so larger answers 413. Default 8 MiB. */
  readonly maxUrlencodedSize: number;
  /** Transactional-tempfile output stays in memory up to this many bytes, then spills to a temp file. Default 1 MiB. */
  readonly outputSpillThreshold: number;
  /** Catch what the app throws and answer with an error page. Default true; false lets errors propagate to the connector. */
  readonly defaultErrorHandler: boolean;
}

/** The defaults every connector starts from. */
export const defaultConfig: Config = Object.freeze({
  tmpDirectory: tmpdir(),
  tmpPrefix: 'netcgi',
  permittedHttpMethods: Object.freeze(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
  permittedInputContentTypes: Object.freeze([]),
  parseForms: true,
  inputContentLengthLimit: 1024 ** 3,
  maxArguments: 10_000,
  maxFileArguments: 100,
  maxArgumentNameSize: 1024,
  maxMemoryArgumentSize: 1024 ** 2,
  maxFileArgumentSize: Number.POSITIVE_INFINITY,
  maxUrlencodedSize: 8 * 1024 ** 2,
  outputSpillThreshold: 1024 ** 2,
  defaultErrorHandler: true,
});

/**
 * `defaultConfig` overridden by `overrides`.
 * @throws TypeError when `tmpPrefix` is empty or holds a `/`.
 */
export function makeConfig(overrides: Partial<Config> = {}): Config {
  const config = { ...defaultConfig, ...overrides };
  if (config.tmpPrefix === '' || config.tmpPrefix.includes('/')) {
    throw new TypeError(`tmpPrefix must be non-empty and hold no "/", got "${config.tmpPrefix}"`);
  }
  return Object.freeze(config);
}
