#!/usr/bin/env node
// netcgi-test APP_MODULE [options] name=value…: runs an app module's default export once.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { App, RunOptions } from '@netcgi/core/connector';
import { runCommandLine, usage } from '@netcgi/core/connector';

async function main(args: string[]): Promise<number> {
  const [modulePath, ...rest] = args;
  if (modulePath === undefined || modulePath.startsWith('-')) {
    process.stderr.write(`${usage}\n`);
    return modulePath === '-help' || modulePath === '--help' ? 0 : 2;
  }
  const module = (await import(pathToFileURL(resolve(modulePath)).href)) as { default?: unknown; app?: unknown; options?: RunOptions };
  const app = module.default ?? module.app;
  if (typeof app !== 'function') {
    process.stderr.write(`netcgi-test: ${modulePath} exports no app: give it a default export (cgi) => …\n`);
    return 2;
  }
  return runCommandLine(app as App, rest, module.options ?? {});
}

process.exitCode = await main(process.argv.slice(2));
