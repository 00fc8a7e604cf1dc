#!/usr/bin/env node
// netcgi-fcgi APP_MODULE [options]: serves an app module's default export over FastCGI, under the
// supervisor (@netcgi/core/supervisor) unless --no-supervisor.
import cluster from 'node:cluster';
import { runAppCommand, type App, type ListenAddress } from '@netcgi/core/connector';
import { activatedListenAddress, supervise, superviseWorker } from '@netcgi/core/supervisor';
import { parseCommandLine, usage, type CommandLine } from './command-line.js';
import type { FcgiCgi } from './fcgi-cgi.js';
import { runFcgi, type FcgiOptions } from './run.js';
import type { FcgiServer } from './server.js';

const log = (line: string): void => { process.stderr.write(`netcgi-fcgi: ${line}\n`); };

const status = await runAppCommand<FcgiOptions, CommandLine>({
  name: 'netcgi-fcgi',
  usage,
  parse: parseCommandLine,
  takeOver({ appModule, supervisor }) {
    if (!cluster.isPrimary || !supervisor.supervised) return false;
    supervise({ name: 'netcgi-fcgi', appModule, workers: supervisor.workers, shutdownTimeout: supervisor.shutdownTimeout, log, announce: (line) => process.stdout.write(`netcgi-fcgi: ${line}\n`) });
    return true;
  },
  async serve(app, options, { appModule, supervisor }) {
    const worker = superviseWorker(app, options, { ...supervisor, name: 'netcgi-fcgi', appModule }, log);
    const listen = options.listen ?? activatedListenAddress();
    const server = await runFcgi(worker.app as App<FcgiCgi>, {
      ...worker.options, ...(listen === undefined ? {} : { listen }), handleSignals: !worker.supervised, shutdownTimeout: supervisor.shutdownTimeout,
    });
    return worker.serving(server, where(listen, server));
  },
}, process.argv.slice(2));
if (status !== 0) process.exit(status);

/** Where the server listens, for the start-up line. */
function where(listen: ListenAddress | undefined, server: FcgiServer): string {
  if (listen === undefined) return 'the listening socket on fd 0';
  if ('fd' in listen) return listen.fd === 3 ? 'the socket systemd passed (fd 3)' : `the listening socket on fd ${listen.fd}`;
  if ('path' in listen) return listen.path;
  const address = server.address();
  return `${listen.host ?? '127.0.0.1'}:${address?.port ?? listen.port}`;
}
