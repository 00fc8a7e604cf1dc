// The request's environment: CGI properties, request headers, cookies, and the response header.
import { cookieLibrary } from './lazy.js';
import type { Config } from './config.js';
import { HeaderSentError, HttpError } from './errors.js';
import { checkHeaderField, statusLine, type HeaderField } from './output/header-fields.js';
import { responseHead } from './output/response-head.js';
import type { ResponseOutput } from './output/response-output.js';
import type { CgiVariables } from './properties.js';

/** A request cookie (RFC 6265 §5.4), value percent-decoded. */
export interface Cookie {
  readonly name: string;
  readonly value: string;
}

/** What a connector gives to build an {@link Environment}. */
export interface EnvironmentInit {
  readonly variables: CgiVariables;
  readonly config: Config;
  readonly output: ResponseOutput;
  readonly logError: (message: string) => void;
}

/**
 * Everything about a request but its arguments, and the response header until it is sent.
 * Property names are the CGI meta-variable names of RFC 3875 §4.1, matched case-sensitively;
 * request header names are matched case-insensitively.
 */
export class Environment {
  /** The settings this request runs with. */
  readonly config: Config;
  readonly #variables: CgiVariables;
  readonly #output: ResponseOutput;
  readonly #logError: (message: string) => void;
  #cookies: readonly Cookie[] | undefined;
  #outputHeader: HeaderField[] = [['Content-Type', 'text/html']];
  #headerSent = false;

  /** @internal Connectors build it through `processRequest`. */
  constructor(init: EnvironmentInit) {
    this.config = init.config;
    this.#variables = init.variables;
    this.#output = init.output;
    this.#logError = init.logError;
  }

  /** A CGI property such as `SCRIPT_NAME`, or `fallback` when the request has none. */
  property(name: string): string | undefined;
  property(name: string, fallback: string): string;
  property(name: string, fallback?: string): string | undefined {
    return this.#variables.property(name) ?? fallback;
  }

  /** The CGI properties (no `HTTP_*` variables: those are request headers). */
  get properties(): ReadonlyMap<string, string> {
    return this.#variables.properties;
  }

  get gatewayInterface(): string { return this.property('GATEWAY_INTERFACE', ''); }
  get serverSoftware(): string { return this.property('SERVER_SOFTWARE', ''); }
  get serverName(): string { return this.property('SERVER_NAME', ''); }
  get serverProtocol(): string { return this.property('SERVER_PROTOCOL', ''); }
  get requestMethod(): string { return this.property('REQUEST_METHOD', ''); }
  get scriptName(): string { return this.property('SCRIPT_NAME', ''); }
  /** The path after the script, decoded once by the web server (RFC 3875 §4.1.5). */
  get pathInfo(): string { return this.property('PATH_INFO', ''); }
  get pathTranslated(): string { return this.property('PATH_TRANSLATED', ''); }
  get queryString(): string { return this.property('QUERY_STRING', ''); }
  get authType(): string { return this.property('AUTH_TYPE', ''); }
  get remoteAddr(): string { return this.property('REMOTE_ADDR', ''); }
  get remoteHost(): string { return this.property('REMOTE_HOST', ''); }
  get remoteUser(): string { return this.property('REMOTE_USER', ''); }
  get remoteIdent(): string { return this.property('REMOTE_IDENT', ''); }

  /** `SERVER_PORT` as a number, or undefined when it is missing or not a port number. */
  get serverPort(): number | undefined {
    const port = this.property('SERVER_PORT', '');
    return /^\d{1,5}$/.test(port) ? Number(port) : undefined;
  }

  /** Whether the client used TLS: `HTTPS` is `on` or `1` in any case (servers differ). */
  get https(): boolean {
    const https = this.property('HTTPS', '').toLowerCase();
    return https === 'on' || https === '1';
  }

  /** The first request header of that name (case-insensitive), or undefined. */
  inputHeader(name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.#variables.headers.find(([headerName]) => headerName === lower)?.[1];
  }

  /** Every request header of that name, in order. */
  multipleInputHeader(name: string): string[] {
    const lower = name.toLowerCase();
    return this.#variables.headers.filter(([headerName]) => headerName === lower).map(([, value]) => value);
  }

  /** All request headers as `[lower-case name, value]` pairs. */
  get inputHeaders(): readonly (readonly [string, string])[] {
    return this.#variables.headers;
  }

  get userAgent(): string { return this.inputHeader('user-agent') ?? ''; }
  /** The request's `Content-Type`, or `''`. */
  get inputContentType(): string { return this.inputHeader('content-type') ?? ''; }

  /**
   * The request's `Content-Length`, or undefined when there is none (RFC 3875 §4.1.2: no body).
   * @throws HttpError 400 when it is not a decimal number.
   */
  get inputContentLength(): number | undefined {
    const length = this.inputHeader('content-length');
    if (length === undefined || length === '') return undefined;
    if (!/^\d{1,15}$/.test(length)) throw new HttpError(400, `content-length is not a number: "${length}"`);
    return Number(length);
  }

  /** The request cookies in the order they came, from every `Cookie` header. */
  get cookies(): readonly Cookie[] {
    this.#cookies ??= this.multipleInputHeader('cookie').flatMap(parseCookies);
    return this.#cookies;
  }

  /** The value of the first request cookie of that name, or undefined. */
  cookie(name: string): string | undefined {
    return this.cookies.find((cookie) => cookie.name === name)?.value;
  }

  /** The response header fields in the order they will go out. */
  get outputHeaderFields(): readonly HeaderField[] {
    return this.#outputHeader;
  }

  /** The first response header field of that name (case-insensitive), or undefined. */
  outputHeader(name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.#outputHeader.find(([fieldName]) => fieldName.toLowerCase() === lower)?.[1];
  }

  /** Every response header field of that name. */
  multipleOutputHeader(name: string): string[] {
    const lower = name.toLowerCase();
    return this.#outputHeader.filter(([fieldName]) => fieldName.toLowerCase() === lower).map(([, value]) => value);
  }

  /**
   * Replaces every field of that name by `value` (several fields for an array, none for `[]`).
   * @throws HeaderSentError after the header was sent; InvalidHeaderError on a control character (CR, LF, NUL…) or one beyond U+00FF.
   */
  setOutputHeader(name: string, value: string | number | readonly string[]): void {
    this.#assertHeaderNotSent(`set header "${name}"`);
    const values = typeof value === 'object' ? value : [String(value)];
    for (const item of values) checkHeaderField(name, item);
    const lower = name.toLowerCase();
    const kept = this.#outputHeader.filter(([fieldName]) => fieldName.toLowerCase() !== lower);
    this.#outputHeader = [...kept, ...values.map((item): HeaderField => [name, item])];
  }

  /**
   * Replaces the whole response header.
   * @throws HeaderSentError after the header was sent; InvalidHeaderError on a bad field.
   */
  setOutputHeaderFields(fields: Iterable<HeaderField>): void {
    this.#assertHeaderNotSent('replace the header');
    const checked = [...fields];
    for (const [name, value] of checked) checkHeaderField(name, value);
    this.#outputHeader = checked;
  }

  /** Sets the CGI `Status` field, e.g. `404 Not Found`. @throws HeaderSentError, RangeError */
  setStatus(status: number): void {
    this.setOutputHeader('Status', statusLine(status));
  }

  /** Whether the response header went out; from then on it cannot change. */
  get headerSent(): boolean {
    return this.#headerSent;
  }

  /** Sends the response header now, if it has not gone out yet. @throws RequestAbortedError */
  sendOutputHeader(): void {
    if (this.#headerSent) return;
    this.#headerSent = true;
    this.#output.writeHead(responseHead(this.#outputHeader));
  }

  /** Logs a line to the web server's error log (stderr for CGI, FCGI_STDERR for FastCGI). */
  logError(message: string): void {
    this.#logError(message);
  }

  #assertHeaderNotSent(what: string): void {
    // The request is named: an app that sets a header long after its request ended (in a stray
    // .then()) raises this where no request is in sight, and the log must say which one it was.
    if (this.#headerSent) throw new HeaderSentError(`${what} of ${this.requestMethod} ${this.scriptName}${this.pathInfo}`);
  }
}

function parseCookies(header: string): Cookie[] {
  // `cookie`'s parse keeps the first of duplicate names; RFC 6265 §5.4 keeps them all, in order.
  const cookies: Cookie[] = [];
  for (const pair of header.split(';')) {
    const parsed = cookieLibrary().parse(pair);
    for (const [name, value] of Object.entries(parsed)) {
      // RFC 6265 §4.1.1 allows a value in double quotes; like Go and Netcgi, the quotes are not the value.
      if (value !== undefined) cookies.push({ name, value: /^".*"$/s.test(value) ? value.slice(1, -1) : value });
    }
  }
  return cookies;
}
