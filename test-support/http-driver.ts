// The conformance suite through a real web server: each case as an HTTP request on node:http
// (fetch refuses a body on GET, which a case sends).
import { request as httpRequest } from 'node:http';
import type { ConformanceDriver } from '@netcgi/connector-test/conformance';

/** A driver sending each case to `baseUrl` + its path; redirects are returned, not followed. */
export function httpConformanceDriver(baseUrl: () => string): ConformanceDriver {
  return (conformanceRequest) => new Promise((resolve, reject) => {
    const url = new URL(`${baseUrl()}${conformanceRequest.path}`);
    // Headers as a list keep repeated names apart; node:http then adds no Host of its own. A user
    // agent sends one Cookie header (RFC 6265 §5.4), its pairs joined by "; ", as fetch does.
    const cookies = conformanceRequest.headers.filter(([name]) => name.toLowerCase() === 'cookie').map(([, value]) => value);
    const headers = ['Host', url.host, ...conformanceRequest.headers.filter(([name]) => name.toLowerCase() !== 'cookie').flatMap(([name, value]) => [name, value])];
    if (cookies.length > 0) headers.push('Cookie', cookies.join('; '));
    const { body } = conformanceRequest;
    if (body !== undefined) headers.push('Content-Length', String(body.length));
    const outgoing = httpRequest(url, { method: conformanceRequest.method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const received = new Headers();
        for (let index = 0; index < response.rawHeaders.length; index += 2) received.append(response.rawHeaders[index]!, response.rawHeaders[index + 1]!);
        resolve({ status: response.statusCode ?? 0, headers: received, body: Buffer.concat(chunks) });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
