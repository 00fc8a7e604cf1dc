// Limits, allow lists, shutdown and backpressure of the FastCGI server.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFcgi, type FcgiCgi } from '@netcgi/connector-fcgi';
import { encodeBeginRequestBody, encodeNameValuePairs, encodeRecord, ProtocolStatus, RecordType, Role } from '@netcgi/connector-fcgi/protocol';
import { parseCgiResponse } from '@netcgi/connector-test';
import { FcgiClient, getParams, requestRecords } from './helpers/fcgi-client.js';
import { startServer } from './helpers/server.js';

/** /hold waits for `release()`; anything else says hello. */
function holdingApp(): { app: (cgi: FcgiCgi) => Promise<void>; release: () => void; held: () => number } {
  let held = 0;
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => { release = resolve; });
  return {
    app: async (cgi) => {
      if (cgi.environment.scriptName === '/hold') {
        held++;
        await released;
      }
      cgi.out.write('done');
    },
    release: () => release(),
    held: () => held,
  };
}

const body = (stdout: Buffer): string => parseCgiResponse(stdout).body.toString();

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('limits', () => {
  it('bounds the PARAMS all unfinished requests hold (maxParamsTotal): past it a 503, and the bytes come back', async () => {
    // Unbounded, 100 unfinished 4 MiB PARAMS streams on one connection took RSS from 51 to 632 MiB.
    const { server, port } = await startServer(async (cgi) => { cgi.out.write('done'); }, { maxParamsSize: 64 * 1024, maxParamsTotal: 200 * 1024 });
    const part = encodeNameValuePairs([['HTTP_X_FILLER', 'x'.repeat(60 * 1024)]]);
    const holders = await Promise.all([1, 2, 3].map(() => FcgiClient.connect(port)));
    for (const holder of holders) {
      holder.write([encodeRecord(RecordType.BeginRequest, 1, encodeBeginRequestBody(Role.Responder, 1)), encodeRecord(RecordType.Params, 1, part)]);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    // 3 × 60 KiB held: a fourth 60 KiB would pass 200 KiB.
    const refused = await FcgiClient.connect(port);
    const answer = await refused.request(1, { ...getParams('/hello'), HTTP_X_FILLER: 'x'.repeat(60 * 1024) });
    expect(parseCgiResponse(answer.stdout).status).toBe(503);
    expect(body(answer.stdout)).toMatch(/unfinished FastCGI params already \(maxParamsTotal\)/);
    // A request whose params fit is served meanwhile.
    expect(body((await refused.request(2, getParams('/hello'))).stdout)).toBe('done');
    // The holders go away: their bytes are free again.
    for (const holder of holders) holder.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(body((await refused.request(3, { ...getParams('/hello'), HTTP_X_FILLER: 'x'.repeat(60 * 1024) })).stdout)).toBe('done');
    refused.close();
    await server.close(1000);
  });

  it('answers FCGI_OVERLOADED past maxReqs requests at once, and serves again after', async () => {
    const holding = holdingApp();
    const { server, port } = await startServer(holding.app, { maxReqs: 2, maxReqsPerConn: 2 });
    const client = await FcgiClient.connect(port);
    client.write([...requestRecords(1, getParams('/hold')), ...requestRecords(2, getParams('/hold'))]);
    await waitFor(() => holding.held() === 2);
    expect((await client.request(3, getParams('/hello'))).protocolStatus).toBe(ProtocolStatus.Overloaded);
    holding.release();
    await Promise.all([client.response(1), client.response(2)]);
    await waitFor(() => server.activeRequests === 0);
    expect(body((await client.request(3, getParams('/hello'))).stdout)).toBe('done');
    client.close();
    await server.close(1000);
  });

  it('answers FCGI_CANT_MPX_CONN to a second request on a connection when multiplexing is off', async () => {
    const holding = holdingApp();
    const { server, port } = await startServer(holding.app, { multiplex: false });
    const client = await FcgiClient.connect(port);
    client.write(requestRecords(1, getParams('/hold')));
    await waitFor(() => holding.held() === 1);
    expect((await client.request(2, getParams('/hello'))).protocolStatus).toBe(ProtocolStatus.CantMultiplexConnection);
    client.write([encodeRecord(RecordType.GetValues, 0, Buffer.from([15, 0, ...Buffer.from('FCGI_MPXS_CONNS')]))]);
    expect((await client.managementRecord()).content.toString('latin1')).toContain('FCGI_MPXS_CONNS0');
    holding.release();
    expect(body((await client.response(1)).stdout)).toBe('done');
    client.close();
    await server.close(1000);
  });

  it('answers FCGI_OVERLOADED on connections past maxConns, and closes them (even with FCGI_KEEP_CONN, even silent)', async () => {
    // Kept open, connections past maxConns held a descriptor each, without bound.
    const { server, port } = await startServer(() => {}, { maxConns: 1 });
    const first = await FcgiClient.connect(port);
    const second = await FcgiClient.connect(port);
    expect((await second.request(1, getParams('/'), undefined, { keepConnection: true })).protocolStatus).toBe(ProtocolStatus.Overloaded);
    await second.whenClosed();
    const silent = await FcgiClient.connect(port);
    await silent.whenClosed();
    expect((await first.request(1, getParams('/'))).protocolStatus).toBe(ProtocolStatus.RequestComplete);
    first.close();
    await server.close(1000);
  });

  it('gives each connection a share of maxReqs (maxReqsPerConn): one peer cannot take every slot', async () => {
    // One connection with 1,024 BEGIN_REQUESTs took every slot of the process.
    const holding = holdingApp();
    const { server, port } = await startServer(holding.app, { maxReqs: 8 });
    const greedy = await FcgiClient.connect(port);
    greedy.write([1, 2, 3].flatMap((id) => requestRecords(id, getParams('/hold'))));
    await waitFor(() => holding.held() === 2);
    expect((await greedy.response(3)).protocolStatus).toBe(ProtocolStatus.Overloaded);
    const other = await FcgiClient.connect(port);
    expect(body((await other.request(1, getParams('/'))).stdout)).toBe('done');
    holding.release();
    expect(body((await greedy.response(1)).stdout)).toBe('done');
    greedy.close();
    other.close();
    await server.close(1000);
  });

  it('closes a connection silent for readTimeout: a request waiting for its records is aborted and logged, an idle one closed quietly', async () => {
    // Without it, a request whose next PARAMS never came, or an idle connection, waited for ever.
    const holding = holdingApp();
    const { server, port, errors } = await startServer(holding.app, { readTimeout: 300 });
    const stalled = await FcgiClient.connect(port);
    stalled.write(requestRecords(1, getParams('/')).slice(0, 2)); // BEGIN_REQUEST and PARAMS, no end
    await waitFor(() => server.activeRequests === 1);
    await stalled.whenClosed();
    expect(errors.at(-1)).toMatch(/nothing received for 300 ms while request 1 waited for records \(readTimeout\)/);
    await waitFor(() => server.activeRequests === 0);
    const idle = await FcgiClient.connect(port);
    const linesBefore = errors.length;
    await idle.whenClosed();
    expect(errors.length).toBe(linesBefore);
    // An app that runs longer than readTimeout with all its input in is not cut.
    const busy = await FcgiClient.connect(port);
    const running = busy.request(1, getParams('/hold'));
    await new Promise((resolve) => setTimeout(resolve, 800));
    holding.release();
    expect(body((await running).stdout)).toBe('done');
    busy.close();
    await server.close(1000);
  });
});

describe('allow list', () => {
  it('closes a connection from an address that is not allowed', async () => {
    const { server, port, errors } = await startServer(() => {}, { allow: ['10.1.2.3'] });
    const client = await FcgiClient.connect(port);
    await client.whenClosed();
    expect(errors.at(-1)).toMatch(/refused a FastCGI connection from 127\.0\.0\.1/);
    await server.close(1000);
  });

  it('serves an allowed address', async () => {
    const { server, port } = await startServer(() => {}, { allow: ['10.1.2.3', '127.0.0.1'] });
    const client = await FcgiClient.connect(port);
    expect((await client.request(1, getParams('/'))).protocolStatus).toBe(ProtocolStatus.RequestComplete);
    client.close();
    await server.close(1000);
  });

  it('refuses to start with an entry that is not an address (the seed allowed everyone)', async () => {
    await expect(runFcgi(() => {}, { listen: { port: 0 }, handleSignals: false, allow: ['127.0.0.1', 'localhost'] })).rejects.toThrow(/"localhost" is not an IP address/);
  });
});

describe('listening', () => {
  it('serves on a unix socket', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'fcgi-socket-'));
    const path = join(directory, 'app.sock');
    const server = await runFcgi((cgi) => { cgi.out.write('over unix'); }, { listen: { path }, handleSignals: false });
    const client = await FcgiClient.connect(path);
    expect(body((await client.request(1, getParams('/'))).stdout)).toBe('over unix');
    client.close();
    await server.close(1000);
    rmSync(directory, { recursive: true, force: true });
  });

  it('replaces a socket file left by a dead process, with the mode asked for, and keeps a live one', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'fcgi-socket-'));
    const path = join(directory, 'app.sock');
    // A socket file nobody listens on: what SIGKILL leaves behind.
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(statSync(path).isSocket()).toBe(true);
    const server = await runFcgi((cgi) => { cgi.out.write('replaced'); }, { listen: { path, mode: 0o660 }, handleSignals: false });
    expect(statSync(path).mode & 0o777).toBe(0o660);
    await expect(runFcgi(() => {}, { listen: { path }, handleSignals: false })).rejects.toThrow(/EADDRINUSE/);
    const client = await FcgiClient.connect(path);
    expect(body((await client.request(1, getParams('/'))).stdout)).toBe('replaced');
    client.close();
    await server.close(1000);
    rmSync(directory, { recursive: true, force: true });
  });
});

describe('shutdown', () => {
  it('finishes the requests in flight, refuses new ones as overloaded, then closes', async () => {
    const holding = holdingApp();
    const { server, port } = await startServer(holding.app);
    const client = await FcgiClient.connect(port);
    client.write(requestRecords(1, getParams('/hold')));
    await waitFor(() => holding.held() === 1);
    const closed = server.close(10_000);
    expect((await client.request(2, getParams('/'))).protocolStatus).toBe(ProtocolStatus.Overloaded);
    holding.release();
    expect(body((await client.response(1)).stdout)).toBe('done');
    await closed;
    await client.whenClosed();
  });

  it('aborts what is still running at the deadline', async () => {
    let aborted = false;
    const { server, port } = await startServer(async (cgi) => {
      await new Promise((resolve) => cgi.signal.addEventListener('abort', resolve));
      aborted = true;
    });
    const client = await FcgiClient.connect(port);
    client.write(requestRecords(1, getParams('/')));
    await waitFor(() => server.activeRequests === 1);
    await server.close(50);
    await client.whenClosed();
    await waitFor(() => aborted);
  });
});

describe('backpressure', () => {
  it('holds the app back while the web server does not read, and loses nothing', async () => {
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    const total = 64 * 1024 * 1024;
    const { server, port } = await startServer(async (cgi) => {
      while (written < total) {
        await new Promise<void>((resolve, reject) => cgi.out.write(chunk, (error) => (error ? reject(error) : resolve())));
        written += chunk.length;
      }
    });
    const client = await FcgiClient.connect(port);
    client.socket.pause();
    client.write(requestRecords(1, getParams('/')));
    await waitFor(() => written > 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Socket buffers on both sides hold a few MiB at most; without backpressure all 64 MiB is written.
    expect(written).toBeLessThan(16 * 1024 * 1024);
    client.socket.resume();
    const response = await client.response(1);
    expect(parseCgiResponse(response.stdout).body.length).toBe(total);
    client.close();
    await server.close(1000);
  });

  it('stops reading the socket while the body is not read, then streams it through', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => { release = resolve; });
    const { server, port } = await startServer((cgi) => { cgi.out.write(String(cgi.body?.size ?? -1)); }, {
      config: { permittedInputContentTypes: [] },
      argStore: () => 'file',
      // The exnHandler wraps argument reading too: nothing reads the body until release().
      exnHandler: async (_env, run) => { await released; await run(); },
    });
    const size = 32 * 1024 * 1024;
    const client = await FcgiClient.connect(port);
    client.write(requestRecords(1, { ...getParams('/'), REQUEST_METHOD: 'POST', CONTENT_TYPE: 'application/octet-stream', CONTENT_LENGTH: String(size) }, Buffer.alloc(size, 0x63)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The server holds 256 KiB and the kernel a few MiB; the rest waits in the client.
    expect(client.socket.writableLength).toBeGreaterThan(16 * 1024 * 1024);
    release();
    expect(body((await client.response(1)).stdout)).toBe(String(size));
    client.close();
    await server.close(1000);
  });
});
