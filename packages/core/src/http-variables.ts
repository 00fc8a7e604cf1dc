// An HTTP request turned into CGI meta-variables the way a web server does it (RFC 3875 §4.1),
// for connectors that take HTTP themselves (node:http, the Fetch API) and for in-memory requests.
import { CgiVariableMap } from './properties.js';

/** What a connector knows of an HTTP request before its body. */
export interface HttpRequestInfo {
  readonly method: string;
  /** The request target in origin form: path and query, e.g. `/app/item?id=1`. */
  readonly target: string;
  /** Header fields as received, names in any case; a name may repeat. */
  readonly headers: Iterable<readonly [string, string]>;
  /** Default `HTTP/1.1`. */
  readonly protocol?: string;
  /** The connection is TLS: `HTTPS=on`, and 443 is the default port. */
  readonly https?: boolean;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  /**
   * Where the request came in. `localPort` is `SERVER_PORT` (as nginx's `$server_port`: a
   * client's `Host` never picks the port); `localAddress` is `SERVER_NAME` when there is no `Host`.
   */
  readonly localAddress?: string;
  readonly localPort?: number;
  /** The prefix the app is mounted at (`SCRIPT_NAME`); the rest of the path is `PATH_INFO`. Default `''`. */
  readonly scriptName?: string;
  /** `SERVER_SOFTWARE`. */
  readonly serverSoftware?: string;
}

/**
 * The CGI variables of `request`, as Go's net/http/cgi host and nginx set them: `PATH_INFO` is the
 * path after `scriptName`, percent-decoded once (a malformed escape stays as it is);
 * `SERVER_NAME` is the host of `Host`, else the local address; `SERVER_PORT` the local port, else
 * the port of `Host`, else 80 or 443; every header
 * becomes `HTTP_*` (repeats joined by `, `, cookies by `; `) but `Proxy` (httpoxy), and
 * `Content-Type` and `Content-Length` become `CONTENT_TYPE` and `CONTENT_LENGTH`.
 */
export function cgiVariablesOfHttpRequest(request: HttpRequestInfo): Map<string, string> {
  const { properties, headers } = httpRequestVariables(request);
  const variables = new Map(properties);
  for (const [name, value] of headers) {
    if (name !== 'content-type' && name !== 'content-length') variables.set(`HTTP_${name.toUpperCase().replaceAll('-', '_')}`, value);
  }
  return variables;
}

/**
 * The same as {@link cgiVariablesOfHttpRequest}, already split as the pipeline takes them
 * (`CgiVariables`): the properties, and the header fields by lower-case name (repeats joined as
 * there). A connector that reads HTTP itself passes this to `processRequest`, so that no header
 * becomes an `HTTP_*` name to be split back again.
 */
export function httpRequestVariables(request: HttpRequestInfo): CgiVariableMap {
  const https = request.https === true;
  const queryStart = request.target.indexOf('?');
  const path = queryStart === -1 ? request.target : request.target.slice(0, queryStart);
  const scriptName = request.scriptName ?? '';
  const decodedPath = percentDecode(path);
  const properties = new Map<string, string>([
    ['GATEWAY_INTERFACE', 'CGI/1.1'],
    ['SERVER_SOFTWARE', request.serverSoftware ?? 'netcgi'],
    ['SERVER_PROTOCOL', request.protocol ?? 'HTTP/1.1'],
    ['REQUEST_METHOD', request.method],
    ['REQUEST_URI', request.target],
    ['SCRIPT_NAME', scriptName],
    ['PATH_INFO', decodedPath.startsWith(scriptName) ? decodedPath.slice(scriptName.length) : decodedPath],
    ['QUERY_STRING', queryStart === -1 ? '' : request.target.slice(queryStart + 1)],
  ]);
  if (request.remoteAddress !== undefined) properties.set('REMOTE_ADDR', request.remoteAddress);
  if (request.remotePort !== undefined) properties.set('REMOTE_PORT', String(request.remotePort));
  if (https) properties.set('HTTPS', 'on');
  const headers = joinedHeaders(request.headers);
  for (const header of headers) {
    if (header[0] === 'content-type') properties.set('CONTENT_TYPE', header[1]);
    else if (header[0] === 'content-length') properties.set('CONTENT_LENGTH', header[1]);
  }
  const { host, port } = splitHost(headers.find(([name]) => name === 'host')?.[1] ?? '');
  properties.set('SERVER_NAME', host || request.localAddress || '');
  properties.set('SERVER_PORT', request.localPort === undefined ? port || (https ? '443' : '80') : String(request.localPort));
  return new CgiVariableMap(properties, headers);
}

/**
 * Header fields by lower-case name, in the order of their first appearance, repeats joined by
 * `, ` (cookies by `; `, RFC 6265 §5.4), as a web server joins them into one CGI variable; without
 * `Proxy` (httpoxy: as HTTP_PROXY it would be taken as the app's outgoing proxy).
 */
function joinedHeaders(fields: Iterable<readonly [string, string]>): [string, string][] {
  const headers: [string, string][] = [];
  let seen: Map<string, [string, string]> | undefined;
  for (const [rawName, value] of fields) {
    const name = lowerCaseName(rawName);
    if (name === 'proxy') continue;
    const earlier = seen?.get(name) ?? (seen === undefined ? headers.find((header) => header[0] === name) : undefined);
    if (earlier !== undefined) {
      earlier[1] = `${earlier[1]}${name === 'cookie' ? '; ' : ', '}${value}`;
      continue;
    }
    const header: [string, string] = [name, value];
    headers.push(header);
    // A linear search is cheapest for the dozen fields of most requests; a map past that.
    if (seen === undefined && headers.length > 16) seen = new Map(headers.map((entry) => [entry[0], entry]));
    else seen?.set(name, header);
  }
  return headers;
}

// Clients send the same few dozen names with every request: lower-case each once. Bounded, since
// the names are the client's to choose.
const lowerCaseNames = new Map<string, string>();
const MAX_CACHED_NAMES = 512;

function lowerCaseName(name: string): string {
  let lower = lowerCaseNames.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (lowerCaseNames.size < MAX_CACHED_NAMES) lowerCaseNames.set(name, lower);
  }
  return lower;
}

/** `example.com:8080` → host and port; `[::1]:80` keeps its brackets. No port gives `''`. */
function splitHost(hostHeader: string): { host: string; port: string } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(hostHeader.trim());
  if (match === null) return { host: '', port: '' };
  return { host: match[1]!, port: match[2] ?? '' };
}

/** Decodes `%XX` escapes as UTF-8; a `%` not followed by two hex digits stays as it is. */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    // Decode the well-formed runs only: `/%zz/%C3%A9` → `/%zz/é`.
    return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}
