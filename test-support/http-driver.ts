// The conformance suite through a real web server: each case as an HTTP request with fetch.
import type { ConformanceDriver } from '@netcgi/connector-test/conformance';

/** A driver sending each case to `baseUrl` + its path; redirects are returned, not followed. */
export function httpConformanceDriver(baseUrl: () => string): ConformanceDriver {
  return async (request) => {
    const response = await fetch(`${baseUrl()}${request.path}`, {
      method: request.method,
      headers: request.headers.map(([name, value]) => [name, value]),
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: 'manual',
    });
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
  };
}
