#!/usr/bin/env node
// netcgi-fcgi APP_MODULE [options]: serves an app module's default export over FastCGI, under the
// supervisor (@netcgi/core/supervisor) unless --no-supervisor.
import { runAppCommand, type App, type ListenAddress } from '@netcgi/core/connector';
import { supervisedCommand } from '@netcgi/core/supervisor';
import { parseCommandLine, usage, type CommandLine } from './command-line.js';
import type { FcgiCgi } from './fcgi-cgi.js';
import { runFcgi, type FcgiOptions } from './run.js';
import type { FcgiServer } from './server.js';

const status = await runAppCommand(supervisedCommand<FcgiOptions, CommandLine>({
  name: 'netcgi-fcgi',
  usage,
  parse: parseCommandLine,
  async start(app, options) {
    const server = await runFcgi(app as App<FcgiCgi>, options);
    return { server, where: where(options.listen, server) };
  },
}), process.argv.slice(2));
if (status !== 0) process.exit(status);

/** Where the server listens, for the start-up line. */
function where(listen: ListenAddress | undefined, server: FcgiServer): string {
  if (listen === undefined) return 'the listening socket on fd 0';
  if ('fd' in listen) return listen.fd === 3 ? 'the socket systemd passed (fd 3)' : `the listening socket on fd ${listen.fd}`;
  if ('path' in listen) return listen.path;
  const address = server.address();
  return `${listen.host ?? '127.0.0.1'}:${address?.port ?? listen.port}`;
}
