#!/usr/bin/env node
// netcgi-fcgi APP_MODULE [options]: serves an app module's default export over FastCGI.
import cluster from 'node:cluster';
import { loadAppModule, type App } from '@netcgi/core/connector';
import { parseCommandLine, usage, UsageError, type CommandLine } from './command-line.js';
import type { FcgiCgi } from './fcgi-cgi.js';
import { runFcgi, type FcgiOptions } from './run.js';
import { superviseWorkers } from './workers.js';

async function main(args: string[]): Promise<number> {
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`netcgi-fcgi: ${error.message}\n${usage}\n`);
    return 2;
  }
  if (commandLine.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (cluster.isPrimary && commandLine.workers > 1) {
    superviseWorkers(commandLine.workers, (line) => process.stderr.write(`netcgi-fcgi: ${line}\n`));
    return 0;
  }
  let module;
  try {
    module = await loadAppModule<FcgiOptions>(commandLine.appModule);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    process.stderr.write(`netcgi-fcgi: ${error.message}\n`);
    return 2;
  }
  try {
    await runFcgi(module.app as App<FcgiCgi>, { ...module.options, ...commandLine.options });
  } catch (error) {
    process.stderr.write(`netcgi-fcgi: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  return 0;
}

const status = await main(process.argv.slice(2));
if (status !== 0) process.exit(status);
