// The integration app run the production way: `netcgi-fcgi test/fixtures/integration-app.mjs`.
import { fileURLToPath } from 'node:url';
import { Daemon, waitForListener } from '../../../../test-support/processes.js';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const INTEGRATION_APP = fileURLToPath(new URL('../fixtures/integration-app.mjs', import.meta.url));

/** Starts the integration app on a TCP port or unix socket path and waits until it listens. */
export async function startAppProcess(listen: number | string, extraArgs: readonly string[] = []): Promise<Daemon> {
  const app = new Daemon(process.execPath, [CLI, INTEGRATION_APP, '--listen', String(listen), ...extraArgs]);
  await waitForListener(listen, app);
  return app;
}
