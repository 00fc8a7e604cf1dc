// The integration app run the production way: `netcgi-fcgi test/fixtures/integration-app.mjs`.
import { chmodSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { recipe } from '../../../../test-support/recipes.js';
import { Daemon, waitForListener } from '../../../../test-support/processes.js';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const INTEGRATION_APP = fileURLToPath(new URL('../fixtures/integration-app.mjs', import.meta.url));

/** Starts the integration app on a TCP port or unix socket path and waits until it listens. */
export async function startAppProcess(listen: number | string, extraArgs: readonly string[] = []): Promise<Daemon> {
  const app = new Daemon(process.execPath, [CLI, INTEGRATION_APP, '--listen', String(listen), ...extraArgs]);
  await waitForListener(listen, app);
  return app;
}

/**
 * Installs examples/deploy/apache/app.fcgi (the program mod_fcgid and lighttpd start) running
 * `appModule` (default: the integration app) with this Node, at `path`; returns `path`.
 */
export function installWrapper(path: string, appModule = INTEGRATION_APP): string {
  writeFileSync(path, recipe('apache/app.fcgi', { NODE: process.execPath, NETCGI_FCGI: CLI, APP_MODULE: appModule }));
  chmodSync(path, 0o755);
  return path;
}
