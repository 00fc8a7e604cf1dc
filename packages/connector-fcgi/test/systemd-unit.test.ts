// examples/deploy/systemd/netcgi-fcgi.{service,socket}: systemd accepts them, and the service's
// ExecStart, started on the socket unit's ListenStream as systemd would (systemd-socket-activate),
// serves the app, reloads on the unit's ExecReload signal and stops cleanly on its KillSignal.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseCgiResponse } from '@netcgi/connector-test';
import { CLI, INTEGRATION_APP } from './helpers/app-process.js';
import { Daemon, freePort, requireCommand, scratchDirectory } from '../../../test-support/processes.js';
import { recipe } from '../../../test-support/recipes.js';

let directory: ReturnType<typeof scratchDirectory>;
let service: string;
let socket: string;
let port = 0;

beforeAll(async () => {
  directory = scratchDirectory('netcgi-systemd');
  port = await freePort();
  service = recipe('systemd/netcgi-fcgi.service', { NODE: process.execPath, NETCGI_FCGI: CLI, APP_MODULE: INTEGRATION_APP });
  socket = recipe('systemd/netcgi-fcgi.socket', { LISTEN: `127.0.0.1:${port}` });
});

afterAll(() => directory?.remove());

/** The value of `key=` in a unit (the last one, as systemd reads it). */
function setting(unit: string, key: string): string {
  const values = unit.split('\n').filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1));
  expect(values, `${key}= in the unit`).not.toEqual([]);
  return values.at(-1)!;
}

it('passes systemd-analyze verify', () => {
  const analyze = requireCommand('systemd-analyze', 'systemd');
  const files = [directory.file('netcgi-fcgi.service', service), directory.file('netcgi-fcgi.socket', socket)];
  const result = spawnSync(analyze, ['verify', ...files], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).toBe('');
});

it('serves on the socket unit\'s socket, reloads on SIGHUP, and exits 0 on its KillSignal', async () => {
  const activate = requireCommand('systemd-socket-activate', 'systemd');
  const cgiFcgi = requireCommand('cgi-fcgi', 'libfcgi-bin');
  const [command, ...args] = setting(service, 'ExecStart').split(' ');
  const [name, value] = setting(service, 'Environment').split('=');
  const unit = new Daemon(activate, ['-l', setting(socket, 'ListenStream'), `-E${name}=${value}`, command!, ...args]);
  const ask = (): string => {
    const variables = ['REQUEST_METHOD=GET', 'SCRIPT_NAME=/app', 'PATH_INFO=/whoami', 'SERVER_PROTOCOL=HTTP/1.1', 'SERVER_NAME=localhost'];
    // The first connection waits while systemd-socket-activate starts the service and its workers.
    const result = spawnSync('env', ['-i', ...variables, cgiFcgi, '-bind', '-connect', `127.0.0.1:${port}`], { encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) throw new Error(`cgi-fcgi failed (${result.status ?? result.signal}): ${result.stderr}\n${unit.output}`);
    return parseCgiResponse(Buffer.from(result.stdout)).body.toString();
  };
  try {
    await expect.poll(() => unit.output, { timeout: 10_000 }).toMatch(/Listening on/);
    expect(ask()).toMatch(/"role":"responder"/);
    await expect.poll(() => unit.output, { timeout: 10_000 }).toMatch(/with 2 workers/);
    expect(setting(service, 'ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    unit.child.kill('SIGHUP');
    await expect.poll(() => unit.output, { timeout: 10_000 }).toMatch(/SIGHUP: reloading 2 workers/);
    expect(ask()).toMatch(/"role":"responder"/);
  } finally {
    await unit.stop(setting(service, 'KillSignal') as NodeJS.Signals);
  }
  expect(unit.child.exitCode, unit.output).toBe(0);
});
