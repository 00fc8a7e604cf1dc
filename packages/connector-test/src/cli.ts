#!/usr/bin/env node
// netcgi-test APP_MODULE [options] name=value…: runs an app module's default export once.
import { loadAppModule, runCommandLine, usage } from '@netcgi/core/connector';

async function main(args: string[]): Promise<number> {
  const [modulePath, ...rest] = args;
  if (modulePath === undefined || modulePath.startsWith('-')) {
    process.stderr.write(`${usage}\n`);
    return modulePath === '-help' || modulePath === '--help' ? 0 : 2;
  }
  let module;
  try {
    module = await loadAppModule(modulePath);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    process.stderr.write(`netcgi-test: ${error.message}\n`);
    return 2;
  }
  return runCommandLine(module.app, rest, module.options);
}

process.exitCode = await main(process.argv.slice(2));
