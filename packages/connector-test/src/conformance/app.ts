// The app every connector's conformance run mounts: one route per behaviour, dispatched on PATH_INFO.
import { createHash } from 'node:crypto';
import { HttpError, type Argument, type Cgi, type RunOptions } from '@netcgi/core';

/** The options a connector runs {@link conformanceApp} with: PUT and any body type allowed. */
export const conformanceOptions: RunOptions = {
  config: { permittedHttpMethods: ['GET', 'HEAD', 'POST', 'PUT'], permittedInputContentTypes: [] },
};

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
};

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
