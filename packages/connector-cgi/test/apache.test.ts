// Real Apache httpd running the app as a CGI program (mod_cgid, the event MPM's CGI module), with
// Basic authentication in front of a second mount to show AUTH_TYPE and REMOTE_USER.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '@netcgi/connector-test/conformance/vitest';
import { httpConformanceDriver } from '../../../test-support/http-driver.js';
import { curl, Daemon, freePort, requireCommand, scratchDirectory, waitForListener } from '../../../test-support/processes.js';
import { describeCgiThroughCurl, installCgiScript } from './helpers/cgi-script.js';

const MODULES = '/usr/lib/apache2/modules';

function httpdConfig(directory: string, port: number): string {
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
LoadModule authz_user_module  ${MODULES}/mod_authz_user.so
LoadModule authn_core_module  ${MODULES}/mod_authn_core.so
LoadModule authn_file_module  ${MODULES}/mod_authn_file.so
LoadModule auth_basic_module  ${MODULES}/mod_auth_basic.so
LoadModule mime_module        ${MODULES}/mod_mime.so
LoadModule alias_module       ${MODULES}/mod_alias.so
LoadModule cgid_module        ${MODULES}/mod_cgid.so

TypesConfig /etc/mime.types
DocumentRoot "${directory}/www"
ScriptSock "${directory}/cgid.sock"
<Directory />
    Require all granted
</Directory>

ScriptAlias "/cgi-bin/" "${directory}/cgi-bin/"
ScriptAlias "/private/" "${directory}/cgi-bin/"
<Location "/private/">
    AuthType Basic
    AuthName "netcgi"
    AuthUserFile "${directory}/htpasswd"
    Require valid-user
</Location>
`;
}

let directory: ReturnType<typeof scratchDirectory>;
let httpd: Daemon;
let port: number;

beforeAll(async () => {
  const binary = requireCommand('apache2', 'apache2');
  const htpasswd = requireCommand('htpasswd', 'apache2-utils');
  directory = scratchDirectory('netcgi-cgi-apache');
  port = await freePort();
  installCgiScript(directory.path);
  spawnSync(htpasswd, ['-bc', `${directory.path}/htpasswd`, 'ada', 'secret']);
  const config = directory.file('httpd.conf', httpdConfig(directory.path, port));
  const check = spawnSync(binary, ['-t', '-f', config], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(check.stderr + check.stdout);
  httpd = new Daemon(binary, ['-f', config, '-DFOREGROUND']);
  await waitForListener(port, httpd);
});

afterAll(async () => {
  await httpd?.stop();
  directory?.remove();
});

const scriptUrl = (): string => `http://127.0.0.1:${port}/cgi-bin/app.cgi`;

describeConformance('conformance through Apache mod_cgid', httpConformanceDriver(scriptUrl));
describeCgiThroughCurl('Apache mod_cgid', scriptUrl, () => directory.path);

describe('Apache mod_cgid and a chunked upload', () => {
  it('reads the body to the end of stdin when the server sends no CONTENT_LENGTH', () => {
    const file = directory.file('chunked.bin', 'x'.repeat(300_000));
    const response = curl(['-H', 'Transfer-Encoding: chunked', '-H', 'Content-Type: application/octet-stream', '--data-binary', `@${file}`, `${scriptUrl()}/upload`]);
    expect(JSON.parse(response.body.toString()).size).toBe(300_000);
  });
});

describe('Apache authentication in front of the CGI', () => {
  it('passes AUTH_TYPE and REMOTE_USER', () => {
    const response = curl(['-u', 'ada:secret', `http://127.0.0.1:${port}/private/app.cgi/meta`]);
    expect(JSON.parse(response.body.toString())).toMatchObject({ authType: 'Basic', remoteUser: 'ada' });
  });

  it('never runs the app without credentials', () => {
    expect(curl([`http://127.0.0.1:${port}/private/app.cgi/meta`]).status).toBe(401);
  });
});
