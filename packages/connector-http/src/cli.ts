#!/usr/bin/env node
// netcgi-http APP_MODULE [options]: serves an app module's default export on node:http.
import { loadAppModule } from '@netcgi/core/connector';
import { parseCommandLine, usage, UsageError, type CommandLine } from './command-line.js';
import { runHttp, type HttpOptions } from './run.js';

async function main(args: string[]): Promise<number> {
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`netcgi-http: ${error.message}\n${usage}\n`);
    return 2;
  }
  if (commandLine.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  let module;
  try {
    module = await loadAppModule<HttpOptions>(commandLine.appModule);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    process.stderr.write(`netcgi-http: ${error.message}\n`);
    return 2;
  }
  try {
    const server = await runHttp(module.app, { ...module.options, ...commandLine.options });
    process.stdout.write(`netcgi-http: serving ${commandLine.appModule} on ${server.url} (Ctrl-C stops)\n`);
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    process.stderr.write(`netcgi-http: ${error instanceof Error ? error.message : String(error)}${inUse ? ' (something else listens there: pass --listen PORT)' : ''}\n`);
    return 1;
  }
  return 0;
}

const status = await main(process.argv.slice(2));
if (status !== 0) process.exit(status);
