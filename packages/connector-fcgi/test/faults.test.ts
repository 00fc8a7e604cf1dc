// Faults injected at every point a web server or an app can fail: a peer gone at every byte of a
// request and of a response, an abort at every record boundary, a web server that stops reading,
// apps that throw, never answer or ignore their signal. After each: no descriptor, timer, request
// slot or temp file more than before, and the next request is answered.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBeginRequestBody, encodeNameValuePairs, encodeRecord, BeginRequestFlag, RecordType, Role } from '@netcgi/connector-fcgi/protocol';
import { parseCgiResponse } from '@netcgi/connector-test';
import { cutRequestAtEveryByte, faultApp, leaveResponseAtEveryByte, rawConnection, uploadBody, UPLOAD_BOUNDARY, type Sweep } from '../../../test-support/faults.js';
import { leakCheck, type LeakCheck } from '../../../test-support/leaks.js';
import { FcgiClient, getParams, requestRecords } from './helpers/fcgi-client.js';
import { startServer, type RunningServer } from './helpers/server.js';

let running: RunningServer;
let tempDirectory: string;
/** A kept-alive connection that asks for a normal request after every fault. */
let witness: FcgiClient;
let witnessId = 0;

beforeAll(async () => {
  tempDirectory = mkdtempSync(join(tmpdir(), 'netcgi-faults-'));
  // Uploads go to temp files (the default store), however small: a cut body must leave none behind.
  running = await startServer(faultApp, { maxReqs: 64, config: { tmpDirectory: tempDirectory } });
  witness = await FcgiClient.connect(running.port);
  await expectServing();
});
afterAll(async () => {
  witness.close();
  await running.server.close(1000);
  rmSync(tempDirectory, { recursive: true, force: true });
});

/** A normal request on the witness connection is answered. */
async function expectServing(): Promise<void> {
  const id = (witnessId % 100) + 1;
  witnessId++;
  const response = await witness.request(id, getParams(`/hello?name=${witnessId}`));
  expect(parseCgiResponse(response.stdout).body.toString()).toBe(`hello ${witnessId}`);
}

/** The multipart POST of `/upload` as records: PARAMS in three records, STDIN in four (its file part in two). */
function uploadRecords(id: number): Buffer[] {
  const body = uploadBody;
  const params = encodeNameValuePairs(Object.entries({
    ...getParams('/upload'), REQUEST_METHOD: 'POST', CONTENT_TYPE: `multipart/form-data; boundary=${UPLOAD_BOUNDARY}`, CONTENT_LENGTH: String(body.length),
  }));
  const third = Math.ceil(params.length / 3);
  const cuts = [0, 60, 140, 250, body.length];
  return [
    encodeRecord(RecordType.BeginRequest, id, encodeBeginRequestBody(Role.Responder, BeginRequestFlag.KeepConnection)),
    ...[0, 1, 2].map((index) => encodeRecord(RecordType.Params, id, params.subarray(index * third, (index + 1) * third))),
    encodeRecord(RecordType.Params, id),
    ...cuts.slice(0, -1).map((start, index) => encodeRecord(RecordType.Stdin, id, body.subarray(start, cuts[index + 1]))),
    encodeRecord(RecordType.Stdin, id),
  ];
}

let leaks: LeakCheck;
const baseline = (): void => { leaks = leakCheck(() => running.server.activeRequests, tempDirectory); };
const sweep = (): Sweep => ({ port: running.port, leaks, expectServing, servingEvery: 16 });

describe('a web server gone at every byte', () => {
  it('of a request (a multipart upload, stored in a temp file): closed or reset at each offset', async () => {
    const request = Buffer.concat(uploadRecords(1));
    // The whole request is answered: the sweep below cuts something that works.
    const whole = await FcgiClient.connect(running.port);
    whole.socket.write(request);
    expect(parseCgiResponse((await whole.response(1)).stdout).body.toString()).toBe('file 200 field value');
    whole.close();
    expect(request.length).toBeGreaterThan(500);
    baseline();
    await cutRequestAtEveryByte(request, sweep());
  }, 120_000);

  it('of a response (four body records a turn apart): the reader leaves after each byte', async () => {
    // The response's length on the wire: a request without keep-conn, read until the server closes.
    const probe = await rawConnection(running.port);
    let responseBytes = 0;
    probe.on('data', (chunk: Buffer) => { responseBytes += chunk.length; });
    probe.write(Buffer.concat(requestRecords(1, getParams('/chunks'), undefined, { keepConnection: false })));
    await new Promise((resolve) => probe.once('close', resolve));
    expect(responseBytes).toBeGreaterThan(4 * 150 + 4 * 8);
    baseline();
    await leaveResponseAtEveryByte(Buffer.concat(requestRecords(1, getParams('/chunks'))), responseBytes, sweep());
  }, 120_000);
});

describe('FCGI_ABORT_REQUEST', () => {
  it('at every record boundary of a request: END_REQUEST answers, and the connection serves on', async () => {
    const records = uploadRecords(1);
    baseline();
    const client = await FcgiClient.connect(running.port);
    // Sent after BEGIN_REQUEST, after each PARAMS and STDIN record: before, during and after the
    // upload's temp file, before and after the app starts.
    for (let sent = 1; sent <= records.length; sent++) {
      client.write([...records.slice(0, sent), encodeRecord(RecordType.AbortRequest, 1)]);
      const response = await client.response(1);
      expect(response.records.at(-1)!.type).toBe(RecordType.EndRequest);
      const served = await client.request(1, getParams('/hello?name=again'));
      expect(parseCgiResponse(served.stdout).body.toString()).toBe('hello again');
    }
    client.close();
    await leaks.settled('aborts at every record boundary');
    await expectServing();
  });

  it('while the response streams to a web server that stopped reading', async () => {
    baseline();
    const client = await FcgiClient.connect(running.port);
    client.socket.pause();
    client.write(requestRecords(1, getParams('/big')));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the app waits for 'drain'
    await expect.poll(() => running.server.activeRequests).toBe(1);
    client.write([encodeRecord(RecordType.AbortRequest, 1)]);
    await expect.poll(() => running.server.activeRequests).toBe(0);
    client.socket.resume();
    expect((await client.response(1)).appStatus).toBe(1);
    client.close();
    await leaks.settled('an abort while the response was stalled');
    await expectServing();
  });

  it('to an app that ignores its signal: the slot is free at once, the app ends by itself', async () => {
    baseline();
    const client = await FcgiClient.connect(running.port);
    client.write(requestRecords(1, getParams('/ignores-signal')));
    await expect.poll(() => running.server.activeRequests).toBe(1);
    client.write([encodeRecord(RecordType.AbortRequest, 1)]);
    expect((await client.response(1)).appStatus).toBe(1);
    expect(running.server.activeRequests).toBe(0);
    client.close();
    await new Promise((resolve) => setTimeout(resolve, 200)); // the app's own timer ends
    await leaks.settled('an app that ignored its abort');
    await expectServing();
  });
});

describe('a web server that stops reading, then leaves', () => {
  it('frees the stalled request when the connection goes', async () => {
    baseline();
    const client = await FcgiClient.connect(running.port);
    client.socket.pause();
    client.write(requestRecords(1, getParams('/big')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect.poll(() => running.server.activeRequests).toBe(1);
    client.socket.resetAndDestroy();
    await leaks.settled('a stalled web server gone');
    await expectServing();
  });
});

describe('apps that fail', () => {
  it('throwing before its output: a 500, END_REQUEST, and nothing left', async () => {
    baseline();
    const client = await FcgiClient.connect(running.port);
    const response = await client.request(1, getParams('/throws'));
    expect(parseCgiResponse(response.stdout).status).toBe(500);
    client.close();
    await leaks.settled('an app that threw');
    await expectServing();
  });

  it('throwing after its header: the response is cut, END_REQUEST says so, and nothing is left', async () => {
    baseline();
    const client = await FcgiClient.connect(running.port);
    const response = await client.request(1, getParams('/throws-late'));
    expect(response.stdout.toString()).toContain('partial ');
    expect(response.appStatus).not.toBe(0);
    client.close();
    await leaks.settled('an app that threw after its header');
    await expectServing();
  });

  it('never answering: a web server that gives up frees the slot; the app is logged after 10 s', async () => {
    baseline();
    const client = await FcgiClient.connect(running.port);
    client.write(requestRecords(1, getParams('/never')));
    await expect.poll(() => running.server.activeRequests).toBe(1);
    client.socket.resetAndDestroy();
    await expect.poll(() => running.server.activeRequests).toBe(0);
    await expectServing();
    // The pipeline watches the app for 10 s (one timer), then logs it and lets go.
    await expect.poll(() => running.errors.join('\n'), { timeout: 12_000, interval: 200 }).toMatch(/GET \/never: the app is still running/);
    await leaks.settled('an app that never answered', 2000);
  }, 20_000);
});
