#!/usr/bin/env node
// netcgi-http APP_MODULE [options]: serves an app module's default export on node:http, under the
// supervisor (@netcgi/core/supervisor) unless --no-supervisor.
import cluster from 'node:cluster';
import { runAppCommand } from '@netcgi/core/connector';
import { activatedListenAddress, supervise, superviseWorker } from '@netcgi/core/supervisor';
import { parseCommandLine, usage, type CommandLine } from './command-line.js';
import { runHttp, type HttpOptions } from './run.js';

const log = (line: string): void => { process.stderr.write(`netcgi-http: ${line}\n`); };

const status = await runAppCommand<HttpOptions, CommandLine>({
  name: 'netcgi-http',
  usage,
  parse: parseCommandLine,
  takeOver({ appModule, supervisor }) {
    if (!cluster.isPrimary || !supervisor.supervised) return false;
    supervise({ name: 'netcgi-http', appModule, workers: supervisor.workers, shutdownTimeout: supervisor.shutdownTimeout, log, announce: (line) => process.stdout.write(`netcgi-http: ${line}\n`) });
    return true;
  },
  async serve(app, options, { appModule, supervisor }) {
    const worker = superviseWorker(app, options, { ...supervisor, name: 'netcgi-http', appModule }, log);
    const listen = options.listen ?? activatedListenAddress();
    const server = await runHttp(worker.app, {
      ...worker.options, ...(listen === undefined ? {} : { listen }), handleSignals: !worker.supervised, shutdownTimeout: supervisor.shutdownTimeout,
    });
    return worker.serving(server, server.url);
  },
}, process.argv.slice(2));
if (status !== 0) process.exit(status);
