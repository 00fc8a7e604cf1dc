// CGI meta-variables (RFC 3875 §4.1) split into properties and request headers, as every connector needs.

/** A request's CGI properties and its request header fields, names of the latter in lower case. */
export interface CgiVariables {
  readonly properties: ReadonlyMap<string, string>;
  readonly headers: readonly (readonly [string, string])[];
}

/**
 * Splits CGI meta-variables into properties and request headers: `HTTP_ACCEPT_LANGUAGE` becomes
 * header `accept-language`; `CONTENT_TYPE` and `CONTENT_LENGTH` become headers and stay properties.
 * A `SERVER_NAME` of the form `host:port` is split (RFC 3875 §4.1.14 allows no port there, yet some
 * servers send one); `SERVER_PORT` keeps its value when it is already a number.
 */
export function splitCgiVariables(variables: Iterable<readonly [string, string]>): CgiVariables {
  const properties = new Map<string, string>();
  const headers: [string, string][] = [];
  for (const [name, value] of variables) {
    if (name.startsWith('HTTP_')) {
      headers.push([headerName(name), value]);
      continue;
    }
    properties.set(name, value);
    if (name === 'CONTENT_TYPE') headers.push(['content-type', value]);
    else if (name === 'CONTENT_LENGTH') headers.push(['content-length', value]);
  }
  splitServerName(properties);
  return { properties, headers };
}

// The same few dozen header names come with every request: convert each once. Bounded, since
// the names are the client's to choose.
const headerNames = new Map<string, string>();
const MAX_CACHED_HEADER_NAMES = 512;

/** `HTTP_ACCEPT_LANGUAGE` → `accept-language`. */
function headerName(variable: string): string {
  let name = headerNames.get(variable);
  if (name === undefined) {
    name = variable.slice(5).toLowerCase().replaceAll('_', '-');
    if (headerNames.size < MAX_CACHED_HEADER_NAMES) headerNames.set(variable, name);
  }
  return name;
}

function splitServerName(properties: Map<string, string>): void {
  const serverName = properties.get('SERVER_NAME');
  if (serverName === undefined || !serverName.includes(':')) return;
  const match = /^(\[[^\]]*\]|[^:[\]]*):(\d+)$/.exec(serverName);
  if (match === null) return;
  properties.set('SERVER_NAME', match[1]!);
  if (!/^\d+$/.test(properties.get('SERVER_PORT') ?? '')) properties.set('SERVER_PORT', match[2]!);
}
