// CGI meta-variables (RFC 3875 §4.1) split into properties and request headers, as every connector needs.

/** A request's CGI properties and its request header fields, names of the latter in lower case. */
export interface CgiVariables {
  /** One CGI property (never an `HTTP_*` variable: those are headers), or undefined. */
  property(name: string): string | undefined;
  /** Every property, in the order they came. */
  readonly properties: ReadonlyMap<string, string>;
  /** The request header fields, lower-case names, in the order they came. */
  readonly headers: readonly (readonly [string, string])[];
}

/**
 * Splits CGI meta-variables into properties and request headers: `HTTP_ACCEPT_LANGUAGE` becomes
 * header `accept-language`; `CONTENT_TYPE` and `CONTENT_LENGTH` become headers and stay properties.
 * A `SERVER_NAME` of the form `host:port` is split (RFC 3875 §4.1.14 allows no port there, yet some
 * servers send one); `SERVER_PORT` keeps its value when it is already a number.
 */
export function splitCgiVariables(variables: Iterable<readonly [string, string]>): CgiVariableList {
  const list: string[] = [];
  for (const [name, value] of variables) list.push(name, value);
  return new CgiVariableList(list);
}

/**
 * CGI meta-variables kept as they came, a flat list `[name, value, name, value, …]`, and split only
 * as far as they are read (the rules of {@link splitCgiVariables}): a request reads a handful of
 * its twenty-odd properties, each found by a scan, and the map of them all and the header fields
 * are made on first use. A FastCGI connector decodes its params straight into such a list.
 */
export class CgiVariableList implements CgiVariables {
  readonly #list: readonly string[];
  #properties: Map<string, string> | undefined;
  #headers: (readonly [string, string])[] | undefined;

  /** `list`: names and values alternating; a later repeat of a name wins. */
  constructor(list: readonly string[]) {
    this.#list = list;
  }

  property(name: string): string | undefined {
    // A SERVER_NAME of the form host:port decides these two: then they come from the map, split.
    if ((name === 'SERVER_NAME' || name === 'SERVER_PORT') && this.#find('SERVER_NAME')?.includes(':') === true) {
      return this.properties.get(name);
    }
    return name.startsWith('HTTP_') ? undefined : this.#find(name);
  }

  /** The value of the last variable of that name, as it came. */
  #find(name: string): string | undefined {
    const list = this.#list;
    for (let index = list.length - 2; index >= 0; index -= 2) {
      if (list[index] === name) return list[index + 1];
    }
    return undefined;
  }

  get properties(): ReadonlyMap<string, string> {
    if (this.#properties === undefined) {
      const properties = new Map<string, string>();
      const list = this.#list;
      for (let index = 0; index < list.length; index += 2) {
        if (!list[index]!.startsWith('HTTP_')) properties.set(list[index]!, list[index + 1]!);
      }
      splitServerName(properties);
      this.#properties = properties;
    }
    return this.#properties;
  }

  get headers(): readonly (readonly [string, string])[] {
    if (this.#headers === undefined) {
      const headers: (readonly [string, string])[] = [];
      const list = this.#list;
      for (let index = 0; index < list.length; index += 2) {
        const name = list[index]!;
        if (name.startsWith('HTTP_')) headers.push([headerName(name), list[index + 1]!]);
        else if (name === 'CONTENT_TYPE') headers.push(['content-type', list[index + 1]!]);
        else if (name === 'CONTENT_LENGTH') headers.push(['content-length', list[index + 1]!]);
      }
      this.#headers = headers;
    }
    return this.#headers;
  }
}

/** CGI variables already split, properties in a map a connector may still change (`X-Forwarded-*`). */
export class CgiVariableMap implements CgiVariables {
  constructor(readonly properties: Map<string, string>, readonly headers: readonly (readonly [string, string])[]) {}

  property(name: string): string | undefined {
    return this.properties.get(name);
  }
}

/** Whether `variables` is already split, rather than name-value pairs. */
export function isCgiVariables(variables: Iterable<readonly [string, string]> | CgiVariables): variables is CgiVariables {
  return typeof (variables as Partial<CgiVariables>).property === 'function';
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
