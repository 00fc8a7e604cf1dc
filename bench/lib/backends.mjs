// The backends the benchmarks compare, each started on a TCP port and on a unix socket, and the
// nginx in front of all of them. Every backend answers the same three URLs (see ../backends/).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnvironment, Daemon, freePort, requireCommand } from '../../test-support/dist/processes.js';

const bench = fileURLToPath(new URL('..', import.meta.url));
const root = join(bench, '..');
const backends = join(bench, 'backends');
const node = process.execPath;
const netcgiFcgi = join(root, 'packages/connector-fcgi/dist/cli.js');
const netcgiApp = join(backends, 'netcgi-app.mjs');
const phpScript = join(backends, 'php-fpm.php');

/**
 * name: the URL prefix and the key in results; protocol: how nginx talks to it.
 * start(address, context) starts it listening on a port number or a socket path.
 */
export const backendKinds = [
  {
    name: 'netcgi', label: 'netcgi (1 process)', protocol: 'fastcgi',
    start: (address, context) => new Daemon(node, [netcgiFcgi, netcgiApp, '--listen', String(address)], { ...context, name: `netcgi-${address}` }),
  },
  {
    name: 'netcgi-w2', label: 'netcgi --workers 2', protocol: 'fastcgi',
    start: (address, context) => new Daemon(node, [netcgiFcgi, netcgiApp, '--listen', String(address), '--workers', '2'], { ...context, name: `netcgi-w2-${address}` }),
  },
  {
    name: 'raw-fcgi', label: 'FastCGI floor on Node (codec only)', protocol: 'fastcgi',
    start: (address, context) => new Daemon(node, [join(backends, 'raw-fcgi.mjs'), String(address)], { ...context, name: `raw-fcgi-${address}` }),
  },
  {
    name: 'node-http', label: 'node:http (proxy_pass)', protocol: 'http',
    start: (address, context) => new Daemon(node, [join(backends, 'node-http.mjs'), String(address)], { ...context, name: `node-http-${address}` }),
  },
  {
    name: 'node-fastcgi', label: 'node-fastcgi 2.0.0', protocol: 'fastcgi',
    start: (address, context) => new Daemon(node, [join(backends, 'node-fastcgi.cjs'), String(address)], { ...context, name: `node-fastcgi-${address}` }),
  },
  {
    name: 'go', label: 'Go net/http/fcgi', protocol: 'fastcgi',
    start: (address, context) => new Daemon(context.goBinary, [String(address)], { ...context, name: `go-${address}` }),
  },
  {
    name: 'netcgi-hono', label: 'Hono on netcgi (fromFetch, FastCGI)', protocol: 'fastcgi',
    start: (address, context) => new Daemon(node, [netcgiFcgi, join(backends, 'netcgi-hono.mjs'), '--listen', String(address)], { ...context, name: `netcgi-hono-${address}` }),
  },
  {
    name: 'hono-node', label: 'Hono on @hono/node-server (proxy_pass)', protocol: 'http',
    start: (address, context) => new Daemon(node, [join(backends, 'hono-node.mjs'), String(address)], { ...context, name: `hono-node-${address}` }),
  },
  {
    name: 'php-fpm', label: 'PHP-FPM (4 workers)', protocol: 'fastcgi',
    start: (address, context) => startPhpFpm(address, context),
  },
];

/** Builds the Go backend (standard library only: nothing is downloaded). */
function buildGo(scratch) {
  requireCommand('go', 'golang-go');
  const binary = join(scratch, 'go-fcgi');
  execFileSync('go', ['build', '-o', binary, join(backends, 'go-fcgi.go')], {
    env: cleanEnvironment({ GOCACHE: join(scratch, 'go-cache'), GOPATH: join(scratch, 'go'), GO111MODULE: 'off', GOFLAGS: '' }),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return binary;
}

export function phpFpmBinary() {
  const found = execFileSync('sh', ['-c', 'ls /usr/sbin/php-fpm* 2>/dev/null | head -1'], { encoding: 'utf8' }).trim();
  if (found === '') throw new Error('php-fpm is missing: apt-get install php-fpm (bench/install-peers installs every peer)');
  return found;
}

function startPhpFpm(address, context) {
  const id = typeof address === 'number' ? `tcp${address}` : 'unix';
  const config = join(context.scratch, `php-fpm-${id}.conf`);
  const listen = typeof address === 'number' ? `127.0.0.1:${address}` : address;
  writeFileSync(config, `[global]
pid = ${context.scratch}/php-fpm-${id}.pid
error_log = ${context.scratch}/php-fpm-${id}.error.log
daemonize = no

[bench]
user = root
listen = ${listen}
listen.backlog = 4096
pm = static
pm.max_children = 4
; php://input streams the body instead of PHP reading it all first
php_admin_flag[enable_post_data_reading] = off
php_admin_flag[output_buffering] = off
php_admin_value[memory_limit] = 128M
php_admin_value[max_execution_time] = 0
`);
  return new Daemon(phpFpmBinary(), ['--nodaemonize', '--allow-to-run-as-root', '--fpm-config', config], { ...context, name: `php-fpm-${id}` });
}

/** nginx in front of every backend: /BACKEND/TRANSPORT/KEEP/… with KEEP `keep` or `close`. */
async function nginxConfig({ scratch, port, upstreams }) {
  const locations = [];
  const upstreamBlocks = [];
  for (const { name, protocol, transport, address } of upstreams) {
    const upstream = `${name}_${transport}`.replace(/-/g, '_');
    const server = typeof address === 'number' ? `127.0.0.1:${address}` : `unix:${address}`;
    upstreamBlocks.push(`  upstream ${upstream} { server ${server}; keepalive 128; }`);
    for (const keep of ['keep', 'close']) {
      const prefix = `/${name}/${transport}/${keep}/`;
      if (protocol === 'fastcgi') {
        locations.push(`    location ^~ ${prefix} {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME ${phpScript};
      fastcgi_pass ${upstream};
      fastcgi_keep_conn ${keep === 'keep' ? 'on' : 'off'};
    }`);
      } else if (keep === 'keep') {
        locations.push(`    location ^~ ${prefix} { proxy_pass http://${upstream}; proxy_http_version 1.1; proxy_set_header Connection ""; }`);
      } else {
        locations.push(`    location ^~ ${prefix} { proxy_pass http://${upstream}; proxy_http_version 1.1; proxy_set_header Connection close; }`);
      }
    }
  }
  // As root, nginx's workers would run as nobody, who cannot open root's unix sockets.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${user}worker_processes 1;
daemon off;
pid ${scratch}/nginx.pid;
error_log ${scratch}/nginx-error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  default_type text/plain;
  client_body_temp_path ${scratch}/client_body;
  fastcgi_temp_path ${scratch}/fastcgi_temp;
  proxy_temp_path ${scratch}/proxy_temp;
  uwsgi_temp_path ${scratch}/uwsgi_temp;
  scgi_temp_path ${scratch}/scgi_temp;
  # Bodies stream through nginx both ways, so that the backends are measured, not nginx's disk.
  client_max_body_size 0;
  fastcgi_request_buffering off;
  proxy_request_buffering off;
  fastcgi_max_temp_file_size 0;
  proxy_max_temp_file_size 0;
  fastcgi_read_timeout 600s;
  proxy_read_timeout 600s;
${upstreamBlocks.join('\n')}
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location = /nginx/hello { return 200 "Hello, world!\\n"; }
${locations.join('\n')}
  }
}
`;
}

/** Starts every backend kind on a port and a socket, and nginx in front; returns how to stop them. */
export async function startAll({ scratch, kinds = backendKinds }) {
  requireCommand('nginx', 'nginx-light');
  const context = { scratch, cwd: scratch, env: cleanEnvironment(), goBinary: undefined };
  if (kinds.some((kind) => kind.name === 'go')) context.goBinary = buildGo(scratch);
  const daemons = [];
  const upstreams = [];
  try {
    for (const kind of kinds) {
      for (const transport of ['tcp', 'unix']) {
        const address = transport === 'tcp' ? await freePort() : join(scratch, `${kind.name}.sock`);
        const daemon = kind.start(address, context);
        daemons.push(daemon);
        await daemon.started(address);
        upstreams.push({ name: kind.name, protocol: kind.protocol, transport, address, daemon });
      }
    }
    const port = await freePort();
    const configPath = join(scratch, 'nginx.conf');
    writeFileSync(configPath, await nginxConfig({ scratch, port, upstreams }));
    const nginx = new Daemon('nginx', ['-c', configPath, '-p', scratch, '-e', join(scratch, 'nginx-error.log')], { ...context, name: 'nginx' });
    daemons.push(nginx);
    await nginx.started(port);
    return {
      url: (path) => `http://127.0.0.1:${port}${path}`,
      daemonOf: (name, transport) => upstreams.find((upstream) => upstream.name === name && upstream.transport === transport).daemon,
      stop: () => Promise.all(daemons.map((daemon) => daemon.stop())),
    };
  } catch (error) {
    await Promise.all(daemons.map((daemon) => daemon.stop()));
    throw error;
  }
}
