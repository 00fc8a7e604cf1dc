// The application server against a client that plays the web server, record by record.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FcgiCgi } from '@netcgi/connector-fcgi';
import {
  decodeNameValuePairs,
  encodeBeginRequestBody,
  encodeNameValuePairs,
  encodeRecord,
  ProtocolStatus,
  RecordType,
  Role,
} from '@netcgi/connector-fcgi/protocol';
import { parseCgiResponse } from '@netcgi/connector-test';
import { FcgiClient, getParams, requestRecords } from './helpers/fcgi-client.js';
import { startServer, type RunningServer } from './helpers/server.js';

/** Requests to /barrier wait until `barrierSize` of them are running at once. */
let barrierSize = 0;
let barrierArrived = 0;
let openBarrier: () => void = () => {};
let barrier = new Promise<void>((resolve) => { openBarrier = resolve; });
function resetBarrier(size: number): void {
  barrierSize = size;
  barrierArrived = 0;
  barrier = new Promise<void>((resolve) => { openBarrier = resolve; });
}
let abortsSeen = 0;
/** The temp file of the body /stuck-drain stored, and whether that app ever returned. */
let stuckBodyPath: string | undefined;
let stuckReturned = false;
let abortRequested = false;
let lateSignalAborted: boolean | undefined;

async function app(cgi: FcgiCgi): Promise<void> {
  cgi.setHeader({ contentType: 'text/plain' });
  switch (cgi.environment.scriptName) {
    case '/barrier':
      if (++barrierArrived === barrierSize) openBarrier();
      await barrier;
      cgi.out.write(`passed ${cgi.argumentValue('id')}`);
      return;
    case '/wait-abort':
      await new Promise((resolve) => cgi.signal.addEventListener('abort', resolve));
      abortsSeen++;
      return;
    case '/late-signal':
      // The signal is made on first read: one read after the abort must find it aborted.
      while (!abortRequested) await new Promise((resolve) => setTimeout(resolve, 2));
      await new Promise((resolve) => setTimeout(resolve, 20));
      lateSignalAborted = cgi.signal.aborted;
      return;
    case '/stuck-drain': {
      // The usual Node pattern: write until write() says no, then wait for 'drain'. After an
      // abort no 'drain' comes: this app never returns.
      stuckBodyPath = cgi.body?.path;
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      for (;;) {
        while (cgi.out.write(chunk));
        await new Promise((resolve) => cgi.out.once('drain', resolve));
      }
      stuckReturned = true;
      return;
    }
    case '/log':
      cgi.environment.logError('a line for the error log');
      cgi.out.write('logged');
      return;
    case '/role':
      if (cgi.role === 'authorizer') cgi.setHeader({ status: cgi.argumentValue('deny') === '' ? 200 : 403, fields: { 'Variable-AUTH_USER': 'alice' } });
      cgi.out.write(`${cgi.role} ${cgi.dataLength} ${cgi.dataMtime}\n`);
      if (cgi.role === 'filter') for await (const chunk of cgi.data) cgi.out.write(chunk as Buffer);
      else if (cgi.argumentExists('data')) {
        for await (const chunk of cgi.data) cgi.out.write(chunk as Buffer);
        cgi.out.write('(data ended)');
      }
      return;
    case '/echo':
      cgi.out.write(cgi.arguments.map((argument) => `${argument.name}=${argument.value}`).join('&'));
      return;
    default:
      cgi.out.write(`hello ${cgi.argumentValue('name', 'world')}`);
  }
}

let running: RunningServer;
beforeAll(async () => { running = await startServer(app, { maxReqs: 50, maxParamsSize: 64 * 1024 }); });
afterAll(async () => { await running.server.close(1000); });

function body(stdout: Buffer): string {
  return parseCgiResponse(stdout).body.toString();
}

describe('responder', () => {
  it('answers with STDOUT, an empty STDOUT, then END_REQUEST(REQUEST_COMPLETE, appStatus 0)', async () => {
    const client = await FcgiClient.connect(running.port);
    const response = await client.request(1, getParams('/hello?name=fcgi'));
    expect(parseCgiResponse(response.stdout).status).toBe(200);
    expect(body(response.stdout)).toBe('hello fcgi');
    expect([response.protocolStatus, response.appStatus]).toEqual([ProtocolStatus.RequestComplete, 0]);
    const last = response.records.slice(-2).map((record) => [record.type, record.content.length]);
    expect(last).toEqual([[RecordType.Stdout, 0], [RecordType.EndRequest, 8]]);
    client.close();
  });

  it('reads a urlencoded body that arrives in many STDIN records', async () => {
    const client = await FcgiClient.connect(running.port);
    const form = Buffer.from('a=1&b=two&c=three');
    const params = { ...getParams('/echo'), REQUEST_METHOD: 'POST', CONTENT_TYPE: 'application/x-www-form-urlencoded', CONTENT_LENGTH: String(form.length) };
    // The params and the empty STDIN from requestRecords, one STDIN record per byte between them.
    const stdin = [...form].map((byte) => encodeRecord(RecordType.Stdin, 1, Buffer.of(byte)));
    client.write([...requestRecords(1, params).slice(0, -1), ...stdin, encodeRecord(RecordType.Stdin, 1)]);
    expect(body((await client.response(1)).stdout)).toBe('a=1&b=two&c=three');
    client.close();
  });

  it('reads params split into one-byte PARAMS records (a pair spans records)', async () => {
    const client = await FcgiClient.connect(running.port);
    const params = encodeNameValuePairs(Object.entries(getParams('/hello?name=split', { HTTP_X_LONG: 'v'.repeat(300) })));
    client.write([
      encodeRecord(RecordType.BeginRequest, 1, encodeBeginRequestBody(Role.Responder, 1)),
      ...[...params].map((byte) => encodeRecord(RecordType.Params, 1, Buffer.of(byte))),
      encodeRecord(RecordType.Params, 1),
      encodeRecord(RecordType.Stdin, 1),
    ]);
    expect(body((await client.response(1)).stdout)).toBe('hello split');
    client.close();
  });

  it('survives a request whose bytes arrive one at a time', async () => {
    const client = await FcgiClient.connect(running.port);
    client.socket.setNoDelay(true);
    const bytes = Buffer.concat(requestRecords(7, getParams('/hello?name=bytewise')));
    for (const byte of bytes) {
      client.socket.write(Buffer.of(byte));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(body((await client.response(7)).stdout)).toBe('hello bytewise');
    client.close();
  });

  it('sends log lines as FCGI_STDERR and ends that stream before END_REQUEST', async () => {
    const client = await FcgiClient.connect(running.port);
    const response = await client.request(1, getParams('/log'));
    expect(response.stderr.toString()).toBe('a line for the error log\n');
    const stderrRecords = response.records.filter((record) => record.type === RecordType.Stderr);
    expect(stderrRecords.at(-1)!.content.length).toBe(0);
    client.close();
  });
});

describe('connections', () => {
  it('keeps the connection with FCGI_KEEP_CONN and serves the next request on it', async () => {
    const client = await FcgiClient.connect(running.port);
    for (const id of [1, 1, 2]) expect(body((await client.request(id, getParams(`/hello?name=${id}`))).stdout)).toBe(`hello ${id}`);
    expect(client.closed).toBe(false);
    client.close();
  });

  it('closes the connection after END_REQUEST without FCGI_KEEP_CONN, the response whole', async () => {
    const client = await FcgiClient.connect(running.port);
    const response = await client.request(1, getParams('/hello?name=once'), undefined, { keepConnection: false });
    expect(body(response.stdout)).toBe('hello once');
    await client.whenClosed();
  });

  it('runs interleaved requests on one connection at the same time', async () => {
    const client = await FcgiClient.connect(running.port);
    const ids = [1, 2, 3, 4, 5, 6, 7, 8];
    resetBarrier(ids.length);
    // Interleave record by record: every BEGIN_REQUEST, then every PARAMS record, then every STDIN.
    const perRequest = ids.map((id) => requestRecords(id, getParams(`/barrier?id=${id}`)));
    for (let index = 0; index < perRequest[0]!.length; index++) client.write(perRequest.map((records) => records[index]!));
    // Each request waits for all the others: a server running them one at a time never answers.
    const responses = await Promise.all(ids.map((id) => client.response(id)));
    expect(responses.map((response) => body(response.stdout))).toEqual(ids.map((id) => `passed ${id}`));
    client.close();
  });

  it('runs requests on different connections at the same time', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => FcgiClient.connect(running.port)));
    resetBarrier(clients.length);
    const responses = await Promise.all(clients.map((client, index) => client.request(1, getParams(`/barrier?id=${index}`))));
    expect(responses.map((response) => body(response.stdout))).toEqual(['passed 0', 'passed 1', 'passed 2']);
    for (const client of clients) client.close();
  });

  it('aborts a request on FCGI_ABORT_REQUEST: the app sees its signal, END_REQUEST answers', async () => {
    const client = await FcgiClient.connect(running.port);
    const before = abortsSeen;
    client.write(requestRecords(3, getParams('/wait-abort')));
    await waitFor(() => running.server.activeRequests > 0);
    client.write([encodeRecord(RecordType.AbortRequest, 3)]);
    const response = await client.response(3);
    expect(response.protocolStatus).toBe(ProtocolStatus.RequestComplete);
    expect(response.appStatus).toBe(1);
    await waitFor(() => abortsSeen === before + 1 && running.server.activeRequests === 0);
    // The id is free again and the connection still serves.
    expect(body((await client.request(3, getParams('/hello'))).stdout)).toBe('hello world');
    client.close();
  });

  it('an app that reads cgi.signal only after FCGI_ABORT_REQUEST finds it aborted', async () => {
    const client = await FcgiClient.connect(running.port);
    client.write(requestRecords(4, getParams('/late-signal')));
    await waitFor(() => running.server.activeRequests > 0);
    client.write([encodeRecord(RecordType.AbortRequest, 4)]);
    expect((await client.response(4)).appStatus).toBe(1);
    abortRequested = true;
    await waitFor(() => lateSignalAborted !== undefined);
    expect(lateSignalAborted).toBe(true);
    client.close();
  });

  it('aborts the requests of a web server that goes away, and serves others on', async () => {
    const leaving = await FcgiClient.connect(running.port);
    const before = abortsSeen;
    leaving.write(requestRecords(1, getParams('/wait-abort')));
    await waitFor(() => running.server.activeRequests > 0);
    leaving.close();
    await waitFor(() => abortsSeen === before + 1 && running.server.activeRequests === 0);
    const staying = await FcgiClient.connect(running.port);
    expect(body((await staying.request(1, getParams('/hello'))).stdout)).toBe('hello world');
    staying.close();
  });
});

describe('management records', () => {
  it('answers FCGI_GET_VALUES with the real settings, and only the names it knows', async () => {
    const client = await FcgiClient.connect(running.port);
    const query = encodeNameValuePairs([['FCGI_MAX_CONNS', ''], ['FCGI_MAX_REQS', ''], ['FCGI_MPXS_CONNS', ''], ['FCGI_UNHEARD_OF', '']]);
    client.write([encodeRecord(RecordType.GetValues, 0, query)]);
    const answer = await client.managementRecord();
    expect(answer.type).toBe(RecordType.GetValuesResult);
    expect(decodeNameValuePairs(answer.content)).toEqual([['FCGI_MAX_CONNS', '1024'], ['FCGI_MAX_REQS', '50'], ['FCGI_MPXS_CONNS', '1']]);
    client.close();
  });

  it('answers any other management record with FCGI_UNKNOWN_TYPE naming its type', async () => {
    const client = await FcgiClient.connect(running.port);
    client.write([encodeRecord(200 as RecordType, 0, Buffer.from('??'))]);
    const answer = await client.managementRecord();
    expect([answer.type, answer.requestId]).toEqual([RecordType.UnknownType, 0]);
    expect([...answer.content]).toEqual([200, 0, 0, 0, 0, 0, 0, 0]);
    client.close();
  });

  it('answers an unknown role with FCGI_UNKNOWN_ROLE and serves on', async () => {
    const client = await FcgiClient.connect(running.port);
    client.write([encodeRecord(RecordType.BeginRequest, 4, encodeBeginRequestBody(9, 1))]);
    expect((await client.response(4)).protocolStatus).toBe(ProtocolStatus.UnknownRole);
    expect(body((await client.request(4, getParams('/hello'))).stdout)).toBe('hello world');
    client.close();
  });
});

describe('roles', () => {
  it('tells a Filter its FCGI_DATA stream, split over many records, with length and mtime', async () => {
    const client = await FcgiClient.connect(running.port);
    const file = Buffer.from('x'.repeat(70_000) + 'end');
    const records = requestRecords(2, { ...getParams('/role'), FCGI_DATA_LENGTH: String(file.length), FCGI_DATA_LAST_MOD: '1700000000' }, undefined, { role: Role.Filter });
    for (let start = 0; start < file.length; start += 1000) records.push(encodeRecord(RecordType.Data, 2, file.subarray(start, start + 1000)));
    records.push(encodeRecord(RecordType.Data, 2));
    client.write(records);
    expect(body((await client.response(2)).stdout)).toBe(`filter ${file.length} 1700000000\n${file.toString()}`);
    client.close();
  });

  it('lets an Authorizer answer 200 with Variable- fields, or deny with another status', async () => {
    const client = await FcgiClient.connect(running.port);
    const allowed = parseCgiResponse((await client.request(1, getParams('/role'), undefined, { role: Role.Authorizer })).stdout);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('variable-auth_user')).toBe('alice');
    // An authorizer gets no STDIN: a POST's content type must not make it wait for a body.
    const post = { ...getParams('/role?deny=1'), REQUEST_METHOD: 'POST', CONTENT_TYPE: 'application/x-www-form-urlencoded' };
    client.write(requestRecords(2, post, undefined, { role: Role.Authorizer }).slice(0, -1));
    expect(parseCgiResponse((await client.response(2)).stdout).status).toBe(403);
    client.close();
  });

  it('names the role of a Responder, whose data stream is empty', async () => {
    const client = await FcgiClient.connect(running.port);
    expect(body((await client.request(1, getParams('/role?data=1'))).stdout)).toBe('responder 0 0\n(data ended)');
    client.close();
  });
});

describe('aborts', () => {
  it('free the request slot and its temp files when END_REQUEST goes out, whatever the app does', async () => {
    const active = running.server.activeRequests;
    const client = await FcgiClient.connect(running.port);
    // The client stops reading: the app's writes back up until it waits for a 'drain'.
    client.socket.pause();
    const params = { ...getParams('/stuck-drain'), REQUEST_METHOD: 'POST', CONTENT_TYPE: 'application/octet-stream', CONTENT_LENGTH: String(2 * 1024 * 1024) };
    client.write(requestRecords(1, params, Buffer.alloc(2 * 1024 * 1024, 0x62)));
    await waitFor(() => stuckBodyPath !== undefined && running.server.activeRequests === active + 1);
    // Stored in a temp file (over the memory limit), still there while the app runs.
    expect(existsSync(stuckBodyPath!)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.write([encodeRecord(RecordType.AbortRequest, 1)]);
    // The slot is free at once; the file's removal, begun at the abort, takes its unlink.
    await waitFor(() => running.server.activeRequests === active);
    await waitFor(() => !existsSync(stuckBodyPath!));
    expect(stuckReturned).toBe(false);
    client.socket.resume();
    expect((await client.response(1)).appStatus).toBe(1);
    client.close();
  });
});

describe('bad input', () => {
  it('closes a connection that sends a record of another version; the process and others live on', async () => {
    const other = await FcgiClient.connect(running.port);
    const broken = await FcgiClient.connect(running.port);
    const record = encodeRecord(RecordType.BeginRequest, 1, encodeBeginRequestBody(Role.Responder, 1));
    record[0] = 2;
    broken.write([record]);
    await broken.whenClosed();
    expect(running.errors.at(-1)).toMatch(/unsupported FastCGI version 2/);
    expect(body((await other.request(1, getParams('/hello'))).stdout)).toBe('hello world');
    other.close();
  });

  it('closes a connection whose params are not name-value pairs', async () => {
    const client = await FcgiClient.connect(running.port);
    client.write([
      encodeRecord(RecordType.BeginRequest, 1, encodeBeginRequestBody(Role.Responder, 1)),
      encodeRecord(RecordType.Params, 1, Buffer.from([5, 200, 0, 0, 0, 65])),
      encodeRecord(RecordType.Params, 1),
    ]);
    await client.whenClosed();
    expect(running.errors.at(-1)).toMatch(/name-value/);
  });

  it('closes a connection that begins a request id already active', async () => {
    const client = await FcgiClient.connect(running.port);
    const begin = encodeRecord(RecordType.BeginRequest, 5, encodeBeginRequestBody(Role.Responder, 1));
    client.write([begin, begin]);
    await client.whenClosed();
    expect(running.errors.at(-1)).toMatch(/request 5, which is already active/);
  });

  it('answers 431 to params over maxParamsSize without running the app', async () => {
    const client = await FcgiClient.connect(running.port);
    const response = await client.request(1, getParams('/hello', { HTTP_X_HUGE: 'x'.repeat(70_000) }));
    expect(parseCgiResponse(response.stdout).status).toBe(431);
    expect(response.appStatus).toBe(1);
    expect(body((await client.request(2, getParams('/hello'))).stdout)).toBe('hello world');
    client.close();
  });

  it('closes a connection that sends STDIN before the end of PARAMS, instead of wedging on it', async () => {
    // Nine STDIN records of a request whose PARAMS never end: held, they filled the body's stream
    // (8 records), which paused the socket for good: the end of PARAMS, an abort and the peer's
    // close were never read, the connection sat in CLOSE-WAIT and held its slots until shutdown.
    const active = running.server.activeRequests;
    const client = await FcgiClient.connect(running.port);
    client.write([
      encodeRecord(RecordType.BeginRequest, 1, encodeBeginRequestBody(Role.Responder, 1)),
      encodeRecord(RecordType.Params, 1, encodeNameValuePairs(Object.entries(getParams('/hello')))),
      ...Array.from({ length: 9 }, () => encodeRecord(RecordType.Stdin, 1, Buffer.alloc(1000, 0x61))),
    ]);
    await client.whenClosed();
    expect(running.errors.at(-1)).toMatch(/STDIN for request 1 before the end of its PARAMS/);
    await waitFor(() => running.server.activeRequests === active);
    const next = await FcgiClient.connect(running.port);
    expect(body((await next.request(1, getParams('/hello'))).stdout)).toBe('hello world');
    next.close();
  });

  it('ignores records for request ids that are not active', async () => {
    const client = await FcgiClient.connect(running.port);
    client.write([encodeRecord(RecordType.Stdin, 9, Buffer.from('stray')), encodeRecord(RecordType.AbortRequest, 9)]);
    expect(body((await client.request(1, getParams('/hello'))).stdout)).toBe('hello world');
    expect(client.recordsOf(9)).toEqual([]);
    client.close();
  });
});

/** Polls `condition` every few ms; the test's timeout is the failure signal. */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
