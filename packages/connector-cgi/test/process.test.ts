// The CGI program run directly, with the environment and stdin a web server would give it.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseCgiResponse } from '@netcgi/connector-test';
import { isCgiEnvironment, readCgiEnvironment } from '@netcgi/connector-cgi';
import { CGI_APP } from './helpers/cgi-script.js';
import { GRACE_MS } from '../src/termination.js';

const BASE = { GATEWAY_INTERFACE: 'CGI/1.1', SERVER_PROTOCOL: 'HTTP/1.1', SERVER_NAME: 'www.example.org', SERVER_PORT: '80', SCRIPT_NAME: '/app.cgi' };

/** Runs the fixture as a web server would: `env -i` plus these variables, `stdin` on its stdin. */
function runScript(variables: Record<string, string>, stdin = '', args: string[] = []) {
  const result = spawnSync(process.execPath, [CGI_APP, ...args], { env: variables, input: stdin });
  return { status: result.status, stderr: result.stderr.toString(), response: result.stdout };
}

const meta = (variables: Record<string, string>) => {
  const { response } = runScript({ ...BASE, REQUEST_METHOD: 'GET', PATH_INFO: '/meta', ...variables });
  return JSON.parse(parseCgiResponse(response).body.toString()) as Record<string, unknown>;
};

describe('environment', () => {
  it('is CGI with GATEWAY_INTERFACE CGI/… and REQUEST_METHOD, and not in a shell', () => {
    expect(isCgiEnvironment({ GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET' })).toBe(true);
    expect(isCgiEnvironment({ REQUEST_METHOD: 'GET' })).toBe(false);
    expect(isCgiEnvironment({ GATEWAY_INTERFACE: 'CGI/1.1' })).toBe(false);
  });

  it.each([['12', 12], ['', undefined], ['-1', undefined], ['1e3', undefined]])('CONTENT_LENGTH %j is %j', (text, length) => {
    expect(readCgiEnvironment({ CONTENT_LENGTH: text }).contentLength).toBe(length);
  });
});

describe('a request', () => {
  it('reads exactly CONTENT_LENGTH bytes of stdin, exits 0, and writes the CGI response', () => {
    const result = runScript({ ...BASE, REQUEST_METHOD: 'POST', PATH_INFO: '/arguments', CONTENT_TYPE: 'application/x-www-form-urlencoded', CONTENT_LENGTH: '7' }, 'a=1&b=2&c=3');
    expect(result.status).toBe(0);
    const response = parseCgiResponse(result.response);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString()).map((argument: { name: string }) => argument.name)).toEqual(['a', 'b']);
  });

  it('answers 400 to a CONTENT_LENGTH that is not a number, without reading stdin', () => {
    const result = runScript({ ...BASE, REQUEST_METHOD: 'POST', PATH_INFO: '/arguments', CONTENT_TYPE: 'application/x-www-form-urlencoded', CONTENT_LENGTH: 'lots' }, 'a=1');
    expect(parseCgiResponse(result.response).status).toBe(400);
  });

  it('answers 400 when stdin ends before CONTENT_LENGTH bytes', () => {
    const result = runScript({ ...BASE, REQUEST_METHOD: 'POST', PATH_INFO: '/arguments', CONTENT_TYPE: 'application/x-www-form-urlencoded', CONTENT_LENGTH: '100' }, 'a=1');
    const response = parseCgiResponse(result.response);
    expect(response.status).toBe(400);
    expect(response.body.toString()).toMatch(/short of its content-length/);
    // The client's mistake: no line in the web server's error log.
    expect(result.stderr).toBe('');
  });

  it('builds URLs from SERVER_NAME with a port, and HTTPS', () => {
    expect(meta({ SERVER_NAME: 'www.example.org:8443', SERVER_PORT: '', HTTPS: 'on', QUERY_STRING: 'q=1' }).url).toBe('https://www.example.org:8443/app.cgi/meta?q=1');
    expect(meta({ SERVER_PORT: '8080' }).url).toBe('http://www.example.org:8080/app.cgi/meta');
  });

  it('takes HTTP_PROXY out of the environment (httpoxy) and keeps it as the request header', () => {
    const result = meta({ HTTP_PROXY: 'http://attacker.example:3128' });
    expect(result.proxyVariable).toBeNull();
    expect(result.proxyHeader).toBe('http://attacker.example:3128');
  });

  it('passes AUTH_TYPE and REMOTE_USER', () => {
    expect(meta({ AUTH_TYPE: 'Basic', REMOTE_USER: 'ada' })).toMatchObject({ authType: 'Basic', remoteUser: 'ada' });
  });

  it('sends a local redirect as Location alone', () => {
    const { response } = runScript({ ...BASE, REQUEST_METHOD: 'GET', PATH_INFO: '/local-redirect' });
    expect(response.toString()).toBe('Location: /static/target.txt\r\n\r\n');
  });
});

describe('outside CGI', () => {
  it('runs like netcgi-test: node app.js -post name=value', () => {
    const result = runScript({ PATH: process.env.PATH ?? '' }, '', ['-post', '-url', '/arguments', 'name=terminal']);
    expect(result.status).toBe(0);
    expect(result.response.toString()).toContain('"value":"terminal"');
  });

  it('shows a usage error with exit status 2', () => {
    const result = runScript({ PATH: process.env.PATH ?? '' }, '', ['-bogus']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/usage:/);
  });
});

describe('ended by the web server', () => {
  /** Starts the fixture as a web server would, with `stdin` written but left open. */
  async function startScript(variables: Record<string, string>, stdin: Buffer, tmp: string) {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [CGI_APP], { env: { ...BASE, TMPDIR: tmp, ...variables } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.stdin.on('error', () => {});
    child.stdin.write(stdin);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited, stderr: () => stderr };
  }

  it('SIGTERM aborts cgi.signal with RequestAbortedError; the process then exits 143', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const tmp = mkdtempSync('/tmp/cgi-term-');
    try {
      const script = await startScript({ REQUEST_METHOD: 'GET', PATH_INFO: '/wait-abort' }, Buffer.alloc(0), tmp);
      await new Promise((resolve) => setTimeout(resolve, 500));
      script.child.kill('SIGTERM');
      expect(await script.exited).toBe(143);
      expect(script.stderr()).toContain('aborted: RequestAbortedError');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('SIGTERM in the middle of an upload leaves no temp file behind', async () => {
    const { mkdtempSync, readdirSync, rmSync } = await import('node:fs');
    const tmp = mkdtempSync('/tmp/cgi-term-');
    try {
      // 4 MiB announced (over maxMemoryArgumentSize: a temp file), 256 KiB sent: the upload is being
      // stored when the signal comes.
      const script = await startScript({ REQUEST_METHOD: 'PUT', PATH_INFO: '/upload', CONTENT_TYPE: 'application/octet-stream', CONTENT_LENGTH: String(4 * 1024 * 1024) }, Buffer.alloc(256 * 1024, 1), tmp);
      await expect.poll(() => readdirSync(tmp).length, { timeout: 5000 }).toBe(1);
      script.child.kill('SIGTERM');
      expect(await script.exited).toBe(143);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('an app that ignores its abort: the temp files go at the signal, the process exits 143 after the grace, with a line', async () => {
    const { mkdtempSync, readdirSync, rmSync } = await import('node:fs');
    const tmp = mkdtempSync('/tmp/cgi-term-');
    try {
      const size = 2 * 1024 * 1024; // over maxMemoryArgumentSize: a temp file
      const script = await startScript({ REQUEST_METHOD: 'PUT', PATH_INFO: '/ignore-abort', CONTENT_TYPE: 'application/octet-stream', CONTENT_LENGTH: String(size) }, Buffer.alloc(size, 1), tmp);
      await expect.poll(() => script.stderr(), { timeout: 5000 }).toContain('stored: file');
      expect(readdirSync(tmp)).toHaveLength(1);
      const signalledAt = Date.now();
      script.child.kill('SIGTERM');
      await expect.poll(() => readdirSync(tmp), { timeout: 1000 }).toEqual([]);
      expect(await script.exited).toBe(143);
      expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(1900);
      expect(script.stderr()).toContain('the app did not end within 2000 ms of its abort');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('a web server that stops reading the response', () => {
  /**
   * Starts the fixture with its stdout on a real pipe (a FIFO, as Apache and lighttpd give a CGI
   * program; Node's own child pipes are socket pairs), the reading end held by the test.
   */
  async function startOnPipe(variables: Record<string, string>) {
    const { mkdtempSync, openSync, closeSync, constants, rmSync } = await import('node:fs');
    const { execFileSync, spawn } = await import('node:child_process');
    const { Socket } = await import('node:net');
    const dir = mkdtempSync('/tmp/cgi-pipe-');
    const fifo = `${dir}/stdout`;
    execFileSync('mkfifo', [fifo]);
    const readerFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writerFd = openSync(fifo, 'w');
    const child = spawn(process.execPath, [CGI_APP], { env: { ...BASE, ...variables }, stdio: ['ignore', writerFd, 'pipe'] });
    closeSync(writerFd);
    rmSync(dir, { recursive: true, force: true });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const reader = new Socket({ fd: readerFd, readable: true, writable: false });
    reader.on('error', () => {});
    let received = 0;
    const receivedEnough = new Promise<void>((resolve) => {
      reader.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= 256 * 1024) resolve();
      });
    });
    await receivedEnough;
    return { child, exited, reader, stderr: () => stderr };
  }

  /** The exit status, or 'still running' after `ms`. */
  const exitWithin = (exited: Promise<number | null>, ms: number) =>
    Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), ms))]);

  it('stalled: the SIGTERM a web server then sends still ends the program (exit 143)', async () => {
    const script = await startOnPipe({ REQUEST_METHOD: 'GET', PATH_INFO: '/endless' });
    script.reader.pause();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the pipe fills
    script.child.kill('SIGTERM');
    try {
      // Blocked in write(2), the program would run no JavaScript until killed. Now it is aborted at
      // once; this app waits for a 'drain' that will not come, so it ends after the grace.
      expect(await exitWithin(script.exited, GRACE_MS + 1500)).toBe(143);
      expect(script.stderr()).toContain('the app did not end within');
    } finally {
      script.child.kill('SIGKILL');
      script.reader.destroy();
    }
  });

  it('closed: the program says so on stderr and exits 141 (a broken pipe), not 0 or 13 with no word', async () => {
    const script = await startOnPipe({ REQUEST_METHOD: 'GET', PATH_INFO: '/endless' });
    script.reader.destroy();
    try {
      expect(await exitWithin(script.exited, GRACE_MS + 1500)).toBe(141);
      expect(script.stderr()).toContain('the request is aborted: the web server no longer reads the response');
    } finally {
      script.child.kill('SIGKILL');
    }
  });
});
