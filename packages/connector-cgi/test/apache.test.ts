// Real Apache httpd configured by examples/deploy/apache/cgid.conf, running the app as a CGI program (mod_cgid, the event MPM's CGI module), with
// Basic authentication in front of a second mount to show AUTH_TYPE and REMOTE_USER.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '@netcgi/connector-test/conformance/vitest';
import { httpConformanceDriver } from '../../../test-support/http-driver.js';
import { curl, freePort, requireCommand, scratchDirectory } from '../../../test-support/processes.js';
import { recipe } from '../../../test-support/recipes.js';
import { apache, apacheConfig, startWebServer, type WebServer } from '../../../test-support/web-servers.js';
import { describeCgiThroughCurl, installCgiScript } from './helpers/cgi-script.js';

/** The recipe, after what it leaves to Debian's configuration: the document root and mod_cgid's socket. */
function httpdBody(directory: string): string {
  return `
DocumentRoot "${directory}/www"
ScriptSock "${directory}/cgid.sock"
${recipe('apache/cgid.conf', { CGI_BIN: `${directory}/cgi-bin`, HTPASSWD: `${directory}/htpasswd` })}`;
}

let directory: ReturnType<typeof scratchDirectory>;
let httpd: WebServer;
let port: number;

beforeAll(async () => {
  const htpasswd = requireCommand('htpasswd', 'apache2-utils');
  directory = scratchDirectory('netcgi-cgi-apache');
  port = await freePort();
  installCgiScript(directory.path, 'www-data');
  spawnSync(htpasswd, ['-bc', `${directory.path}/htpasswd`, 'ada', 'secret']);
  const modules = ['authz_user', 'authn_file', 'auth_basic', 'alias', 'cgid'];
  httpd = await startWebServer(apache, directory.path, port, apacheConfig(directory.path, port, modules, httpdBody(directory.path)));
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
