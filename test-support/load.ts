// A bounded load for the supervisor tests: clients that each send one request after another on a
// connection of its own (Connection: close), counting what fails.
import { request } from 'node:http';

export interface LoadResult {
  readonly ok: number;
  /** One line per failed request: the status, or the error. */
  readonly failures: string[];
  /** The bodies seen, with their counts. */
  readonly bodies: Map<string, number>;
}

/** GET `http://127.0.0.1:port<path>` on a fresh connection; resolves to status and body. */
export function getOnce(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent: false, headers: { Connection: 'close' } }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => resolve({ status: response.statusCode ?? 0, body })).on('error', reject);
    }).on('error', reject).end();
  });
}

/**
 * `clients` clients, each sending requests (from `send`) one after another until `until()` is
 * true. A request fails when `send` rejects or resolves to a status other than 200.
 */
export async function runLoad(clients: number, until: () => boolean, send: () => Promise<{ status: number; body: string }>): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, failures: [], bodies: new Map() };
  await Promise.all(Array.from({ length: clients }, async () => {
    while (!until()) {
      try {
        const { status, body } = await send();
        if (status !== 200) result.failures.push(`status ${status}: ${body.slice(0, 200)}`);
        else {
          (result as { ok: number }).ok++;
          result.bodies.set(body, (result.bodies.get(body) ?? 0) + 1);
        }
      } catch (error) {
        result.failures.push((error as Error).message);
      }
    }
  }));
  return result;
}
