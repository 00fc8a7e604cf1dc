// netcgi-http as a process: the start-up line, a graceful SIGTERM, usage errors.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Daemon, freePort } from '../../../test-support/processes.js';
import { parseCommandLine, UsageError } from '../src/command-line.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const slowApp = fileURLToPath(new URL('./fixtures/slow-app.mjs', import.meta.url));

describe('netcgi-http', () => {
  it('says where it listens, answers, and on SIGTERM finishes the request in flight and exits 0', async () => {
    const port = await freePort();
    const daemon = new Daemon(process.execPath, [cli, slowApp, '--listen', `127.0.0.1:${port}`]);
    try {
      await expect.poll(() => daemon.output, { timeout: 10_000 }).toContain(`on http://localhost:${port}/`);
      const slow = fetch(`http://127.0.0.1:${port}/slow`).then(async (response) => [response.status, await response.text()]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      daemon.child.kill('SIGTERM');
      expect(await slow).toEqual([200, 'done after 500 ms\n']);
      await daemon.exited;
      expect(daemon.child.exitCode).toBe(0);
    } finally {
      await daemon.stop('SIGKILL');
    }
  });

  it('parses its options and refuses unknown ones', () => {
    expect(parseCommandLine(['app.js', '--listen', '9000', '--mount', '/shop/', '--trust-proxy'])).toEqual({
      appModule: 'app.js', options: { listen: { port: 9000 }, scriptName: '/shop', trustProxy: true }, help: false,
      supervisor: { supervised: true, workers: 1, shutdownTimeout: 10_000 },
    });
    expect(parseCommandLine(['app.js', '--workers', '3', '--max-requests', '500', '--request-timeout', '30s', '--status-path', '/status', '--access-log', '-']).supervisor).toEqual({
      supervised: true, workers: 3, maxRequests: 500, requestTimeout: 30_000, statusPath: '/status', accessLog: '-', shutdownTimeout: 10_000,
    });
    expect(() => parseCommandLine(['app.js', '--no-supervisor', '--workers', '2'])).toThrow(/needs the supervisor/);
    expect(() => parseCommandLine(['app.js', '--request-timeout', 'soon'])).toThrow(/duration/);
    expect(parseCommandLine(['app.js', '--listen', '/run/app.sock']).options.listen).toEqual({ path: '/run/app.sock' });
    expect(() => parseCommandLine(['app.js', '--bogus'])).toThrow(UsageError);
    expect(() => parseCommandLine(['--listen', '9000'])).toThrow(/no app module/);
    expect(() => parseCommandLine(['app.js', '--mount', 'shop'])).toThrow(/starting with \//);
  });
});

describe('netcgi-http on a unix socket', () => {
  it('replaces a socket file a dead process left, and listens there', async () => {
    const { existsSync, mkdtempSync, rmSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const { request } = await import('node:http');
    const directory = mkdtempSync('/tmp/netcgi-http-sock-');
    const path = `${directory}/http.sock`;
    // A server that listened there and was killed: its socket file stays.
    spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(existsSync(path)).toBe(true);
    const daemon = new Daemon(process.execPath, [cli, slowApp, '--listen', path]);
    try {
      await expect.poll(() => daemon.output, { timeout: 10_000 }).toContain(`on ${path}`);
      const status = await new Promise<number>((resolve, reject) => {
        request({ socketPath: path, path: '/slow' }, (response) => { response.resume(); resolve(response.statusCode ?? 0); }).on('error', reject).end();
      });
      expect(status).toBe(200);
    } finally {
      await daemon.stop('SIGKILL');
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('a TypeScript app module', () => {
  const typedApp = fileURLToPath(new URL('../../../test-support/fixtures/typed-app.ts', import.meta.url));
  const stripsTypes = Boolean((process.features as { typescript?: unknown }).typescript);

  it.runIf(stripsTypes)(`runs as it is on a Node that strips types (${process.version})`, async () => {
    const port = await freePort();
    const daemon = new Daemon(process.execPath, [cli, typedApp, '--listen', String(port)]);
    try {
      await expect.poll(() => daemon.output, { timeout: 10_000 }).toContain(`on http://localhost:${port}/`);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello from TypeScript');
    } finally {
      await daemon.stop();
    }
  });

  it.skipIf(stripsTypes)(`is refused with what to do on a Node that does not strip types (${process.version})`, async () => {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, [cli, typedApp], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`typed-app.ts is TypeScript, which Node ${process.version} cannot load: build it to JavaScript (tsc), or run it on Node 22.18, 24 or later`);
  });
});

