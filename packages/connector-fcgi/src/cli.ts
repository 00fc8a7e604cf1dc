#!/usr/bin/env node
// netcgi-fcgi APP_MODULE [options]: serves an app module's default export over FastCGI.
import cluster from 'node:cluster';
import { runAppCommand, type App } from '@netcgi/core/connector';
import { parseCommandLine, usage } from './command-line.js';
import type { FcgiCgi } from './fcgi-cgi.js';
import { runFcgi } from './run.js';
import { superviseWorkers } from './workers.js';

const status = await runAppCommand({
  name: 'netcgi-fcgi',
  usage,
  parse: parseCommandLine,
  takeOver(commandLine) {
    if (!cluster.isPrimary || commandLine.workers <= 1) return false;
    superviseWorkers(commandLine.workers, (line) => process.stderr.write(`netcgi-fcgi: ${line}\n`));
    return true;
  },
  async serve(app, options) {
    await runFcgi(app as App<FcgiCgi>, options);
  },
}, process.argv.slice(2));
if (status !== 0) process.exit(status);
