// Real Apache httpd configured by examples/deploy/apache/proxy-fcgi.conf: mod_proxy_fcgi (with connection reuse) to the app as a Responder, and
// mod_authnz_fcgi calling it as an Authorizer in front of static files.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '@netcgi/connector-test/conformance/vitest';
import { httpConformanceDriver } from '../../../test-support/http-driver.js';
import { startAppProcess } from './helpers/app-process.js';
import { curl, freePort, scratchDirectory, type Daemon } from '../../../test-support/processes.js';
import { recipe } from '../../../test-support/recipes.js';
import { apache, apacheConfig, startWebServer, type WebServer } from '../../../test-support/web-servers.js';

let directory: ReturnType<typeof scratchDirectory>;
let httpd: WebServer;
let app: Daemon;
let port: number;

beforeAll(async () => {
  directory = scratchDirectory('netcgi-apache');
  let appPort: number;
  [port, appPort] = [await freePort(), await freePort()];
  app = await startAppProcess(appPort);
  mkdirSync(join(directory.path, 'htdocs/protected'), { recursive: true });
  directory.file('htdocs/protected/secret.txt', 'secret-file\n');
  const modules = ['proxy', 'proxy_fcgi', 'authnz_fcgi'];
  httpd = await startWebServer(apache, directory.path, port, apacheConfig(directory.path, port, modules, recipe('apache/proxy-fcgi.conf', { APP: `127.0.0.1:${appPort}`, DOCROOT: `${directory.path}/htdocs` })));
});

afterAll(async () => {
  await httpd?.stop();
  await app?.stop();
  directory?.remove();
});

describeConformance('conformance through Apache mod_proxy_fcgi', httpConformanceDriver(() => `http://127.0.0.1:${port}/app`));

describe('Apache mod_proxy_fcgi with curl', () => {
  it('GET with PATH_INFO split from SCRIPT_NAME', () => {
    const response = curl([`http://127.0.0.1:${port}/app/whoami/extra`]);
    expect(JSON.parse(response.body.toString())).toMatchObject({ role: 'responder', scriptName: '/app', pathInfo: '/whoami/extra' });
  });

  it('multipart POST with a file', () => {
    const file = directory.file('upload.txt', 'uploaded through apache\n');
    const response = curl(['-F', `data=@${file}`, `http://127.0.0.1:${port}/app/arguments`]);
    expect(JSON.parse(response.body.toString())[0]).toMatchObject({ name: 'data', filename: 'upload.txt', size: 24 });
  });
});

describe('the app as mod_authnz_fcgi\'s Authorizer', () => {
  it('a 200 lets Apache serve the file', () => {
    const response = curl(['-H', 'X-Token: good', `http://127.0.0.1:${port}/protected/secret.txt`]);
    expect([response.status, response.body.toString()]).toEqual([200, 'secret-file\n']);
  });

  it('a 403 goes to the client with the authorizer\'s header fields', () => {
    const response = curl(['-H', 'X-Token: bad', `http://127.0.0.1:${port}/protected/secret.txt`]);
    expect(response.status).toBe(403);
    expect(response.headers).toMatch(/X-Auth-Denied: yes/i);
    // Apache 2.4.71 answers with its own error document, not the authorizer's body (lighttpd relays it).
    expect(response.body.toString()).not.toContain('secret-file');
  });
});
