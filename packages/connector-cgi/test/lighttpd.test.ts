// Real lighttpd running the app as a CGI program (mod_cgi).
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { describeConformance } from '@netcgi/connector-test/conformance/vitest';
import { httpConformanceDriver } from '../../../test-support/http-driver.js';
import { Daemon, freePort, requireCommand, scratchDirectory, waitForListener } from '../../../test-support/processes.js';
import { describeCgiThroughCurl, installCgiScript } from './helpers/cgi-script.js';

function lighttpdConfig(directory: string, port: number): string {
  return `
server.document-root = "${directory}/www"
server.port          = ${port}
server.bind          = "127.0.0.1"
server.pid-file      = "${directory}/lighttpd.pid"
server.errorlog      = "${directory}/error.log"
server.modules       = ( "mod_alias", "mod_cgi" )
mimetype.assign      = ( ".txt" => "text/plain" )
alias.url            = ( "/cgi-bin/" => "${directory}/cgi-bin/" )
$HTTP["url"] =~ "^/cgi-bin/" {
    cgi.assign       = ( ".cgi" => "" )      # run the script itself (its #! line)
}
cgi.local-redir      = "enable"              # RFC 3875 §6.2.2 local redirects (off by default)
server.max-request-size = 65536              # KiB: room for the 20 MB upload
`;
}

let directory: ReturnType<typeof scratchDirectory>;
let lighttpd: Daemon;
let port: number;

beforeAll(async () => {
  const binary = requireCommand('lighttpd', 'lighttpd');
  directory = scratchDirectory('netcgi-cgi-lighttpd');
  port = await freePort();
  installCgiScript(directory.path);
  const config = directory.file('lighttpd.conf', lighttpdConfig(directory.path, port));
  const check = spawnSync(binary, ['-tt', '-f', config], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(check.stderr + check.stdout);
  lighttpd = new Daemon(binary, ['-D', '-f', config]);
  await waitForListener(port, lighttpd);
});

afterAll(async () => {
  await lighttpd?.stop();
  directory?.remove();
});

const scriptUrl = (): string => `http://127.0.0.1:${port}/cgi-bin/app.cgi`;

describeConformance('conformance through lighttpd mod_cgi', httpConformanceDriver(scriptUrl));
describeCgiThroughCurl('lighttpd mod_cgi', scriptUrl, () => directory.path);
