// The header fields of cgi.setHeader() and cgi.setRedirectionHeader(), built in Netcgi's order.
import type { SerializeOptions } from 'cookie';
import { cookieLibrary } from '../lazy.js';
import { statusLine, type HeaderField } from './header-fields.js';

/** A cookie to set (RFC 6265 §4.1); the attributes are those of the `cookie` package. */
export interface SetCookie extends SerializeOptions {
  readonly name: string;
  readonly value: string;
}

/** Caching of the response: `no-cache`, or cacheable for `maxAge` seconds. */
export type CacheControl = 'no-cache' | { readonly maxAge: number };

/** Extra header fields: one value, or several fields of the same name. */
export type HeaderFieldValues = Readonly<Record<string, string | number | readonly string[]>>;

/** Options of `cgi.setHeader()`. */
export interface HeaderOptions {
  /** Status code, sent as the CGI `Status` field; default: none (the web server answers 200). */
  status?: number;
  /** Default `text/html`. */
  contentType?: string;
  contentLength?: number;
  cookies?: readonly SetCookie[];
  cache?: CacheControl;
  /** Offers the body as a download with this file name (`Content-Disposition: attachment`). */
  filename?: string;
  /** `Content-Language`. */
  language?: string;
  /** More fields; each replaces any field of the same name set by the options above. */
  fields?: HeaderFieldValues;
}

/** Options of `cgi.setRedirectionHeader()`. */
export interface RedirectionOptions {
  /** 301, 302 (default), 303, 307 or 308. */
  status?: 301 | 302 | 303 | 307 | 308;
  cookies?: readonly SetCookie[];
  fields?: HeaderFieldValues;
  /**
   * RFC 3875 §6.2.2, a local redirect: the web server answers the request with the resource at
   * `location` (an absolute path) instead, and the client never sees a redirection. The header is
   * then `Location` alone: no status, cookies or other fields. CGI servers (Apache, lighttpd) do it.
   */
  local?: boolean;
}

/** The fields of `setHeader(options)`, at time `now` (for `Expires`). @throws TypeError on a bad cookie */
export function headerFields(options: HeaderOptions, now = Date.now()): HeaderField[] {
  const fields: HeaderField[] = [['Content-Type', options.contentType ?? 'text/html']];
  if (options.contentLength !== undefined) fields.push(['Content-Length', String(options.contentLength)]);
  if (options.status !== undefined) fields.push(['Status', statusLine(options.status)]);
  if (options.cache !== undefined) fields.push(...cacheFields(options.cache, now));
  if (options.filename !== undefined && options.filename !== '') {
    fields.push(['Content-Disposition', contentDisposition(options.filename)]);
  }
  if (options.language !== undefined && options.language !== '') fields.push(['Content-Language', options.language]);
  fields.push(...cookieFields(options.cookies));
  return withFields(fields, options.fields);
}

/** The fields of `setRedirectionHeader(location, options)`: no Content-Type, as Netcgi. */
export function redirectionFields(location: string, options: RedirectionOptions = {}): HeaderField[] {
  if (options.local === true) {
    if (!location.startsWith('/')) throw new TypeError(`a local redirect goes to an absolute path, not ${JSON.stringify(location)}`);
    if (options.status !== undefined || options.cookies !== undefined || options.fields !== undefined) {
      throw new TypeError('a local redirect sends Location alone: no status, cookies or fields (RFC 3875 §6.2.2)');
    }
    return [['Location', location]];
  }
  const fields = withFields(cookieFields(options.cookies), options.fields);
  return withFields(fields, { Location: location, Status: statusLine(options.status ?? 302) });
}

function cacheFields(cache: CacheControl, now: number): HeaderField[] {
  if (cache === 'no-cache') {
    return [['Cache-Control', 'no-cache'], ['Pragma', 'no-cache'], ['Expires', new Date(now - 1000).toUTCString()]];
  }
  const seconds = Math.max(0, Math.floor(cache.maxAge));
  return [['Cache-Control', `max-age=${seconds}, must-revalidate`], ['Expires', new Date(now + seconds * 1000).toUTCString()]];
}

/** RFC 6266: an ASCII `filename` for old clients, and `filename*` in UTF-8 when it is not ASCII. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '\\$&');
  if (/^[\x20-\x7e]*$/.test(filename)) return `attachment; filename="${ascii}"`;
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function cookieFields(cookies: readonly SetCookie[] = []): HeaderField[] {
  return cookies.map(({ name, value, ...attributes }): HeaderField => ['Set-Cookie', cookieLibrary().serialize(name, value, attributes)]);
}

function withFields(fields: HeaderField[], extra: HeaderFieldValues | undefined): HeaderField[] {
  if (extra === undefined) return fields;
  const replaced = new Set(Object.keys(extra).map((name) => name.toLowerCase()));
  return [...fields.filter(([name]) => !replaced.has(name.toLowerCase())), ...fieldsOf(extra)];
}

/** `{ Name: value | values }` as header fields, one per value. */
export function fieldsOf(values: HeaderFieldValues): HeaderField[] {
  return Object.entries(values).flatMap(([name, value]) =>
    (typeof value === 'object' ? value : [String(value)]).map((item): HeaderField => [name, item]));
}
