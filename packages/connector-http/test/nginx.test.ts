// netcgi-http behind real nginx, configured by examples/deploy/nginx/http-proxy.conf as it is.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '@netcgi/connector-test/conformance/vitest';
import { httpConformanceDriver } from '../../../test-support/http-driver.js';
import { Daemon, freePort, scratchDirectory, waitForListener } from '../../../test-support/processes.js';
import { nginx, nginxConfig, startWebServer, type WebServer } from '../../../test-support/web-servers.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const appModule = fileURLToPath(new URL('./fixtures/proxied-app.mjs', import.meta.url));
const recipe = fileURLToPath(new URL('../../../examples/deploy/nginx/http-proxy.conf', import.meta.url));

/** The recipe with its placeholders filled, inside the little a test's nginx needs of its own. */
function recipeConfig(directory: string, port: number, appPort: number): string {
  return nginxConfig(directory, readFileSync(recipe, 'utf8').replaceAll('{{LISTEN}}', `127.0.0.1:${port}`).replaceAll('{{APP}}', `127.0.0.1:${appPort}`));
}

let directory: ReturnType<typeof scratchDirectory>;
let web: WebServer;
let app: Daemon;
let port = 0;

beforeAll(async () => {
  directory = scratchDirectory('netcgi-http-nginx');
  const appPort = await freePort();
  port = await freePort();
  app = new Daemon(process.execPath, [cli, appModule, '--listen', `127.0.0.1:${appPort}`, '--trust-proxy']);
  await waitForListener(appPort, app);
  web = await startWebServer(nginx, directory.path, port, recipeConfig(directory.path, port, appPort));
});

afterAll(async () => {
  await web?.stop();
  await app?.stop();
  directory?.remove();
});

describeConformance('conformance through nginx proxy_pass to connector-http', httpConformanceDriver(() => `http://127.0.0.1:${port}`));

describe('behind the recipe\'s nginx, with --trust-proxy', () => {
  it('the app sees the client, the host and the port the client used, and builds its URL from them', async () => {
    const seen = await (await fetch(`http://127.0.0.1:${port}/request`, { headers: { 'X-Forwarded-For': '203.0.113.66' } })).json();
    // nginx overwrites X-Forwarded-For with the address it saw: a client cannot forge it.
    expect(seen).toEqual({ url: `http://127.0.0.1:${port}/request`, remoteAddr: '127.0.0.1', https: false, serverName: '127.0.0.1', serverPort: String(port) });
  });
});
