// Real Apache httpd: mod_proxy_fcgi (with connection reuse) to the app as a Responder, and
// mod_authnz_fcgi calling it as an Authorizer in front of static files.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '@netcgi/connector-test/conformance/vitest';
import { httpConformanceDriver } from '../../../test-support/http-driver.js';
import { startAppProcess } from './helpers/app-process.js';
import { curl, Daemon, freePort, requireCommand, scratchDirectory, waitForListener } from '../../../test-support/processes.js';

const MODULES = '/usr/lib/apache2/modules';

function httpdConfig(directory: string, port: number, appPort: number): string {
  return `
ServerRoot "${directory}"
ServerName localhost
# Started as root, Apache's children would run as an unknown uid without these.
User www-data
Group www-data
PidFile "${directory}/httpd.pid"
Listen 127.0.0.1:${port}
ErrorLog "${directory}/error.log"
LogLevel warn
DefaultRuntimeDir "${directory}"
Mutex file:${directory} default

LoadModule mpm_event_module   ${MODULES}/mod_mpm_event.so
LoadModule authz_core_module  ${MODULES}/mod_authz_core.so
LoadModule authn_core_module  ${MODULES}/mod_authn_core.so
LoadModule mime_module        ${MODULES}/mod_mime.so
LoadModule proxy_module       ${MODULES}/mod_proxy.so
LoadModule proxy_fcgi_module  ${MODULES}/mod_proxy_fcgi.so
LoadModule authnz_fcgi_module ${MODULES}/mod_authnz_fcgi.so

TypesConfig /etc/mime.types
DocumentRoot "${directory}/htdocs"
<Directory />
    Require all granted
</Directory>

# The app mounted at /app; mod_proxy_fcgi sends no PATH_INFO, so split it off SCRIPT_NAME.
ProxyPass "/app/" "fcgi://127.0.0.1:${appPort}/" enablereuse=on
<Location "/app/">
    ProxyFCGISetEnvIf "reqenv('SCRIPT_NAME') =~ m#^(/app)(/.*)$#" PATH_INFO "$2"
    ProxyFCGISetEnvIf "reqenv('SCRIPT_NAME') =~ m#^(/app)(/.*)$#" SCRIPT_NAME "$1"
</Location>

# The same app as the Authorizer of /protected/.
AuthnzFcgiDefineProvider authnz netcgi fcgi://127.0.0.1:${appPort}/
<Location "/protected/">
    AuthType netcgi
    AuthName "netcgi"
    AuthnzFcgiCheckAuthnProvider netcgi Authoritative On RequireBasicAuth Off UserExpr "%{reqenv:AUTH_USER_ID}"
    Require netcgi
</Location>
`;
}

let directory: ReturnType<typeof scratchDirectory>;
let httpd: Daemon;
let app: Daemon;
let port: number;

beforeAll(async () => {
  const binary = requireCommand('apache2', 'apache2');
  directory = scratchDirectory('netcgi-apache');
  let appPort: number;
  [port, appPort] = [await freePort(), await freePort()];
  app = await startAppProcess(appPort);
  mkdirSync(join(directory.path, 'htdocs/protected'), { recursive: true });
  directory.file('htdocs/protected/secret.txt', 'secret-file\n');
  const config = directory.file('httpd.conf', httpdConfig(directory.path, port, appPort));
  const check = spawnSync(binary, ['-t', '-f', config], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(check.stderr + check.stdout);
  httpd = new Daemon(binary, ['-f', config, '-DFOREGROUND']);
  await waitForListener(port, httpd);
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
