// An HTTP request turned into CGI meta-variables the way a web server does it (RFC 3875 §4.1),
// for connectors that take HTTP themselves (node:http, the Fetch API) and for in-memory requests.

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
  const https = request.https === true;
  const queryStart = request.target.indexOf('?');
  const path = queryStart === -1 ? request.target : request.target.slice(0, queryStart);
  const scriptName = request.scriptName ?? '';
  const decodedPath = percentDecode(path);
  const variables = new Map<string, string>([
    ['GATEWAY_INTERFACE', 'CGI/1.1'],
    ['SERVER_SOFTWARE', request.serverSoftware ?? 'netcgi'],
    ['SERVER_PROTOCOL', request.protocol ?? 'HTTP/1.1'],
    ['REQUEST_METHOD', request.method],
    ['REQUEST_URI', request.target],
    ['SCRIPT_NAME', scriptName],
    ['PATH_INFO', decodedPath.startsWith(scriptName) ? decodedPath.slice(scriptName.length) : decodedPath],
    ['QUERY_STRING', queryStart === -1 ? '' : request.target.slice(queryStart + 1)],
  ]);
  if (request.remoteAddress !== undefined) variables.set('REMOTE_ADDR', request.remoteAddress);
  if (request.remotePort !== undefined) variables.set('REMOTE_PORT', String(request.remotePort));
  if (https) variables.set('HTTPS', 'on');
  for (const [name, value] of request.headers) addHeader(variables, name, value);
  const { host, port } = splitHost(variables.get('HTTP_HOST') ?? '');
  variables.set('SERVER_NAME', host || request.localAddress || '');
  variables.set('SERVER_PORT', request.localPort === undefined ? port || (https ? '443' : '80') : String(request.localPort));
  return variables;
}

function addHeader(variables: Map<string, string>, name: string, value: string): void {
  const upper = name.toUpperCase().replaceAll('-', '_');
  // httpoxy: a client's `Proxy:` header as HTTP_PROXY would be taken as the app's outgoing proxy.
  if (upper === 'PROXY') return;
  const variable = upper === 'CONTENT_TYPE' || upper === 'CONTENT_LENGTH' ? upper : `HTTP_${upper}`;
  const earlier = variables.get(variable);
  variables.set(variable, earlier === undefined ? value : `${earlier}${upper === 'COOKIE' ? '; ' : ', '}${value}`);
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
