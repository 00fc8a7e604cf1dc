// A node:http request's CGI variables, with X-Forwarded-* taken only from a trusted proxy.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { httpRequestVariables, type CgiVariableMap } from '@netcgi/core/connector';

/**
 * The variables a web server would set (core's `httpRequestVariables`: properties and headers,
 * no `HTTP_*` round trip). With `trustProxy`, the proxy's `X-Forwarded-For` (its last address),
 * `-Proto` and `-Host` replace what the socket says; without, they are ordinary request headers:
 * a client could forge them.
 */
export function requestVariables(request: IncomingMessage, settings: { readonly scriptName: string; readonly trustProxy: boolean }): CgiVariableMap {
  const socket = request.socket;
  const headers: [string, string][] = [];
  const raw = request.rawHeaders;
  for (let index = 0; index < raw.length; index += 2) headers.push([raw[index]!, raw[index + 1]!]);
  const variables = httpRequestVariables({
    method: request.method ?? 'GET',
    target: request.url ?? '/',
    headers,
    protocol: `HTTP/${request.httpVersion}`,
    https: (socket as TLSSocket).encrypted === true,
    ...(socket.remoteAddress === undefined ? {} : { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort! }),
    ...(socket.localAddress === undefined ? {} : { localAddress: socket.localAddress, localPort: socket.localPort! }),
    scriptName: settings.scriptName,
    serverSoftware: 'netcgi-http',
  });
  if (settings.trustProxy) applyForwarded(variables.properties, request);
  return variables;
}

function applyForwarded(properties: Map<string, string>, request: IncomingMessage): void {
  const forwardedFor = lastValue(request.headers['x-forwarded-for']);
  if (forwardedFor !== undefined) {
    properties.set('REMOTE_ADDR', forwardedFor);
    properties.delete('REMOTE_PORT');
  }
  const proto = lastValue(request.headers['x-forwarded-proto'])?.toLowerCase();
  if (proto === 'https') properties.set('HTTPS', 'on');
  else if (proto === 'http') properties.delete('HTTPS');
  const host = lastValue(request.headers['x-forwarded-host']);
  if (host !== undefined) {
    const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host);
    if (match !== null && match[1] !== '') {
      properties.set('SERVER_NAME', match[1]!);
      properties.set('SERVER_PORT', match[2] ?? (properties.get('HTTPS') === 'on' ? '443' : '80'));
    }
  }
}

/** The last of a comma-separated header's values: the one the nearest (trusted) proxy added. */
function lastValue(header: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(header) ? header.join(',') : header;
  if (joined === undefined) return undefined;
  const last = joined.split(',').at(-1)!.trim();
  return last === '' ? undefined : last;
}
