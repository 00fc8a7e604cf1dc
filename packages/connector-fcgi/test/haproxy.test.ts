// Real HAProxy, the one mainstream web server that multiplexes FastCGI requests on a connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '@netcgi/connector-test/conformance/vitest';
import { httpConformanceDriver } from '../../../test-support/http-driver.js';
import { startAppProcess } from './helpers/app-process.js';
import { establishedConnections, freePort, scratchDirectory, type Daemon } from '../../../test-support/processes.js';
import { haproxy, startWebServer, type WebServer } from '../../../test-support/web-servers.js';

/** nbthread 1: one thread holds one back-end connection, so multiplexing shows as exactly one. */
function haproxyConfig(directory: string, port: number, appPort: number): string {
  return `
global
    nbthread 1
    # HAProxy 2.6 fails a burst of new streams on one connection with an internal error (500,
    # termination state IH) once their BEGIN_REQUEST and PARAMS records overflow the connection's
    # output buffer: 16 KiB holds ~34 requests. Bigger buffers let a burst of 50 through.
    tune.bufsize 65536
    pidfile ${directory}/haproxy.pid

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

fcgi-app netcgi
    docroot /srv
    path-info ^(/app)(/.*)$
    option keep-conn
    option mpxs-conns
    option max-reqs 100
    option get-values

frontend web
    bind 127.0.0.1:${port}
    default_backend app

backend app
    http-reuse always
    use-fcgi-app netcgi
    server app1 127.0.0.1:${appPort} proto fcgi
`;
}

let directory: ReturnType<typeof scratchDirectory>;
let server: WebServer;
let app: Daemon;
let port: number;
let appPort: number;

beforeAll(async () => {
  directory = scratchDirectory('netcgi-haproxy');
  [port, appPort] = [await freePort(), await freePort()];
  app = await startAppProcess(appPort);
  server = await startWebServer(haproxy, directory.path, port, haproxyConfig(directory.path, port, appPort));
});

afterAll(async () => {
  await server?.stop();
  await app?.stop();
  directory?.remove();
});

describeConformance('conformance through HAProxy (fcgi-app, multiplexing)', httpConformanceDriver(() => `http://127.0.0.1:${port}/app`));

describe('HAProxy under concurrent load', () => {
  it('multiplexes 50 concurrent requests over one connection, all answered, run at once', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, async () => {
      const response = await fetch(`http://127.0.0.1:${port}/app/concurrent?ms=400`);
      return { status: response.status, body: (await response.json()) as { maxRunning: number } };
    }));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    // Many requests ran in the app at the same time...
    expect(Math.max(...responses.map((response) => response.body.maxRunning))).toBeGreaterThan(10);
    // ...over the single connection HAProxy keeps (kept open for the next requests).
    expect(establishedConnections(appPort)).toBe(1);
  });
});
