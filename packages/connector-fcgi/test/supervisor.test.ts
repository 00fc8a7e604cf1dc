// netcgi-fcgi under its supervisor: reloads and recycling under FastCGI load (one connection per
// request, as nginx without keep-conn), a stray app error, and systemd socket activation with
// libfcgi's cgi-fcgi as the client. The supervisor itself is tested in depth through netcgi-http
// (packages/connector-http/test/supervisor.test.ts): both commands run the same module.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { parseCgiResponse } from '@netcgi/connector-test';
import { runLoad } from '../../../test-support/load.js';
import { Daemon, freePort, requireCommand } from '../../../test-support/processes.js';
import { CLI } from './helpers/app-process.js';
import { FcgiClient, getParams } from './helpers/fcgi-client.js';

const app = fileURLToPath(new URL('../../../test-support/fixtures/supervised-app.mjs', import.meta.url));
const running: Daemon[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((daemon) => daemon.stop('SIGKILL'))); });

/** One request on a connection of its own (no FCGI_KEEP_CONN): status and body. */
async function fcgiGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const client = await FcgiClient.connect(port);
  try {
    const response = await client.request(1, { ...getParams(path), SCRIPT_NAME: '', PATH_INFO: path }, undefined, { keepConnection: false });
    const parsed = parseCgiResponse(response.stdout);
    return { status: parsed.status, body: parsed.body.toString() };
  } finally {
    client.close();
  }
}

async function start(args: readonly string[]): Promise<{ daemon: Daemon; port: number }> {
  const port = await freePort();
  const daemon = new Daemon(process.execPath, [CLI, app, '--listen', String(port), ...args]);
  running.push(daemon);
  await expect.poll(() => daemon.output, { timeout: 15_000 }).toMatch(/serving .* on 127\.0\.0\.1:\d+ with \d+ workers?/);
  return { daemon, port };
}

it('loses no request through two SIGHUP reloads, --max-requests recycling and stray app errors', async () => {
  const { daemon, port } = await start(['--workers', '2', '--max-requests', '300']);
  const end = Date.now() + 4_000;
  let round = 0;
  const loading = runLoad(8, () => Date.now() > end, () => fcgiGet(port, ++round % 50 === 0 ? '/stray' : '/pid'));
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  daemon.child.kill('SIGHUP');
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  daemon.child.kill('SIGHUP');
  const load = await loading;
  expect(load.failures).toEqual([]);
  expect(load.ok).toBeGreaterThan(1_000);
  expect(load.bodies.size).toBeGreaterThanOrEqual(6);
  expect(daemon.output).toMatch(/the app raised an unhandled rejection outside its request \([^)]*GET \/stray/);
  daemon.child.kill('SIGTERM');
  await daemon.exited;
  expect(daemon.child.exitCode, daemon.output).toBe(0);
});

it('serves the socket systemd passed (socket activation) to cgi-fcgi', async () => {
  const activate = requireCommand('systemd-socket-activate', 'systemd');
  const cgiFcgi = requireCommand('cgi-fcgi', 'libfcgi-bin');
  const port = await freePort();
  const daemon = new Daemon(activate, ['-l', `127.0.0.1:${port}`, process.execPath, CLI, app, '--workers', '2']);
  running.push(daemon);
  await expect.poll(() => daemon.output, { timeout: 10_000 }).toMatch(/Listening on 127\.0\.0\.1/);
  const variables = ['REQUEST_METHOD=GET', 'SCRIPT_NAME=', 'PATH_INFO=/version', 'SERVER_PROTOCOL=HTTP/1.1', 'SERVER_NAME=localhost'];
  const result = spawnSync('env', ['-i', ...variables, cgiFcgi, '-bind', '-connect', `127.0.0.1:${port}`], { encoding: 'utf8', timeout: 10_000 });
  expect(result.stdout).toMatch(/\r\n\r\nnone$/);
  await expect.poll(() => daemon.output, { timeout: 10_000 }).toMatch(/on the socket systemd passed \(fd 3\) with 2 workers/);
});
