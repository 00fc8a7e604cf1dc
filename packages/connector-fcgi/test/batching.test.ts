// One socket write per response: a small response's header and body (merged into one STDOUT
// record), empty STDOUT and END_REQUEST leave in a single write; large bodies are not held back;
// a burst of requests read in one turn is answered in one write.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RecordDecoder, RecordType } from '@netcgi/connector-fcgi/protocol';
import { Connection, type ConnectionHost } from '../src/connection.js';
import { TurnLoad } from '@netcgi/core/connector';
import { ParamsBudget } from '../src/fcgi-request.js';
import { getParams, requestRecords } from './helpers/fcgi-client.js';

/** A socket stand-in that records every write call the connection makes. */
class RecordingSocket extends Duplex {
  readonly writeCalls: Buffer[][] = [];
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.writeCalls.push([chunk]);
    callback();
  }
  override _writev(chunks: { chunk: Buffer }[], callback: () => void): void {
    this.writeCalls.push(chunks.map(({ chunk }) => chunk));
    callback();
  }
  setTimeout(): this {
    return this;
  }
}

function host(app: ConnectionHost['settings']['app']): ConnectionHost & { settled: number } {
  return {
    settings: {
      app,
      runOptions: {},
      maxParamsSize: 1 << 20,
      paramsBudget: new ParamsBudget(32 << 20),
      load: new TurnLoad(),
    },
    maxConnections: 10,
    maxRequests: 10,
    maxRequestsPerConnection: 10,
    readTimeout: 90_000,
    multiplex: true,
    activeRequests: 0,
    closing: false,
    settled: 0,
    requestStarted() {},
    requestSettled() { this.settled++; },
    connectionClosed() {},
    logError() {},
  };
}

describe('write batching', () => {
  it('sends a small response in one write call: one STDOUT record with header and body, empty STDOUT, END_REQUEST', async () => {
    const socket = new RecordingSocket();
    const server = host((cgi) => { cgi.setHeader({ contentType: 'text/plain' }); cgi.out.write('small body'); });
    new Connection(socket as unknown as Socket, server, false);
    socket.push(Buffer.concat(requestRecords(1, getParams('/'))));
    while (server.settled === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(socket.writeCalls.length).toBe(1);
    const records: { type: number; content: string }[] = [];
    new RecordDecoder().decode(Buffer.concat(socket.writeCalls[0]!), (record) => records.push({ type: record.type, content: record.content.toString() }));
    expect(records.map((record) => record.type)).toEqual([RecordType.Stdout, RecordType.Stdout, RecordType.EndRequest]);
    expect(records[0]!.content).toBe('Content-Type: text/plain\r\n\r\nsmall body');
    expect(records[1]!.content).toBe('');
  });

  it('sends what a streaming app wrote by the end of the turn, without waiting for the response to end', async () => {
    const socket = new RecordingSocket();
    let release = (): void => {};
    const server = host(async (cgi) => {
      cgi.out.write('first part');
      await new Promise<void>((resolve) => { release = resolve; });
      cgi.out.write('second part');
    });
    new Connection(socket as unknown as Socket, server, false);
    socket.push(Buffer.concat(requestRecords(1, getParams('/'))));
    while (socket.writeCalls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const first: string[] = [];
    new RecordDecoder().decode(Buffer.concat(socket.writeCalls[0]!), (record) => first.push(record.content.toString()));
    expect(first).toEqual(['Content-Type: text/html\r\n\r\nfirst part']);
    release();
    while (server.settled === 0) await new Promise((resolve) => setImmediate(resolve));
    const rest: string[] = [];
    new RecordDecoder().decode(Buffer.concat(socket.writeCalls.slice(1).flat()), (record) => rest.push(record.content.toString()));
    expect(rest.slice(0, 2)).toEqual(['second part', '']);
  });

  it('answers requests read in one turn (under load) in one write at its end, each response whole', async () => {
    const socket = new RecordingSocket();
    const server = host((cgi) => { cgi.setHeader({ contentType: 'text/plain' }); cgi.out.write(`body of ${cgi.environment.scriptName}`); });
    new Connection(socket as unknown as Socket, server, false);
    socket.push(Buffer.concat([1, 2, 3, 4].flatMap((id) => requestRecords(id, getParams(`/${id}`)))));
    while (server.settled < 4 || socket.writeCalls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(socket.writeCalls.length).toBe(1);
    const records: { id: number; type: number; content: string }[] = [];
    new RecordDecoder().decode(Buffer.concat(socket.writeCalls[0]!), (record) => records.push({ id: record.requestId, type: record.type, content: record.content.toString() }));
    for (const id of [1, 2, 3, 4]) {
      const own = records.filter((record) => record.id === id);
      expect(own.map((record) => record.type), `request ${id}`).toEqual([RecordType.Stdout, RecordType.Stdout, RecordType.EndRequest]);
      expect(own[0]!.content).toBe(`Content-Type: text/plain\r\n\r\nbody of /${id}`);
    }
  });

  it('does not hold back a large write: it is referenced, not copied or merged', async () => {
    const socket = new RecordingSocket();
    const large = Buffer.alloc(40 * 1024, 'x');
    const server = host((cgi) => { cgi.out.write(large); });
    new Connection(socket as unknown as Socket, server, false);
    socket.push(Buffer.concat(requestRecords(1, getParams('/'))));
    while (server.settled === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(socket.writeCalls.flat().some((chunk) => chunk.buffer === large.buffer)).toBe(true);
  });
});
