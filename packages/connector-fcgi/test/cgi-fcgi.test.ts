// libfcgi's cgi-fcgi as the FastCGI client: it turns its environment into PARAMS and stdin into STDIN.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCgiResponse } from '@netcgi/connector-test';
import { startAppProcess } from './helpers/app-process.js';
import { freePort, requireCommand, scratchDirectory, type Daemon } from '../../../test-support/processes.js';

let directory: ReturnType<typeof scratchDirectory>;
let tcpApp: Daemon;
let unixApp: Daemon;
let appPort: number;
let socket: string;
let cgiFcgi: string;

beforeAll(async () => {
  cgiFcgi = requireCommand('cgi-fcgi', 'libfcgi-bin');
  directory = scratchDirectory('netcgi-cgi-fcgi');
  appPort = await freePort();
  socket = join(directory.path, 'app.sock');
  [tcpApp, unixApp] = await Promise.all([startAppProcess(appPort), startAppProcess(socket)]);
});

afterAll(async () => {
  await Promise.all([tcpApp?.stop(), unixApp?.stop()]);
  directory?.remove();
});

/** Runs cgi-fcgi with exactly these variables (env -i: no shell environment leaks into PARAMS). */
function cgiFcgiRequest(address: string, variables: Record<string, string>, stdin = '') {
  const env = { SERVER_PROTOCOL: 'HTTP/1.1', SERVER_NAME: 'localhost', SERVER_PORT: '80', SCRIPT_NAME: '/app', ...variables };
  const result = spawnSync('env', ['-i', ...Object.entries(env).map(([name, value]) => `${name}=${value}`), cgiFcgi, '-bind', '-connect', address], { input: stdin });
  expect(result.status, result.stderr.toString()).toBe(0);
  return parseCgiResponse(result.stdout);
}

describe.each(['tcp', 'unix'])('cgi-fcgi over %s', (transport) => {
  const address = (): string => (transport === 'tcp' ? `127.0.0.1:${appPort}` : socket);

  it('GET with a query string', () => {
    const response = cgiFcgiRequest(address(), { REQUEST_METHOD: 'GET', PATH_INFO: '/arguments', QUERY_STRING: 'a=1&b=2' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString()).map((argument: { value: string }) => argument.value)).toEqual(['1', '2']);
  });

  it('POST with the body on stdin', () => {
    const body = 'name=cgi-fcgi&n=3';
    const response = cgiFcgiRequest(address(), {
      REQUEST_METHOD: 'POST', PATH_INFO: '/arguments', CONTENT_TYPE: 'application/x-www-form-urlencoded', CONTENT_LENGTH: String(body.length),
    }, body);
    expect(JSON.parse(response.body.toString()).map((argument: { value: string }) => argument.value)).toEqual(['cgi-fcgi', '3']);
  });

  it('an error page with its status', () => {
    const response = cgiFcgiRequest(address(), { REQUEST_METHOD: 'GET', PATH_INFO: '/http-error' });
    expect(response.status).toBe(404);
    expect(response.body.toString()).toContain('no &lt;such&gt; thing');
  });
});
