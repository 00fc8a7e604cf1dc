// Faults injected where an HTTP client or an app can fail: a client gone at every byte of a request
// and of a response, a client that stops reading, apps that throw, never answer or ignore their
// signal. After each: no descriptor, timer, request slot or temp file more than before, and the
// next request is answered.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cgi } from '@netcgi/core';
import { runHttp, type HttpServer } from '@netcgi/connector-http';
import { leakCheck, type LeakCheck } from '../../../test-support/leaks.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function app(cgi: Cgi): Promise<void> {
  cgi.setHeader({ contentType: 'text/plain' });
  switch (cgi.environment.pathInfo) {
    case '/upload':
      cgi.out.write(`file ${cgi.argument('file')?.size} field ${cgi.argumentValue('field')}`);
      return;
    case '/chunks':
      // Four body chunks a turn apart: a client can leave between any two bytes of them.
      for (const letter of 'abcd') {
        cgi.out.write(letter.repeat(150));
        await turn();
      }
      return;
    case '/big': {
      const chunk = Buffer.alloc(64 * 1024, 0x62);
      for (let written = 0; written < 8 * 1024 * 1024; written += chunk.length) {
        if (!cgi.out.write(chunk)) await new Promise((resolve) => cgi.out.once('drain', resolve));
      }
      return;
    }
    case '/throws':
      throw new Error('the app failed before its output');
    case '/throws-late':
      cgi.out.write('partial ');
      await turn();
      throw new Error('the app failed after its header');
    case '/never':
      await new Promise(() => {});
      return;
    default:
      cgi.out.write(`hello ${cgi.argumentValue('name', 'world')}`);
  }
}

let server: HttpServer;
let port = 0;
let tempDirectory: string;
const errors: string[] = [];
/** A kept-alive connection that asks for a normal request after every fault. */
let witness: Socket;
let witnessCount = 0;

beforeAll(async () => {
  tempDirectory = mkdtempSync(join(tmpdir(), 'netcgi-http-faults-'));
  server = await runHttp(app, { listen: { port: 0 }, handleSignals: false, logError: (line) => errors.push(line), config: { tmpDirectory: tempDirectory } });
  port = server.address()!.port;
  witness = await rawConnection();
  await expectServing();
});
afterAll(async () => {
  witness.destroy();
  await server.close(1000);
  rmSync(tempDirectory, { recursive: true, force: true });
});

function rawConnection(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket)).once('error', reject);
    socket.on('error', () => {});
  });
}

/** Sends `request` on `socket` and reads one whole response (Content-Length or chunked); its raw text. */
function exchange(socket: Socket, request: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      if (headEnd === -1) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, headEnd))?.[1];
      const complete = length !== undefined ? text.length >= headEnd + 4 + Number(length) : text.endsWith('\r\n0\r\n\r\n');
      if (!complete) return;
      socket.off('data', onData).off('close', onClose);
      resolve(text);
    };
    const onClose = (): void => reject(new Error(`the connection closed before the response was whole: ${text.slice(0, 200)}`));
    socket.on('data', onData).once('close', onClose);
    socket.write(request);
  });
}

async function expectServing(): Promise<void> {
  witnessCount++;
  const response = await exchange(witness, `GET /hello?name=${witnessCount} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  expect(response).toMatch(/^HTTP\/1\.1 200 /);
  expect(response).toContain(`hello ${witnessCount}`);
}

const BOUNDARY = 'fault-boundary';
function uploadRequest(): Buffer {
  const body = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n`
    + `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`
    + `${'f'.repeat(200)}\r\n--${BOUNDARY}--\r\n`;
  return Buffer.from(`POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
}

let leaks: LeakCheck;
const baseline = (): void => { leaks = leakCheck(() => server.activeRequests, tempDirectory); };

describe('a client gone at every byte', () => {
  it('of a request (a multipart upload, stored in a temp file): closed or reset at each offset', async () => {
    const request = uploadRequest();
    const whole = await rawConnection();
    expect(await exchange(whole, request)).toContain('file 200 field value');
    whole.destroy();
    expect(request.length).toBeGreaterThan(500);
    baseline();
    for (let offset = 0; offset < request.length; offset++) {
      for (const how of ['end', 'reset'] as const) {
        const socket = await rawConnection();
        if (offset > 0) await new Promise<void>((resolve) => socket.write(request.subarray(0, offset), () => resolve()));
        // Read what the server answers (a 400, its close): a paused socket would never see its end.
        socket.resume();
        if (how === 'end') socket.end();
        else socket.resetAndDestroy();
        await new Promise((resolve) => socket.once('close', resolve));
        await leaks.settled(`gone after ${offset} of ${request.length} request bytes (${how})`);
      }
      if (offset % 16 === 0) await expectServing();
    }
    await expectServing();
  }, 120_000);

  it('of a response (four chunks a turn apart): the reader leaves after each byte', async () => {
    const request = 'GET /chunks HTTP/1.1\r\nHost: localhost\r\n\r\n';
    const probe = await rawConnection();
    const responseBytes = (await exchange(probe, request)).length;
    probe.destroy();
    expect(responseBytes).toBeGreaterThan(600);
    baseline();
    for (let offset = 0; offset < responseBytes; offset++) {
      const socket = await rawConnection();
      let received = 0;
      const left = new Promise<void>((resolve) => {
        socket.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > offset) socket.resetAndDestroy();
        });
        socket.once('close', () => resolve());
      });
      socket.write(request);
      await left;
      await leaks.settled(`the reader left after ${offset} of ${responseBytes} response bytes`);
      if (offset % 32 === 0) await expectServing();
    }
    await expectServing();
  }, 120_000);
});

describe('a client that stops reading, then leaves', () => {
  it('frees the stalled request when the connection goes', async () => {
    baseline();
    const socket = await rawConnection();
    socket.pause();
    socket.write('GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100)); // the app waits for 'drain'
    expect(server.activeRequests).toBe(1);
    socket.resetAndDestroy();
    await leaks.settled('a stalled client gone');
    await expectServing();
  });
});

describe('apps that fail', () => {
  it('throwing before its output: a 500, and nothing left', async () => {
    baseline();
    const socket = await rawConnection();
    expect(await exchange(socket, 'GET /throws HTTP/1.1\r\nHost: localhost\r\n\r\n')).toMatch(/^HTTP\/1\.1 500 /);
    socket.destroy();
    await leaks.settled('an app that threw');
    await expectServing();
  });

  it('throwing after its header: the response is cut (the connection closed), and nothing left', async () => {
    baseline();
    const socket = await rawConnection();
    let text = '';
    socket.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    socket.write('GET /throws-late HTTP/1.1\r\nHost: localhost\r\n\r\n');
    // It used to end with the last chunk and keep the connection: a truncated response that looked whole.
    const closed = await Promise.race([
      new Promise((resolve) => socket.once('close', () => resolve(true))),
      new Promise((resolve) => setTimeout(() => resolve(false), 3000)),
    ]);
    socket.destroy();
    expect(closed).toBe(true);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toContain('partial ');
    // A chunked response cut without its last chunk: the client can tell it is incomplete.
    expect(text.endsWith('\r\n0\r\n\r\n')).toBe(false);
    await leaks.settled('an app that threw after its header');
    await expectServing();
  });

  it('never answering: a client that gives up frees the slot; the app is logged after 10 s', async () => {
    baseline();
    const socket = await rawConnection();
    socket.write('GET /never HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await expect.poll(() => server.activeRequests).toBe(1);
    socket.resetAndDestroy();
    await expect.poll(() => server.activeRequests).toBe(0);
    await expectServing();
    await expect.poll(() => errors.join('\n'), { timeout: 12_000, interval: 200 }).toMatch(/GET \/never: the app is still running/);
    await leaks.settled('an app that never answered', 2000);
  }, 20_000);
});
