// Bodies reach the app as they arrive: a client playing the web server holds back the rest of a
// body until the app has answered about its first 64 KiB.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FcgiCgi } from '@netcgi/connector-fcgi';
import { encodeBeginRequestBody, encodeNameValuePairs, encodeRecord, BeginRequestFlag, RecordType, Role } from '@netcgi/connector-fcgi/protocol';
import { patternBytes } from '@netcgi/connector-test/conformance';
import { FcgiClient } from './helpers/fcgi-client.js';
import { startServer, type RunningServer } from './helpers/server.js';

const FIRST = 64 * 1024;

/** Reads `stream`, writing `seen N` as soon as it has FIRST bytes, then the size and hash of all. */
async function readLive(cgi: FcgiCgi, stream: AsyncIterable<unknown>): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  let told = false;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (!told && size >= FIRST) {
      told = true;
      cgi.out.write(`seen ${FIRST}\n`);
    }
  }
  cgi.out.write(`size ${size} sha256 ${hash.digest('hex')}\n`);
}

let readError: unknown;

async function app(cgi: FcgiCgi): Promise<void> {
  cgi.setHeader({ contentType: 'text/plain' });
  if (cgi.environment.scriptName === '/abort') {
    try {
      await readLive(cgi, cgi.body!.open());
    } catch (error) {
      readError = error;
    }
    return;
  }
  if (cgi.body !== undefined) return readLive(cgi, cgi.body.open());
  // Fields arrive whole: those before the first streamed part are arguments.
  for (const argument of cgi.arguments) cgi.out.write(`field ${argument.name}=${argument.value}\n`);
  for await (const part of cgi.parts()) {
    if (part.filename === undefined) cgi.out.write(`field ${part.name}=${part.value}\n`);
    else await readLive(cgi, part.open());
  }
}

let running: RunningServer;
beforeAll(async () => { running = await startServer(app, { argStore: () => 'stream' }); });
afterAll(async () => { await running.server.close(1000); });

/** BEGIN_REQUEST and the whole PARAMS stream of request 1. */
function head(params: Record<string, string>): Buffer[] {
  return [
    encodeRecord(RecordType.BeginRequest, 1, encodeBeginRequestBody(Role.Responder, BeginRequestFlag.KeepConnection)),
    encodeRecord(RecordType.Params, 1, encodeNameValuePairs(Object.entries(params))),
    encodeRecord(RecordType.Params, 1),
  ];
}

/** `bytes` as STDIN records of at most 32 KiB (nginx's size), without the closing empty one. */
function stdin(bytes: Buffer): Buffer[] {
  const records: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 32 * 1024) records.push(encodeRecord(RecordType.Stdin, 1, bytes.subarray(offset, offset + 32 * 1024)));
  return records;
}

/** What request 1 has sent on STDOUT so far. */
function stdoutSoFar(client: FcgiClient): string {
  return Buffer.concat(client.recordsOf(1).filter((record) => record.type === RecordType.Stdout).map((record) => record.content)).toString('latin1');
}

async function sendInTwoParts(body: Buffer, split: number, params: Record<string, string>): Promise<string> {
  const client = await FcgiClient.connect(running.port);
  try {
    client.write([...head(params), ...stdin(body.subarray(0, split))]);
    // The rest of the body is still here, unsent: the app must answer about what it has.
    await client.until(() => stdoutSoFar(client).includes(`seen ${FIRST}\n`), 'the app to report the first 64 KiB');
    expect(stdoutSoFar(client)).not.toContain('size ');
    client.write([...stdin(body.subarray(split)), encodeRecord(RecordType.Stdin, 1)]);
    const response = await client.response(1);
    expect(response.appStatus).toBe(0);
    return response.stdout.toString('latin1');
  } finally {
    client.close();
  }
}

describe('streamed bodies over FastCGI', () => {
  it('the app reads the first 64 KiB of a 4 MiB raw body and answers before the rest is sent', async () => {
    const body = patternBytes(4 * 1024 * 1024, 3);
    const params = { REQUEST_METHOD: 'PUT', SCRIPT_NAME: '/upload', CONTENT_TYPE: 'application/octet-stream', CONTENT_LENGTH: String(body.length), SERVER_PROTOCOL: 'HTTP/1.1' };
    const output = await sendInTwoParts(body, FIRST, params);
    expect(output).toContain(`seen ${FIRST}\nsize ${body.length} sha256 ${sha256(body)}\n`);
  });

  it('the app reads the first 64 KiB of a 2 MiB multipart file part and answers before the rest is sent', async () => {
    const boundary = 'stream-boundary-5d2e';
    const file = patternBytes(2 * 1024 * 1024, 5);
    const partHead = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nT\r\n--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
    const body = Buffer.concat([partHead, file, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const params = { REQUEST_METHOD: 'POST', SCRIPT_NAME: '/upload', CONTENT_TYPE: `multipart/form-data; boundary=${boundary}`, CONTENT_LENGTH: String(body.length), SERVER_PROTOCOL: 'HTTP/1.1' };
    // The part's head and a little more than 64 KiB of it: busboy holds back a possible boundary.
    const output = await sendInTwoParts(body, partHead.length + FIRST + 256, params);
    expect(output).toContain(`field title=T\nseen ${FIRST}\nsize ${file.length} sha256 ${sha256(file)}\n`);
  });
});

describe('an aborted streamed body', () => {
  it('FCGI_ABORT_REQUEST reaches the app reading the body as RequestAbortedError', async () => {
    const { RequestAbortedError } = await import('@netcgi/core');
    const body = patternBytes(1024 * 1024, 9);
    const client = await FcgiClient.connect(running.port);
    try {
      client.write([...head({ REQUEST_METHOD: 'POST', SCRIPT_NAME: '/abort', CONTENT_TYPE: 'application/octet-stream', CONTENT_LENGTH: String(body.length) }), ...stdin(body.subarray(0, FIRST))]);
      await client.until(() => stdoutSoFar(client).includes(`seen ${FIRST}`), 'the app to start reading');
      client.write([encodeRecord(RecordType.AbortRequest, 1)]);
      await client.response(1);
      await expect.poll(() => readError).toBeInstanceOf(RequestAbortedError);
    } finally {
      client.close();
    }
  });
});

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
