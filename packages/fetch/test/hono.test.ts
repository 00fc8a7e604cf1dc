// A real Hono app through fromFetch: on the HTTP connector, on FastCGI behind nginx, as CGI under
// lighttpd, and in memory on the test connector.
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRequest } from '@netcgi/connector-test';
import { fromFetch, fetchOptions } from '@netcgi/fetch';
import { Daemon, freePort, scratchDirectory, waitForListener } from '../../../test-support/processes.js';
import { lighttpd, lighttpdConfig, nginx, nginxConfig, startWebServer, type WebServer } from '../../../test-support/web-servers.js';
import { describeHonoApp } from './helpers/hono-cases.js';

const HONO_APP = fileURLToPath(new URL('./fixtures/hono-app.mjs', import.meta.url));
const HONO_CGI = fileURLToPath(new URL('./fixtures/hono-cgi.mjs', import.meta.url));
const HTTP_CLI = fileURLToPath(new URL('../../connector-http/dist/cli.js', import.meta.url));
const FCGI_CLI = fileURLToPath(new URL('../../connector-fcgi/dist/cli.js', import.meta.url));

describe('on connector-http', () => {
  let app: Daemon;
  let port = 0;
  beforeAll(async () => {
    port = await freePort();
    app = new Daemon(process.execPath, [HTTP_CLI, HONO_APP, '--listen', `127.0.0.1:${port}`]);
    await waitForListener(port, app);
  });
  afterAll(async () => { await app?.stop(); });
  describeHonoApp('Hono through fromFetch on connector-http', { base: () => `http://127.0.0.1:${port}`, pid: () => app.child.pid! });
});

describe('on connector-fcgi behind nginx', () => {
  let directory: ReturnType<typeof scratchDirectory>;
  let app: Daemon;
  let web: WebServer;
  let port = 0;
  beforeAll(async () => {
    directory = scratchDirectory('netcgi-hono-nginx');
    const appPort = await freePort();
    port = await freePort();
    app = new Daemon(process.execPath, [FCGI_CLI, HONO_APP, '--listen', `127.0.0.1:${appPort}`]);
    await waitForListener(appPort, app);
    web = await startWebServer(nginx, directory.path, port, nginxConfig(directory.path, `
  upstream hono { server 127.0.0.1:${appPort}; keepalive 8; }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 200m;
    location / {
      include /etc/nginx/fastcgi_params;
      fastcgi_keep_conn on;
      fastcgi_request_buffering off;
      fastcgi_buffering off;
      fastcgi_pass hono;
    }
  }`));
  });
  afterAll(async () => {
    await web?.stop();
    await app?.stop();
    directory?.remove();
  });
  describeHonoApp('Hono through fromFetch on FastCGI behind nginx', { base: () => `http://127.0.0.1:${port}`, pid: () => app.child.pid! });
});

describe('as CGI under lighttpd', () => {
  let directory: ReturnType<typeof scratchDirectory>;
  let web: WebServer;
  let port = 0;
  beforeAll(async () => {
    directory = scratchDirectory('netcgi-hono-cgi');
    port = await freePort();
    mkdirSync(join(directory.path, 'cgi-bin'));
    const script = join(directory.path, 'cgi-bin/hono.cgi');
    writeFileSync(script, `#!/bin/sh\nexec ${process.execPath} ${HONO_CGI} "$@"\n`);
    chmodSync(script, 0o755);
    web = await startWebServer(lighttpd, directory.path, port, lighttpdConfig(directory.path, port, `
server.modules = ( "mod_alias", "mod_cgi" )
alias.url = ( "/cgi-bin/" => "${directory.path}/cgi-bin/" )
$HTTP["url"] =~ "^/cgi-bin/" { cgi.assign = ( ".cgi" => "" ) }
server.max-request-size = 204800
server.stream-request-body = 2
server.stream-response-body = 2
`));
  });
  afterAll(async () => {
    await web?.stop();
    directory?.remove();
  });
  describeHonoApp('Hono through fromFetch as CGI under lighttpd', {
    base: () => `http://127.0.0.1:${port}/cgi-bin/hono.cgi`,
    skip: {
      "an aborted request reaches the handler's request.signal": 'lighttpd 1.4 leaves a CGI program running when its client goes away (seen: still running 2 s after curl gave up), so nothing tells the program; the signals a web server ends a CGI program with do reach request.signal (packages/connector-cgi/test/process.test.ts)',
    },
  });
});

describe('in memory on connector-test', () => {
  it('routes, JSON, forms, cookies and the connector context, through testRequest', async () => {
    const { honoApp } = await import('./fixtures/hono-app.mjs');
    const app = fromFetch(honoApp('/').fetch);
    const hello = await testRequest(app, { ...fetchOptions, url: '/hello/Ada' });
    expect([hello.status, hello.text()]).toEqual([200, 'Hello, Ada!']);
    const json = await testRequest(app, { ...fetchOptions, method: 'POST', url: '/json', body: '{"x":1}', headers: { 'content-type': 'application/json' } });
    expect([json.status, json.json()]).toEqual([201, { method: 'POST', received: { x: 1 } }]);
    const form = await testRequest(app, { ...fetchOptions, url: '/form', form: { a: '1' }, files: { f: { content: 'abc', filename: 'f.txt' } } });
    expect(form.json()).toMatchObject({ a: '1', f: { name: 'f.txt', size: 3 } });
    const cookies = await testRequest(app, { ...fetchOptions, url: '/cookies' });
    expect(cookies.headers.getSetCookie()).toEqual(['first=one; Path=/', 'second=two; HttpOnly']);
    expect((await testRequest(app, { ...fetchOptions, url: '/connector' })).text()).toBe('CGI/1.1 no role');
  });

  it('a form parsed before the handler ran is a clear 500 that names fetchOptions', async () => {
    const app = fromFetch(async (request) => new Response(await request.text()));
    const response = await testRequest(app, { form: { a: '1' } });
    expect(response.status).toBe(500);
    expect(response.text()).toContain('fetchOptions');
  });

  it('a handler that throws, or returns no Response, is a 500 with a log line', async () => {
    const throwing = await testRequest(fromFetch(() => { throw new Error('handler bug'); }), fetchOptions);
    expect(throwing.status).toBe(500);
    expect(throwing.log.join('\n')).toContain('handler bug');
    const wrong = await testRequest(fromFetch((() => 'text') as unknown as Parameters<typeof fromFetch>[0]), fetchOptions);
    expect(wrong.status).toBe(500);
    expect(wrong.log.join('\n')).toContain('returned string, not a Response');
  });
});
