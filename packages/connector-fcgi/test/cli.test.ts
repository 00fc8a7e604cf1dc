// The netcgi-fcgi command: fd 0 hand-over errors, SIGTERM draining, --workers supervision.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCgiResponse } from '@netcgi/connector-test';
import { parseCommandLine, parseListenAddress, UsageError } from '../src/command-line.js';
import { CLI, INTEGRATION_APP } from './helpers/app-process.js';
import { FcgiClient, getParams, requestRecords } from './helpers/fcgi-client.js';
import { Daemon, freePort, productionEnvironment, requireCommand, waitForListener } from '../../../test-support/processes.js';

describe('command line', () => {
  it.each([
    ['9000', { port: 9000 }],
    ['0.0.0.0:9000', { host: '0.0.0.0', port: 9000 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['/run/app.sock', { path: '/run/app.sock' }],
    ['./app.sock', { path: './app.sock' }],
  ])('--listen %s', (text, address) => {
    expect(parseListenAddress(text)).toEqual(address);
  });

  it('rejects unknown options and bad numbers with a usage error', () => {
    expect(() => parseCommandLine(['app.js', '--bogus'])).toThrow(UsageError);
    expect(() => parseCommandLine(['app.js', '--workers', 'two'])).toThrow(/positive integer/);
    expect(() => parseCommandLine([])).toThrow(/no app module/);
  });

  it.each([
    ['a file', openSync('/dev/null', 'r')],
    ['a connected socket', 'pipe' as const],
  ])('says what to pass when fd 0 is %s', (_name, stdin) => {
    const result = spawnSync(process.execPath, [CLI, INTEGRATION_APP], { stdio: [stdin, 'pipe', 'pipe'], encoding: 'utf8', env: productionEnvironment() });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/fd 0 is not a listening socket: pass listen/);
  });
});

describe('the socket on fd 0', () => {
  it('accepts on a listening socket handed over on fd 0, multipart bodies included', async () => {
    // What lighttpd and mod_fcgid do: listen, then start the app with that socket as its stdin.
    // (A spawner of its own: a Node parent would keep accepting on the socket too.)
    const directory = mkdtempSync(join(tmpdir(), 'fcgi-fd0-'));
    const path = join(directory, 'app.sock');
    const spawner = `import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(16)
os.dup2(s.fileno(), 0); s.close()
os.execv(sys.argv[2], sys.argv[2:])`;
    const app = spawn(requireCommand('python3', 'python3'), ['-c', spawner, path, process.execPath, CLI, INTEGRATION_APP], { stdio: ['ignore', 'ignore', 'pipe'], env: productionEnvironment() });
    await waitForListener(path);
    const client = await FcgiClient.connect(path);
    const boundary = 'fd0-boundary';
    const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n--${boundary}--\r\n`);
    const response = await client.request(1, {
      ...getParams('/app/arguments'), PATH_INFO: '/arguments', REQUEST_METHOD: 'POST',
      CONTENT_TYPE: `multipart/form-data; boundary=${boundary}`, CONTENT_LENGTH: String(body.length),
    }, body);
    expect(JSON.parse(parseCgiResponse(response.stdout).body.toString())[0]).toMatchObject({ name: 'field', value: 'value' });
    client.close();
    app.kill('SIGTERM');
    await new Promise((resolve) => app.once('exit', resolve));
    rmSync(directory, { recursive: true, force: true });
  });
});

describe('signals', () => {
  it('on SIGTERM stops accepting, finishes the request in flight, and exits 0', async () => {
    const port = await freePort();
    const app = new Daemon(process.execPath, [CLI, INTEGRATION_APP, '--listen', String(port)]);
    await waitForListener(port, app);
    const client = await FcgiClient.connect(port);
    client.write(requestRecords(1, { ...getParams('/app/concurrent?ms=500'), PATH_INFO: '/concurrent' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    app.child.kill('SIGTERM');
    const response = await client.response(1);
    expect(parseCgiResponse(response.stdout).status).toBe(200);
    await app.exited;
    expect(app.child.exitCode).toBe(0);
    await expect(FcgiClient.connect(port)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('--workers', () => {
  it('runs N processes on one socket, restarts one that dies, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const primary = new Daemon(process.execPath, [CLI, INTEGRATION_APP, '--listen', String(port), '--workers', '2']);
    // Both workers listen once the supervisor says so; before, the first may answer everything.
    await expect.poll(() => primary.output, { timeout: 15_000 }).toMatch(/with 2 workers/);
    const pids = async (): Promise<Set<number>> => {
      const seen = new Set<number>();
      // The kernel hands connections to whichever worker accepts first: often the same one.
      for (let attempt = 0; attempt < 300 && seen.size < 2; attempt++) {
        const client = await FcgiClient.connect(port);
        const response = await client.request(1, { ...getParams('/app/whoami'), PATH_INFO: '/whoami' }, undefined, { keepConnection: false });
        seen.add((JSON.parse(parseCgiResponse(response.stdout).body.toString()) as { pid: number }).pid);
      }
      return seen;
    };
    const before = await pids();
    expect(before.size).toBe(2);
    const victim = [...before][0]!;
    process.kill(victim, 'SIGKILL');
    let after = new Set<number>();
    for (let attempt = 0; attempt < 50 && (after.size < 2 || after.has(victim)); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await pids();
    }
    expect(after.size).toBe(2);
    expect(after.has(victim)).toBe(false);
    expect(primary.output).toMatch(/exited \(SIGKILL\); starting another/);
    primary.child.kill('SIGTERM');
    await primary.exited;
    expect(primary.child.exitCode).toBe(0);
  });

  it('drains a request in flight when Ctrl-C signals the whole process group', async () => {
    const port = await freePort();
    const primary = new Daemon(process.execPath, [CLI, INTEGRATION_APP, '--listen', String(port), '--workers', '2']);
    await waitForListener(port, primary);
    const client = await FcgiClient.connect(port);
    client.write(requestRecords(1, { ...getParams('/app/concurrent?ms=500'), PATH_INFO: '/concurrent' }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    process.kill(-primary.child.pid!, 'SIGINT');
    expect(parseCgiResponse((await client.response(1)).stdout).status).toBe(200);
    await primary.exited;
    expect(primary.child.exitCode).toBe(0);
  });
});
