// The app every connector's conformance run mounts: one route per behaviour, dispatched on PATH_INFO.
import { createHash } from 'node:crypto';
import { HttpError, type Argument, type ArgStore, type Cgi, type RunOptions } from '@netcgi/core';

/** Bodies under `/stream` are read live by the app; every other argument goes where the default puts it. */
const streamUnderStream: ArgStore = (env) => (env.pathInfo.startsWith('/stream') ? 'stream' : 'automatic');

/**
 * The options a connector runs {@link conformanceApp} with: the default config (every standard
 * method, any body type), and `argStore` answering `stream` under `/stream`.
 */
export const conformanceOptions: RunOptions = { argStore: streamUnderStream };

/** A response header value longer than the 4 KiB some servers buffer by default. */
export const LONG_RESPONSE_HEADER = 'v'.repeat(3000);

const routes: Record<string, (cgi: Cgi) => void | Promise<void>> = {
  '/hello': (cgi) => {
    cgi.setHeader({ contentType: 'text/plain; charset=utf-8' });
    cgi.out.write('Hello, world\n');
  },
  '/arguments': async (cgi) => json(cgi, await Promise.all(cgi.arguments.map(describeArgument))),
  '/body': async (cgi) => json(cgi, cgi.body === undefined ? null : await describeArgument(cgi.body)),
  '/headers': (cgi) => {
    const long = cgi.environment.inputHeader('x-long') ?? '';
    cgi.setHeader({ contentType: 'application/json', fields: { 'X-Long': LONG_RESPONSE_HEADER, 'X-Multi': ['one', 'two'] } });
    cgi.out.write(JSON.stringify({ longLength: long.length, longSha256: sha256(Buffer.from(long)), userAgent: cgi.environment.userAgent }));
  },
  '/cookies': (cgi) => {
    cgi.setHeader({
      contentType: 'application/json',
      cookies: [{ name: 'first', value: 'one', path: '/' }, { name: 'second', value: 'two words', httpOnly: true }],
    });
    cgi.out.write(JSON.stringify(cgi.environment.cookies));
  },
  '/environment': (cgi) => json(cgi, {
    method: cgi.method,
    scriptName: cgi.environment.scriptName,
    pathInfo: cgi.environment.pathInfo,
    queryString: cgi.environment.queryString,
  }),
  '/throw': () => {
    throw new Error('a secret <b>detail</b> of the failure');
  },
  '/http-error': () => {
    throw new HttpError(404, 'no <such> thing');
  },
  '/redirect': (cgi) => cgi.setRedirectionHeader('http://example.com/next?from=redirect'),
  '/json': async (cgi) => json(cgi, {
    method: cgi.method,
    query: Object.fromEntries(cgi.arguments.map((argument) => [argument.name, argument.value])),
    contentType: cgi.body?.contentType ?? null,
    received: cgi.body === undefined ? null : await cgi.body.json(),
  }),
  '/stream': async (cgi) => {
    if (cgi.body !== undefined) return json(cgi, { store: cgi.body.store, ...(await digest(cgi.body.open())) });
    const parts: Record<string, unknown>[] = [];
    for (const argument of cgi.arguments) parts.push({ name: argument.name, store: argument.store, value: argument.value });
    for await (const part of cgi.parts()) {
      parts.push({ name: part.name, store: part.store, ...(part.filename === undefined ? { value: part.value } : { filename: part.filename, ...(await digest(part.open())) }) });
    }
    json(cgi, parts);
  },
};

async function digest(stream: AsyncIterable<unknown>): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

/** Routes on the first PATH_INFO segment; `/environment/anything` reports the CGI properties. */
export async function conformanceApp(cgi: Cgi): Promise<void> {
  const route = /^\/[^/]*/.exec(cgi.environment.pathInfo)?.[0] ?? '/';
  const handler = routes[route];
  if (handler === undefined) throw new HttpError(404, `no conformance route ${route}`);
  await handler(cgi);
}

function json(cgi: Cgi, value: unknown): void {
  cgi.setHeader({ contentType: 'application/json' });
  cgi.out.write(JSON.stringify(value));
}

async function describeArgument(argument: Argument): Promise<Record<string, unknown>> {
  const bytes = await argument.bytes();
  return {
    name: argument.name,
    ...(argument.filename === undefined ? { value: bytes.toString('utf8') } : { filename: argument.filename }),
    contentType: argument.contentType,
    size: argument.size,
    sha256: sha256(bytes),
  };
}

/** The hex SHA-256 of `bytes`. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
