// Real lighttpd configured by examples/deploy/lighttpd/cgi.conf, running the app as a CGI program (mod_cgi).
import { afterAll, beforeAll } from 'vitest';
import { describeConformance } from '@netcgi/connector-test/conformance/vitest';
import { httpConformanceDriver } from '../../../test-support/http-driver.js';
import { freePort, scratchDirectory } from '../../../test-support/processes.js';
import { recipe } from '../../../test-support/recipes.js';
import { lighttpd, lighttpdConfig, lighttpdConformanceSkips, startWebServer, type WebServer } from '../../../test-support/web-servers.js';
import { describeCgiThroughCurl, installCgiScript } from './helpers/cgi-script.js';

let directory: ReturnType<typeof scratchDirectory>;
let server: WebServer;
let port: number;

beforeAll(async () => {
  directory = scratchDirectory('netcgi-cgi-lighttpd');
  port = await freePort();
  installCgiScript(directory.path);
  server = await startWebServer(lighttpd, directory.path, port, lighttpdConfig(directory.path, port, recipe('lighttpd/cgi.conf', { CGI_BIN: `${directory.path}/cgi-bin` })));
});

afterAll(async () => {
  await server?.stop();
  directory?.remove();
});

const scriptUrl = (): string => `http://127.0.0.1:${port}/cgi-bin/app.cgi`;

describeConformance('conformance through lighttpd mod_cgi', httpConformanceDriver(scriptUrl), { skip: lighttpdConformanceSkips });
describeCgiThroughCurl('lighttpd mod_cgi', scriptUrl, () => directory.path);
