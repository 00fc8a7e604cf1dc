// Reconstructing the request's own URL from CGI properties, as Netcgi's cgi#url.
import type { Argument } from './arguments/argument.js';
import type { Environment } from './environment.js';

/** Options of `cgi.url()`. Each part is taken from the request (`true`), left out (`false`), or given. */
export interface UrlOptions {
  /** `http` or `https`; default: `https` when the request came over TLS. */
  protocol?: 'http' | 'https';
  /** `scheme://host[:port]` from SERVER_NAME (else the `Host` header's host) and SERVER_PORT (default true), or this string verbatim. */
  withAuthority?: boolean | string;
  /** SCRIPT_NAME (default true), or this already-encoded string. */
  withScriptName?: boolean | string;
  /** PATH_INFO, percent-encoded (default true), or this already-encoded string. */
  withPathInfo?: boolean | string;
  /** The request's memory arguments (true), these arguments, or none (default false). */
  withQueryString?: boolean | readonly Argument[];
}

/** What `buildUrl` needs of the request. */
export interface UrlSource {
  readonly environment: Environment;
  readonly arguments: readonly Argument[];
}

/** Builds the URL; see {@link UrlOptions}. @throws ArgumentOversizedError for an oversized argument in the query. */
export function buildUrl(source: UrlSource, options: UrlOptions = {}): string {
  const env = source.environment;
  const authority = part(options.withAuthority, () => authorityOf(env, options.protocol ?? (env.https ? 'https' : 'http')));
  const scriptName = part(options.withScriptName, () => encodePath(env.scriptName));
  let pathInfo = part(options.withPathInfo, () => encodePath(env.pathInfo));
  if (pathInfo !== '' && !pathInfo.startsWith('/') && !(authority + scriptName).endsWith('/')) pathInfo = `/${pathInfo}`;
  const query = queryOf(options.withQueryString ?? false, source.arguments);
  return authority + scriptName + pathInfo + query;
}

function part(option: boolean | string | undefined, fromRequest: () => string): string {
  if (typeof option === 'string') return option;
  return option === false ? '' : fromRequest();
}

/**
 * `scheme://host[:port]`. The host is SERVER_NAME, or, when the web server sent none (nginx with no
 * `server_name`), the host of the request's `Host` header: a client could send any, so the port
 * is always SERVER_PORT and the scheme the request's, never taken from `Host`.
 */
function authorityOf(env: Environment, protocol: 'http' | 'https'): string {
  const defaultPort = protocol === 'https' ? 443 : 80;
  const port = env.serverPort;
  let host = env.serverName || hostOfHeader(env.inputHeader('host') ?? '');
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  return `${protocol}://${host}${port === undefined || port === defaultPort ? '' : `:${port}`}`;
}

/** The host of a `Host` header without its port (`[::1]:80` → `[::1]`); `''` when malformed. */
function hostOfHeader(header: string): string {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.exec(header.trim());
  return match === null ? '' : match[1]!;
}

/** Percent-encodes what may not stand in a path (PATH_INFO is decoded once by the web server). */
function encodePath(path: string): string {
  // encodeURIComponent also escapes : @ $ & + , ; = which RFC 3986 §3.3 allows in a segment.
  return path.split('/').map((segment) => encodeURIComponent(segment)).join('/')
    .replace(/%(3A|40|24|26|2B|2C|3B|3D)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function queryOf(option: boolean | readonly Argument[], current: readonly Argument[]): string {
  if (option === false) return '';
  const argumentList = option === true ? current : option;
  const pairs = argumentList
    .filter((argument) => argument.store === 'memory')
    .map((argument) => `${encodeQueryComponent(argument.name)}=${encodeQueryComponent(argument.value)}`);
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

/** application/x-www-form-urlencoded serialization (WHATWG URL §5.2): space as `+`. */
function encodeQueryComponent(text: string): string {
  return new URLSearchParams([['', text]]).toString().slice(1);
}

