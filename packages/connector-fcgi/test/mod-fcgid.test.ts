// Real Apache httpd configured by examples/deploy/apache/fcgid.conf: mod_fcgid, which starts the app itself with its listening socket on fd 0
// (as lighttpd's bin-path does) and sends it one request at a time.
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '@netcgi/connector-test/conformance/vitest';
import { httpConformanceDriver } from '../../../test-support/http-driver.js';
import { curl, freePort, scratchDirectory } from '../../../test-support/processes.js';
import { recipe } from '../../../test-support/recipes.js';
import { apache, apacheConfig, startWebServer, type WebServer } from '../../../test-support/web-servers.js';
import { installWrapper } from './helpers/app-process.js';

const MOD_FCGID = '/usr/lib/apache2/modules/mod_fcgid.so';

/** What the recipe leaves to Debian's module configuration: where mod_fcgid keeps its sockets. */
function fcgidPaths(directory: string): string {
  return `
DocumentRoot "${directory}/www"
FcgidIPCDir "${directory}/fcgid"
FcgidProcessTableFile "${directory}/fcgid/shm"
`;
}

let directory: ReturnType<typeof scratchDirectory>;
let server: WebServer;
let port: number;

beforeAll(async () => {
  if (!existsSync(MOD_FCGID)) throw new Error(`${MOD_FCGID} is missing: apt-get install libapache2-mod-fcgid (.ci/run does)`);
  directory = scratchDirectory('netcgi-fcgid');
  port = await freePort();
  mkdirSync(join(directory.path, 'www'));
  // mod_fcgid's children run as www-data when Apache starts as root: their sockets and the app's
  // temp files go where that user can write (the test run's own TMPDIR is private to root).
  for (const writable of ['fcgid', 'tmp']) {
    mkdirSync(join(directory.path, writable));
    if (userInfo().uid === 0) chownSync(join(directory.path, writable), 33, 33);
  }
  mkdirSync(join(directory.path, 'cgi-bin'));
  const wrapper = installWrapper(join(directory.path, 'cgi-bin/app.fcgi'));
  const site = recipe('apache/fcgid.conf', { WRAPPER: wrapper, TMPDIR: `${directory.path}/tmp` });
  server = await startWebServer(apache, directory.path, port, apacheConfig(directory.path, port, ['alias', 'fcgid'], fcgidPaths(directory.path) + site));
});

afterAll(async () => {
  await server?.stop();
  // Every upload's temp file was deleted at the end of its request.
  const leftovers = directory === undefined ? [] : readdirSync(join(directory.path, 'tmp'));
  directory?.remove();
  expect(leftovers).toEqual([]);
});

describeConformance('conformance through Apache mod_fcgid (fd 0)', httpConformanceDriver(() => `http://127.0.0.1:${port}/app`));

describe('Apache mod_fcgid spawning the app', () => {
  it('runs the app it started, as a Responder, with PATH_INFO split off', () => {
    const response = curl([`http://127.0.0.1:${port}/app/whoami/extra`]);
    expect(JSON.parse(response.body.toString())).toMatchObject({ role: 'responder', scriptName: '/app', pathInfo: '/whoami/extra' });
  });
});
