#!/usr/bin/env node
// netcgi-http APP_MODULE [options]: serves an app module's default export on node:http.
import { runAppCommand } from '@netcgi/core/connector';
import { parseCommandLine, usage } from './command-line.js';
import { runHttp } from './run.js';

const status = await runAppCommand({
  name: 'netcgi-http',
  usage,
  parse: parseCommandLine,
  async serve(app, options, commandLine) {
    const server = await runHttp(app, options);
    return `serving ${commandLine.appModule} on ${server.url} (Ctrl-C stops)`;
  },
}, process.argv.slice(2));
if (status !== 0) process.exit(status);
