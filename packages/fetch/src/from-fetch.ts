// fromFetch: a Fetch-API handler ((request) => Response) as a netcgi app, on any connector.
import { Readable } from 'node:stream';
import { HttpError, type Cgi, type RunOptions } from '@netcgi/core';
import type { App } from '@netcgi/core/connector';
import { lazyRequest } from './lazy-request.js';

/** What a fetch handler gets besides its `Request`: the connector's powers. */
export interface FetchContext<C extends Cgi = Cgi> {
  /**
   * The request's Cgi: `cgi.environment` for CGI properties, and a connector's own (FastCGI:
   * `role`, a Filter's `data`). An Authorizer answers through its Response: status 200 with
   * `Variable-NAME` headers lets the web server go on.
   */
  readonly cgi: C;
}

/** A Fetch-API handler: Hono's `app.fetch`, itty-router's, or a plain function. */
export type FetchHandler<C extends Cgi = Cgi> = (request: Request, context: FetchContext<C>) => Response | Promise<Response>;

/**
 * The options a connector runs a {@link fromFetch} app with: every body reaches the handler
 * raw (forms included; the handler parses its own) and live, never stored first.
 * `runFcgi(fromFetch(app.fetch), fetchOptions)`; merge your own over it.
 */
export const fetchOptions: RunOptions = Object.freeze({
  config: Object.freeze({ parseForms: false }),
  argStore: () => 'stream' as const,
});

const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD']);

/**
 * `handler` as a netcgi app. The `Request` has the URL the client used (scheme from `HTTPS`, host
 * from `SERVER_NAME` or `Host`, the path and query as sent), the method and headers, `cgi.signal`
 * as its signal, and the live request body as a stream. The `Response`'s status, headers (every
 * `Set-Cookie` apart) and body go out as they come, with the web server's backpressure.
 * @throws (to the connector, which answers 500 and logs it) when the handler throws or returns
 *   something that is not a Response; an HttpError 500 naming `fetchOptions` when a form reached
 *   the app already parsed.
 */
export function fromFetch<C extends Cgi = Cgi>(handler: FetchHandler<C>): App<C> {
  return async (cgi) => {
    const response = await handler(requestOf(cgi), { cgi });
    if (!(response instanceof Response)) {
      throw new TypeError(`the fetch handler returned ${describe(response)}, not a Response`);
    }
    await sendResponse(cgi, response);
  };
}

/** The `Request` of a netcgi request, made real only when more than its URL, method and headers is read. */
export function requestOf(cgi: Cgi): Request {
  const env = cgi.environment;
  let body: ReadableStream<Uint8Array> | undefined;
  if (!METHODS_WITHOUT_BODY.has(cgi.method)) {
    if (cgi.body !== undefined) {
      body = Readable.toWeb(cgi.body.open()) as ReadableStream<Uint8Array>;
    } else if ((env.inputContentLength ?? 0) > 0) {
      // The body was parsed into arguments or discarded: the handler would see an empty one.
      throw new HttpError(500, 'the request body was taken before the fetch handler ran: run a fromFetch app with fetchOptions');
    }
  }
  return lazyRequest({
    method: cgi.method,
    url: () => urlOf(cgi),
    headers: () => {
      const headers = new Headers();
      for (const [name, value] of env.inputHeaders) headers.append(name, value);
      return headers;
    },
    make: (url, headers) => new Request(url, { method: cgi.method, headers, signal: cgi.signal, ...(body === undefined ? {} : { body, duplex: 'half' }) } as RequestInit),
  });
}

/** The URL the client asked for: REQUEST_URI as sent when the web server gives it, else rebuilt. */
function urlOf(cgi: Cgi): string {
  const env = cgi.environment;
  const origin = cgi.url({ withScriptName: false, withPathInfo: false });
  const requestUri = env.property('REQUEST_URI');
  if (requestUri !== undefined && requestUri.startsWith('/')) return origin + requestUri;
  const query = env.queryString === '' ? '' : `?${env.queryString}`;
  return cgi.url({ withQueryString: false }) + query;
}

async function sendResponse(cgi: Cgi, response: Response): Promise<void> {
  const fields: [string, string][] = [['Status', `${response.status} ${response.statusText || ''}`.trim()]];
  for (const [name, value] of response.headers) if (name !== 'set-cookie') fields.push([name, value]);
  for (const cookie of response.headers.getSetCookie()) fields.push(['Set-Cookie', cookie]);
  cgi.environment.setOutputHeaderFields(fields);
  const body = response.body;
  if (body === null || cgi.method === 'HEAD') {
    await body?.cancel();
    return;
  }
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      await cgi.out.send(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ?? 'an object';
}
