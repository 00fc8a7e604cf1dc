// The authorizer as lighttpd's and Apache's FastCGI Authorizer in front of static files (the deploy
// recipes, run as they are), and as a Responder on every connector.
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnEveryConnector } from '../../test-support/every-connector.js';
import { Daemon, freePort, productionEnvironment, scratchDirectory, waitForListener } from '../../test-support/processes.js';
import { recipe } from '../../test-support/recipes.js';
import { installWrapper } from '../../packages/connector-fcgi/test/helpers/app-process.js';
import { apache, apacheConfig, lighttpd, lighttpdConfig, startWebServer, type WebServer } from '../../test-support/web-servers.js';

const appModule = fileURLToPath(new URL('./dist/app.js', import.meta.url));
const netcgiFcgi = fileURLToPath(new URL('../../packages/connector-fcgi/dist/cli.js', import.meta.url));
const bearer = (token: string): RequestInit => ({ headers: { Authorization: `Bearer ${token}` } });

describeOnEveryConnector('the authorizer as a Responder', appModule, (served) => {
  it('names the user of a known token, and answers 401 to anything else', async () => {
    const allowed = await served().fetch('/', bearer('open-sesame'));
    expect([allowed.status, await allowed.text()]).toEqual([200, 'authorized as ali\n']);
    for (const init of [bearer('wrong'), {}]) {
      const denied = await served().fetch('/', init);
      expect([denied.status, denied.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="netcgi"']);
    }
  });
}, { env: () => ({ AUTHORIZER_TOKENS: 'open-sesame=ali' }) });

/** A document root with a static file and a CGI program under /protected/. */
function documentRoot(directory: ReturnType<typeof scratchDirectory>, root: string): void {
  mkdirSync(join(directory.path, root, 'protected'), { recursive: true });
  directory.file(`${root}/protected/secret.txt`, 'the secret file\n');
  const cgi = directory.file(`${root}/protected/whoami.cgi`, '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nAUTH_USER_ID=%s\\n" "$AUTH_USER_ID"\n');
  chmodSync(cgi, 0o755);
}

describe('lighttpd with the authorizer (examples/deploy/lighttpd/fastcgi.conf)', () => {
  let directory: ReturnType<typeof scratchDirectory>;
  let server: WebServer;
  let port = 0;
  beforeAll(async () => {
    directory = scratchDirectory('netcgi-authorizer-lighttpd');
    documentRoot(directory, 'www');
    const wrapper = installWrapper(join(directory.path, 'app.fcgi'), appModule);
    port = await freePort();
    const site = recipe('lighttpd/fastcgi.conf', { WRAPPER: wrapper, SOCKET_DIR: directory.path, DOCROOT: `${directory.path}/www` });
    server = await startWebServer(lighttpd, directory.path, port, lighttpdConfig(directory.path, port, site));
  });
  afterAll(async () => {
    await server?.stop();
    directory?.remove();
  });

  it('lets lighttpd serve the file to a known token, and names the user to the next handler', async () => {
    const file = await fetch(`http://127.0.0.1:${port}/protected/secret.txt`, bearer('let-me-in'));
    expect([file.status, await file.text()]).toEqual([200, 'the secret file\n']);
    const program = await fetch(`http://127.0.0.1:${port}/protected/whoami.cgi`, bearer('let-me-in'));
    expect(await program.text()).toBe('AUTH_USER_ID=ada\n');
  });

  it('its 401 goes to the client, body and all, and the file does not', async () => {
    const denied = await fetch(`http://127.0.0.1:${port}/protected/secret.txt`, bearer('guess'));
    expect([denied.status, denied.headers.get('www-authenticate'), await denied.text()]).toEqual([401, 'Bearer realm="netcgi"', 'this token opens nothing\n']);
  });
});

describe('Apache httpd with the authorizer (examples/deploy/apache/proxy-fcgi.conf)', () => {
  let directory: ReturnType<typeof scratchDirectory>;
  let app: Daemon;
  let server: WebServer;
  let port = 0;
  beforeAll(async () => {
    directory = scratchDirectory('netcgi-authorizer-apache');
    documentRoot(directory, 'htdocs');
    const appPort = await freePort();
    app = new Daemon(process.execPath, [netcgiFcgi, appModule, '--listen', String(appPort)], { env: productionEnvironment() });
    await waitForListener(appPort, app);
    port = await freePort();
    const site = recipe('apache/proxy-fcgi.conf', { APP: `127.0.0.1:${appPort}`, DOCROOT: `${directory.path}/htdocs` });
    server = await startWebServer(apache, directory.path, port, apacheConfig(directory.path, port, ['proxy', 'proxy_fcgi', 'authnz_fcgi'], site));
  });
  afterAll(async () => {
    await server?.stop();
    await app?.stop();
    directory?.remove();
  });

  it('lets Apache serve the file to a known token', async () => {
    const file = await fetch(`http://127.0.0.1:${port}/protected/secret.txt`, bearer('let-me-in'));
    expect([file.status, await file.text()]).toEqual([200, 'the secret file\n']);
  });

  it('its 401 and WWW-Authenticate reach the client, the file does not', async () => {
    const denied = await fetch(`http://127.0.0.1:${port}/protected/secret.txt`);
    expect([denied.status, denied.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="netcgi"']);
    expect(await denied.text()).not.toContain('the secret file');
  });
});
