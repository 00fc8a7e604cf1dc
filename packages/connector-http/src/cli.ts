#!/usr/bin/env node
// netcgi-http APP_MODULE [options]: serves an app module's default export on node:http, under the
// supervisor (@netcgi/core/supervisor) unless --no-supervisor.
import { runAppCommand } from '@netcgi/core/connector';
import { supervisedCommand } from '@netcgi/core/supervisor';
import { parseCommandLine, usage, type CommandLine } from './command-line.js';
import { runHttp, type HttpOptions } from './run.js';

const status = await runAppCommand(supervisedCommand<HttpOptions, CommandLine>({
  name: 'netcgi-http',
  usage,
  parse: parseCommandLine,
  async start(app, options) {
    const server = await runHttp(app, options);
    return { server, where: server.url };
  },
}), process.argv.slice(2));
if (status !== 0) process.exit(status);
