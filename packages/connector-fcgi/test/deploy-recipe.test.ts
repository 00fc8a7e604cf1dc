// examples/deploy/nginx/fastcgi.conf as it is, in front of netcgi-fcgi over TCP and a unix socket.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '@netcgi/connector-test/conformance/vitest';
import { httpConformanceDriver } from '../../../test-support/http-driver.js';
import { freePort, scratchDirectory, type Daemon } from '../../../test-support/processes.js';
import { nginx, nginxConfig, startWebServer, type WebServer } from '../../../test-support/web-servers.js';
import { startAppProcess } from './helpers/app-process.js';

const recipe = fileURLToPath(new URL('../../../examples/deploy/nginx/fastcgi.conf', import.meta.url));

for (const transport of ['tcp', 'unix'] as const) {
  describe(`the nginx recipe over ${transport}`, () => {
    let directory: ReturnType<typeof scratchDirectory>;
    let app: Daemon;
    let web: WebServer;
    let port = 0;
    beforeAll(async () => {
      directory = scratchDirectory(`netcgi-recipe-${transport}`);
      port = await freePort();
      const socket = join(directory.path, 'fcgi.sock');
      const appPort = await freePort();
      // nginx's workers run as nobody when it is started as root: the socket must be theirs too.
      app = transport === 'tcp' ? await startAppProcess(appPort) : await startAppProcess(socket, ['--socket-mode', '666']);
      const appAddress = transport === 'tcp' ? `127.0.0.1:${appPort}` : `unix:${socket}`;
      const server = readFileSync(recipe, 'utf8')
        .replaceAll('{{LISTEN}}', `127.0.0.1:${port}`)
        .replaceAll('{{NAME}}', 'www.example.org')
        .replaceAll('{{APP}}', appAddress);
      web = await startWebServer(nginx, directory.path, port, nginxConfig(directory.path, server));
    });
    afterAll(async () => {
      await web?.stop();
      await app?.stop();
      directory?.remove();
    });

    describeConformance(`conformance through the nginx recipe (${transport})`, httpConformanceDriver(() => `http://127.0.0.1:${port}/app`));

    it("server_name is SERVER_NAME: cgi.url() builds the site's URL, whatever Host the client sent", async () => {
      const { request } = await import('node:http');
      const body = await new Promise<string>((resolve, reject) => {
        request({ port, path: '/app/url/x?q=1', headers: { Host: 'forged.example' } }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => { text += chunk.toString(); }).on('end', () => resolve(text));
        }).on('error', reject).end();
      });
      expect(JSON.parse(body)).toEqual({ url: `http://www.example.org:${port}/app/url/x?q=1` });
    });
  });
}
