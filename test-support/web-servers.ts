// Real web servers for the connectors' tests: each started in the foreground on loopback from a
// config written into a scratch directory, checked first, and stopped by the test.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Daemon, requireCommand, waitForListener } from './processes.js';

/** What differs between web servers: the binary, its config check and its foreground run. */
interface WebServerKind {
  readonly command: string;
  readonly debianPackage: string;
  readonly checkArgs: (config: string, directory: string) => string[];
  readonly runArgs: (config: string, directory: string) => string[];
  /** The signal that stops it gracefully. */
  readonly stopSignal?: NodeJS.Signals;
}

export const nginx: WebServerKind = {
  command: 'nginx', debianPackage: 'nginx-light',
  checkArgs: (config, directory) => ['-t', '-c', config, '-p', directory],
  runArgs: (config, directory) => ['-c', config, '-p', directory],
  stopSignal: 'SIGQUIT',
};
export const lighttpd: WebServerKind = {
  command: 'lighttpd', debianPackage: 'lighttpd',
  checkArgs: (config) => ['-tt', '-f', config],
  runArgs: (config) => ['-D', '-f', config],
};
export const apache: WebServerKind = {
  command: 'apache2', debianPackage: 'apache2',
  checkArgs: (config) => ['-t', '-f', config],
  runArgs: (config) => ['-f', config, '-DFOREGROUND'],
};
export const haproxy: WebServerKind = {
  command: 'haproxy', debianPackage: 'haproxy',
  checkArgs: (config) => ['-c', '-f', config],
  runArgs: (config) => ['-db', '-f', config],
};

/** A started web server; `stop()` ends it (and what it spawned) gracefully. */
export interface WebServer {
  readonly daemon: Daemon;
  stop(): Promise<void>;
}

/**
 * Writes `config` to `<directory>/<kind>.conf`, checks it, starts the server and waits for `port`.
 * @throws Error when the binary is missing (naming its Debian package) or the config is refused.
 */
export async function startWebServer(kind: WebServerKind, directory: string, port: number, config: string): Promise<WebServer> {
  const binary = requireCommand(kind.command, kind.debianPackage);
  const configFile = `${directory}/${kind.command}.conf`;
  writeFileSync(configFile, config);
  const check = spawnSync(binary, kind.checkArgs(configFile, directory), { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`${kind.command} refused its config:\n${check.stderr}${check.stdout}`);
  const daemon = new Daemon(binary, kind.runArgs(configFile, directory));
  await waitForListener(port, daemon);
  // Something else may have taken the port since it was found free (another test file's server):
  // then the listener found is not ours, and the server exits on EADDRINUSE. Say so here rather
  // than let the test talk to a stranger.
  await new Promise((resolve) => setTimeout(resolve, 150));
  if (daemon.child.exitCode !== null) throw new Error(`${kind.command} exited right after starting (port ${port} taken?):\n${daemon.output}`);
  return { daemon, stop: () => daemon.stop(kind.stopSignal) };
}

const APACHE_MODULES = '/usr/lib/apache2/modules';

/**
 * An Apache httpd config of its own (no Debian include tree): the event MPM, `modules` (names
 * without `mod_`), the scratch directory as ServerRoot, and then `body`.
 */
export function apacheConfig(directory: string, port: number, modules: readonly string[], body: string): string {
  const loads = ['mpm_event', 'authz_core', 'authn_core', 'mime', ...modules]
    .map((name) => `LoadModule ${name}_module ${APACHE_MODULES}/mod_${name}.so`).join('\n');
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
${loads}
TypesConfig /etc/mime.types
<Directory />
    Require all granted
</Directory>
${body}`;
}

/** A lighttpd config: loopback `port`, the scratch directory's `www` as document root, then `body`. */
export function lighttpdConfig(directory: string, port: number, body: string): string {
  return `
server.document-root = "${directory}/www"
server.port          = ${port}
server.bind          = "127.0.0.1"
server.pid-file      = "${directory}/lighttpd.pid"
server.errorlog      = "${directory}/error.log"
mimetype.assign      = ( ".txt" => "text/plain" )
${body}`;
}

/** Conformance cases lighttpd cannot pass, whichever connector is behind it, and why. */
export const lighttpdConformanceSkips: Readonly<Record<string, string>> = {
  'a GET with a body has it as cgi.body': 'lighttpd answers 400 to a GET or HEAD with a Content-Length, by design ("GET/HEAD with content-length -> 400" in its error log)',
};

/**
 * A whole nginx config for a test: foreground, one worker, every path in `directory`, and
 * `http` (server and upstream blocks) inside its http {} block.
 */
export function nginxConfig(directory: string, http: string, workerConnections = 512): string {
  return `
daemon off;
worker_processes 1;
pid ${directory}/nginx.pid;
error_log ${directory}/error.log info;
events { worker_connections ${workerConnections}; }
http {
  access_log off;
  client_body_temp_path ${directory}/body;
  fastcgi_temp_path ${directory}/fastcgi;
  proxy_temp_path ${directory}/proxy;
  uwsgi_temp_path ${directory}/uwsgi;
  scgi_temp_path ${directory}/scgi;
${http}
}`;
}
