// examples/deploy/systemd/netcgi-fcgi.service: systemd accepts it, and its ExecStart, run as systemd
// would run it, serves the app and stops cleanly on the unit's KillSignal.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, INTEGRATION_APP } from './helpers/app-process.js';
import { Daemon, productionEnvironment, requireCommand, scratchDirectory, waitForListener } from '../../../test-support/processes.js';
import { recipe } from '../../../test-support/recipes.js';

let directory: ReturnType<typeof scratchDirectory>;
let unit: string;
let socket: string;

beforeAll(() => {
  directory = scratchDirectory('netcgi-systemd');
  socket = join(directory.path, 'app.sock');
  unit = recipe('systemd/netcgi-fcgi.service', { NODE: process.execPath, NETCGI_FCGI: CLI, APP_MODULE: INTEGRATION_APP, LISTEN: socket });
});

afterAll(() => directory?.remove());

/** The value of `key=` in the unit (the last one, as systemd reads it). */
function setting(key: string): string {
  const values = unit.split('\n').filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1));
  expect(values, `${key}= in the unit`).not.toEqual([]);
  return values.at(-1)!;
}

it('passes systemd-analyze verify', () => {
  const analyze = requireCommand('systemd-analyze', 'systemd');
  const file = directory.file('netcgi-fcgi.service', unit);
  const result = spawnSync(analyze, ['verify', file], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).toBe('');
});

it('its ExecStart serves the app, and its KillSignal lets it finish and exit 0', async () => {
  const [command, ...args] = setting('ExecStart').split(' ');
  const [name, value] = setting('Environment').split('=');
  const service = new Daemon(command!, args, { env: productionEnvironment({ [name!]: value }) });
  try {
    await waitForListener(socket, service);
    const cgiFcgi = requireCommand('cgi-fcgi', 'libfcgi-bin');
    const variables = ['REQUEST_METHOD=GET', 'SCRIPT_NAME=/app', 'PATH_INFO=/whoami', 'SERVER_PROTOCOL=HTTP/1.1', 'SERVER_NAME=localhost'];
    const result = spawnSync('env', ['-i', ...variables, cgiFcgi, '-bind', '-connect', socket], { encoding: 'utf8' });
    expect(result.stdout).toMatch(/"role":"responder"/);
  } finally {
    await service.stop(setting('KillSignal') as NodeJS.Signals);
  }
  expect(service.child.exitCode).toBe(0);
});
