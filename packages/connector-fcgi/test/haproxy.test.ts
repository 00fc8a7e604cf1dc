// Real HAProxy configured by examples/deploy/haproxy/fcgi-app.cfg, the one mainstream web server that multiplexes FastCGI requests on a connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '@netcgi/connector-test/conformance/vitest';
import { httpConformanceDriver } from '../../../test-support/http-driver.js';
import { startAppProcess } from './helpers/app-process.js';
import { establishedConnections, freePort, scratchDirectory, type Daemon } from '../../../test-support/processes.js';
import { recipe } from '../../../test-support/recipes.js';
import { haproxy, startWebServer, type WebServer } from '../../../test-support/web-servers.js';

/**
 * The recipe with one thread: one thread holds one back-end connection, so multiplexing shows as
 * exactly one (HAProxy merges a second global section into the first).
 */
function haproxyConfig(port: number, appPort: number): string {
  return `global\n    nbthread 1\n${recipe('haproxy/fcgi-app.cfg', { LISTEN: `127.0.0.1:${port}`, APP: `127.0.0.1:${appPort}` })}`;
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
  server = await startWebServer(haproxy, directory.path, port, haproxyConfig(port, appPort));
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
