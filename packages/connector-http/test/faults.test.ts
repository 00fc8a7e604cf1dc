// Faults injected where an HTTP client or an app can fail: a client gone at every byte of a request
// and of a response, a client that stops reading, apps that throw, never answer or ignore their
// signal. After each: no descriptor, timer, request slot or temp file more than before, and the
// next request is answered.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHttp, type HttpServer } from '@netcgi/connector-http';
import { cutRequestAtEveryByte, faultApp, leaveResponseAtEveryByte, rawConnection, uploadBody, UPLOAD_BOUNDARY, type Sweep } from '../../../test-support/faults.js';
import { leakCheck, type LeakCheck } from '../../../test-support/leaks.js';

let server: HttpServer;
let port = 0;
let tempDirectory: string;
const errors: string[] = [];
/** A kept-alive connection that asks for a normal request after every fault. */
let witness: Socket;
let witnessCount = 0;

beforeAll(async () => {
  tempDirectory = mkdtempSync(join(tmpdir(), 'netcgi-http-faults-'));
  server = await runHttp(faultApp, { listen: { port: 0 }, handleSignals: false, logError: (line) => errors.push(line), config: { tmpDirectory: tempDirectory } });
  port = server.address()!.port;
  witness = await rawConnection(port);
  await expectServing();
});
afterAll(async () => {
  witness.destroy();
  await server.close(1000);
  rmSync(tempDirectory, { recursive: true, force: true });
});

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

function uploadRequest(): Buffer {
  const head = `POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=${UPLOAD_BOUNDARY}\r\nContent-Length: ${uploadBody.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), uploadBody]);
}

let leaks: LeakCheck;
const baseline = (): void => { leaks = leakCheck(() => server.activeRequests, tempDirectory); };
const sweep = (): Sweep => ({ port, leaks, expectServing, servingEvery: 16 });

describe('a client gone at every byte', () => {
  it('of a request (a multipart upload, stored in a temp file): closed or reset at each offset', async () => {
    const request = uploadRequest();
    const whole = await rawConnection(port);
    expect(await exchange(whole, request)).toContain('file 200 field value');
    whole.destroy();
    expect(request.length).toBeGreaterThan(500);
    baseline();
    await cutRequestAtEveryByte(request, sweep());
  }, 120_000);

  it('of a response (four chunks a turn apart): the reader leaves after each byte', async () => {
    const request = 'GET /chunks HTTP/1.1\r\nHost: localhost\r\n\r\n';
    const probe = await rawConnection(port);
    const responseBytes = (await exchange(probe, request)).length;
    probe.destroy();
    expect(responseBytes).toBeGreaterThan(600);
    baseline();
    await leaveResponseAtEveryByte(request, responseBytes, sweep());
  }, 120_000);
});

describe('a client that stops reading, then leaves', () => {
  it('frees the stalled request when the connection goes', async () => {
    baseline();
    const socket = await rawConnection(port);
    socket.pause();
    socket.write('GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100)); // the app waits for 'drain'
    await expect.poll(() => server.activeRequests).toBe(1);
    socket.resetAndDestroy();
    await leaks.settled('a stalled client gone');
    await expectServing();
  });
});

describe('apps that fail', () => {
  it('throwing before its output: a 500, and nothing left', async () => {
    baseline();
    const socket = await rawConnection(port);
    expect(await exchange(socket, 'GET /throws HTTP/1.1\r\nHost: localhost\r\n\r\n')).toMatch(/^HTTP\/1\.1 500 /);
    socket.destroy();
    await leaks.settled('an app that threw');
    await expectServing();
  });

  it('throwing after its header: the response is cut (the connection closed), and nothing left', async () => {
    baseline();
    const socket = await rawConnection(port);
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
    const socket = await rawConnection(port);
    socket.write('GET /never HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await expect.poll(() => server.activeRequests).toBe(1);
    socket.resetAndDestroy();
    await expect.poll(() => server.activeRequests).toBe(0);
    await expectServing();
    await expect.poll(() => errors.join('\n'), { timeout: 12_000, interval: 200 }).toMatch(/GET \/never: the app is still running/);
    await leaks.settled('an app that never answered', 2000);
  }, 20_000);
});
