// The HTTP connector in process: the conformance suite, what a web server would do, and aborts.
import { createHash } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cgi } from '@netcgi/core';
import { conformanceApp, conformanceOptions } from '@netcgi/connector-test/conformance';
import { describeConformance } from '@netcgi/connector-test/conformance/vitest';
import { runHttp, type HttpServer } from '@netcgi/connector-http';
import { httpConformanceDriver } from '../../../test-support/http-driver.js';

let abortSeen: unknown;

/** The conformance app, and routes for what only an HTTP server shows. */
async function app(cgi: Cgi): Promise<void> {
  const path = cgi.environment.pathInfo;
  if (path === '/variables') {
    cgi.setHeader({ contentType: 'application/json' });
    cgi.out.write(JSON.stringify(Object.fromEntries(cgi.environment.properties)));
    return;
  }
  if (path === '/url') {
    cgi.setHeader({ contentType: 'text/plain' });
    cgi.out.write(cgi.url());
    return;
  }
  if (path === '/wait-abort') {
    cgi.out.write('started');
    await cgi.out.send('\n');
    abortSeen = await new Promise((resolve) => cgi.signal.addEventListener('abort', () => resolve(cgi.signal.reason)));
    return;
  }
  if (path === '/stuck-drain') {
    // Writes until write() says no, then waits for a 'drain' that an abort never brings.
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (;;) {
      while (cgi.out.write(chunk));
      await new Promise((resolve) => cgi.out.once('drain', resolve));
    }
  }
  if (path === '/pieces') {
    cgi.setHeader({ contentType: 'text/plain' });
    cgi.out.write('one,');
    cgi.out.write('two,');
    await new Promise((resolve) => setTimeout(resolve, 10));
    cgi.out.write('three');
    return;
  }
  if (path === '/every-byte') {
    // Every byte value, then UTF-8 text, in one write: the small-body path sends it as latin1.
    cgi.setHeader({ contentType: 'application/octet-stream' });
    cgi.out.write(Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, index) => index)), Buffer.from('é€')]));
    return;
  }
  if (path === '/ignore-body') {
    cgi.setHeader({ contentType: 'text/plain' });
    cgi.out.write('not read');
    return;
  }
  if (path === '/first-64k') {
    // Reads the first 64 KiB of a streamed body, answers, then reads the rest.
    const stream = cgi.body!.open();
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      const before = size;
      size += (chunk as Buffer).length;
      if (before < 65536 && size >= 65536) await cgi.out.send('seen 65536\n');
    }
    cgi.out.write(`size ${size} sha256 ${hash.digest('hex')}\n`);
    return;
  }
  return conformanceApp(cgi);
}

let server: HttpServer;
let port = 0;
beforeAll(async () => {
  server = await runHttp(app, {
    ...conformanceOptions,
    argStore: (env, name, part) => (env.pathInfo === '/first-64k' ? 'stream' : conformanceOptions.argStore!(env, name, part)),
    listen: { port: 0 },
    scriptName: '/app',
    handleSignals: false,
    logError: () => {},
  });
  port = server.address()!.port;
});
afterAll(async () => { await server.close(1000); });

describeConformance('conformance through connector-http', httpConformanceDriver(() => `http://127.0.0.1:${port}/app`));

/** A chunked body's content and what follows its last chunk. */
function dechunk(text: string): { content: string; after: string } {
  let content = '';
  for (let rest = text; ;) {
    const sizeEnd = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, sizeEnd), 16);
    if (Number.isNaN(size)) throw new Error(`not a chunked body: ${JSON.stringify(text)}`);
    if (size === 0) return { content, after: rest.slice(sizeEnd + 4) };
    content += rest.slice(sizeEnd + 2, sizeEnd + 2 + size);
    rest = rest.slice(sizeEnd + 2 + size + 2);
  }
}

/**
 * One request with `Connection: close` on its own connection; the raw response text. The socket
 * is not half-closed after the request: node:http takes a client's FIN as an abort.
 */
function rawRequest(text: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk)).on('end', () => resolve(Buffer.concat(chunks).toString('latin1'))).on('error', reject);
    socket.write(text);
  });
}

describe('connector-http', () => {
  it('sets the CGI variables a web server would', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/app/variables?x=1`, { headers: { 'X-Custom': 'yes', Proxy: 'http://evil/' } });
    const variables = await response.json() as Record<string, string>;
    expect(variables).toMatchObject({
      REQUEST_METHOD: 'GET', SCRIPT_NAME: '/app', PATH_INFO: '/variables', QUERY_STRING: 'x=1', REQUEST_URI: '/app/variables?x=1',
      SERVER_NAME: '127.0.0.1', SERVER_PORT: String(port), SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.1', GATEWAY_INTERFACE: 'CGI/1.1',
    });
    expect(variables.REMOTE_PORT).toMatch(/^\d+$/);
  });

  it('url() is built from Host, but never with another port than the request came in on', async () => {
    expect(await rawRequest('GET /app/url HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n')).toMatch(new RegExp(`\\r\\n\\r\\n(?:[0-9a-f]+\\r\\n)?http://example\\.com:${port}/app/url`));
    expect(await rawRequest('GET /app/url HTTP/1.1\r\nHost: example.com:1\r\nConnection: close\r\n\r\n')).toContain(`http://example.com:${port}/app/url`);
  });

  it('keeps the connection alive between requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ports: number[] = [];
    for (let index = 0; index < 3; index++) {
      await new Promise<void>((resolve, reject) => {
        httpRequest({ port, path: '/app/hello', agent }, (response) => {
          ports.push(response.socket.localPort!);
          response.resume().on('end', resolve);
        }).on('error', reject).end();
      });
    }
    agent.destroy();
    expect(new Set(ports).size).toBe(1);
  });

  it('takes a chunked upload', async () => {
    const body = Buffer.alloc(300_000, 7);
    const raw = await rawRequest(Buffer.concat([
      Buffer.from('PUT /app/body HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n'),
      Buffer.from(`${(100_000).toString(16)}\r\n`), body.subarray(0, 100_000), Buffer.from('\r\n'),
      Buffer.from(`${(200_000).toString(16)}\r\n`), body.subarray(100_000), Buffer.from('\r\n0\r\n\r\n'),
    ]));
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(raw).toContain(`"size":300000`);
    expect(raw).toContain(createHash('sha256').update(body).digest('hex'));
  });

  it('reads a streamed body as it arrives: the answer about its first 64 KiB comes before the rest is sent', async () => {
    const body = Buffer.alloc(4 * 1024 * 1024, 3);
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1'); });
    socket.write(`POST /app/first-64k HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
    socket.write(body.subarray(0, 65536));
    await expect.poll(() => received, { timeout: 5000 }).toContain('seen 65536');
    expect(received).not.toContain('size ');
    socket.end(body.subarray(65536));
    await new Promise((resolve) => socket.on('close', resolve));
    expect(received).toContain(`size ${body.length} sha256 ${createHash('sha256').update(body).digest('hex')}`);
  });

  it('an unread body is drained after the response, so the connection serves the next request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ports: number[] = [];
    for (const path of ['/app/ignore-body', '/app/hello']) {
      await new Promise<void>((resolve, reject) => {
        const outgoing = httpRequest({ port, path, method: 'POST', agent, headers: { 'Content-Type': 'application/octet-stream' } }, (response) => {
          ports.push(response.socket.localPort!);
          response.resume().on('end', resolve);
        });
        outgoing.on('error', reject).end(Buffer.alloc(100_000));
      });
    }
    agent.destroy();
    expect(ports[0]).toBe(ports[1]);
  });

  it('a client that goes away aborts cgi.signal with RequestAbortedError', async () => {
    const { RequestAbortedError } = await import('@netcgi/core');
    abortSeen = undefined;
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /app/wait-abort HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    socket.destroy();
    await expect.poll(() => abortSeen, { timeout: 5000 }).toBeInstanceOf(RequestAbortedError);
    await expect.poll(() => server.activeRequests).toBe(0);
  });

  it('a client that goes away frees the request whatever the app does (one stuck on a drain)', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /app/stuck-drain HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause();
    await expect.poll(() => server.activeRequests).toBe(1);
    // The app waits for its drain; it waits for ever once the client is gone.
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    await expect.poll(() => server.activeRequests, { timeout: 5000 }).toBe(0);
  });

  it('a body written at once goes out with its Content-Length; one written in pieces, chunked and whole', async () => {
    const single = await rawRequest('GET /app/hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(single).toMatch(/\r\nContent-Length: 13\r\n/);
    expect(single.endsWith('\r\n\r\nHello, world\n')).toBe(true);
    const pieces = await fetch(`http://127.0.0.1:${port}/app/pieces`);
    expect(pieces.headers.get('transfer-encoding')).toBe('chunked');
    expect(await pieces.text()).toBe('one,two,three');
  });

  it('a small body written at once keeps every byte (0-255 and UTF-8)', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/app/every-byte`);
    const expected = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, index) => index)), Buffer.from('é€')]);
    expect(response.headers.get('content-length')).toBe(String(expected.length));
    expect(Buffer.from(await response.arrayBuffer()).equals(expected)).toBe(true);
  });

  it('under load (requests read several to a turn, their responses sent at its end) each response is whole', async () => {
    // Pipelined on one connection: node:http reads them all in one turn.
    const request = (path: string, method = 'GET', close = false): string => `${method} /app/${path} HTTP/1.1\r\nHost: x\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
    const kinds = ['hello', 'head', 'pieces'] as const;
    for (let round = 0; round < 3; round++) {
      const sequence = Array.from({ length: 30 }, (_, index) => kinds[index % 3]!);
      let rest = await rawRequest(sequence.map((kind, index) => request(kind === 'pieces' ? 'pieces' : 'hello', kind === 'head' ? 'HEAD' : 'GET', index === sequence.length - 1)).join(''));
      for (const [index, kind] of sequence.entries()) {
        const headEnd = rest.indexOf('\r\n\r\n');
        const head = rest.slice(0, headEnd);
        rest = rest.slice(headEnd + 4);
        expect(head, `response ${index}`).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
        if (kind === 'hello') {
          expect([head.includes('\r\nContent-Length: 13'), rest.slice(0, 13)], `response ${index}`).toEqual([true, 'Hello, world\n']);
          rest = rest.slice(13);
        } else if (kind === 'pieces') {
          expect(head, `response ${index}`).toMatch(/\r\nTransfer-Encoding: chunked/);
          const { content, after } = dechunk(rest);
          expect(content, `response ${index}`).toBe('one,two,three');
          rest = after;
        }
      }
      expect(rest).toBe('');
    }
  });

  it('HEAD answers the head without a body', async () => {
    const raw = await rawRequest('HEAD /app/hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
  });
});

describe('trustProxy', () => {
  it('takes X-Forwarded-* only when asked to', async () => {
    const headers = { 'X-Forwarded-For': '203.0.113.9, 198.51.100.7', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'www.example.org' };
    const untrusted = await (await fetch(`http://127.0.0.1:${port}/app/variables`, { headers })).json() as Record<string, string>;
    expect([untrusted.REMOTE_ADDR, untrusted.HTTPS, untrusted.SERVER_NAME]).toEqual(['127.0.0.1', undefined, '127.0.0.1']);
    const proxied = await runHttp(app, { listen: { port: 0 }, trustProxy: true, handleSignals: false });
    try {
      const trusted = await (await fetch(`http://127.0.0.1:${proxied.address()!.port}/variables`, { headers })).json() as Record<string, string>;
      expect([trusted.REMOTE_ADDR, trusted.HTTPS, trusted.SERVER_NAME, trusted.SERVER_PORT]).toEqual(['198.51.100.7', 'on', 'www.example.org', '443']);
    } finally {
      await proxied.close(1000);
    }
  });
});
