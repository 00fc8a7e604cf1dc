// Real lighttpd configured by examples/deploy/lighttpd/fastcgi.conf, spawning the app itself (bin-path: the listening socket on fd 0), as a Responder
// and as an Authorizer in front of static files and a CGI.
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '@netcgi/connector-test/conformance/vitest';
import { installWrapper } from './helpers/app-process.js';
import { httpConformanceDriver } from '../../../test-support/http-driver.js';
import { curl, freePort, scratchDirectory } from '../../../test-support/processes.js';
import { recipe } from '../../../test-support/recipes.js';
import { lighttpd, lighttpdConfig, lighttpdConformanceSkips, startWebServer, type WebServer } from '../../../test-support/web-servers.js';

let directory: ReturnType<typeof scratchDirectory>;
let server: WebServer;
let port: number;

beforeAll(async () => {
  directory = scratchDirectory('netcgi-lighttpd');
  port = await freePort();
  mkdirSync(join(directory.path, 'www/protected'), { recursive: true });
  directory.file('www/protected/secret.txt', 'secret-file\n');
  // A CGI behind the authorizer shows what the authorizer's Variable- field became.
  const cgi = directory.file('www/protected/env.cgi', '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nAUTH_USER_ID=%s\\n" "$AUTH_USER_ID"\n');
  chmodSync(cgi, 0o755);
  server = await startWebServer(lighttpd, directory.path, port, lighttpdConfig(directory.path, port, recipe('lighttpd/fastcgi.conf', {
    WRAPPER: installWrapper(join(directory.path, 'app.fcgi')), SOCKET_DIR: directory.path, DOCROOT: `${directory.path}/www`,
  })));
});

afterAll(async () => {
  await server?.stop();
  directory?.remove();
});

describeConformance('conformance through lighttpd (bin-path, fd 0)', httpConformanceDriver(() => `http://127.0.0.1:${port}/app`), { skip: lighttpdConformanceSkips });

describe('lighttpd spawning the app', () => {
  it('runs the app it spawned on fd 0, as a Responder, with SCRIPT_NAME and PATH_INFO split', () => {
    const response = curl([`http://127.0.0.1:${port}/app/whoami/extra`]);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toMatchObject({ role: 'responder', scriptName: '/app', pathInfo: '/whoami/extra' });
  });

  it('answers urlencoded and multipart POSTs', () => {
    const urlencoded = curl(['--data', 'x=1&y=2', `http://127.0.0.1:${port}/app/arguments`]);
    expect(JSON.parse(urlencoded.body.toString()).map((argument: { value: string }) => argument.value)).toEqual(['1', '2']);
    const multipart = curl(['-F', 'field=value', `http://127.0.0.1:${port}/app/arguments`]);
    expect(JSON.parse(multipart.body.toString())[0]).toMatchObject({ name: 'field', value: 'value' });
  });
});

describe('the app as lighttpd\'s Authorizer', () => {
  it('a 200 lets lighttpd serve the static file', () => {
    const response = curl(['-H', 'X-Token: good', `http://127.0.0.1:${port}/protected/secret.txt`]);
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('secret-file\n');
  });

  it('the Variable-AUTH_USER_ID field reaches the next handler\'s environment', () => {
    const response = curl(['-H', 'X-Token: good', `http://127.0.0.1:${port}/protected/env.cgi`]);
    expect(response.body.toString()).toBe('AUTH_USER_ID=42\n');
  });

  it('any other status goes to the client with the authorizer\'s header and body', () => {
    const response = curl(['-H', 'X-Token: bad', `http://127.0.0.1:${port}/protected/secret.txt`]);
    expect(response.status).toBe(403);
    expect(response.headers).toMatch(/X-Auth-Denied: yes/i);
    expect(response.body.toString()).toBe('denied by the netcgi authorizer\n');
  });
});
