// One socket write per response: a small response's header, body, empty STDOUT and END_REQUEST
// leave in a single vectored write.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RecordDecoder, RecordType } from '@netcgi/connector-fcgi/protocol';
import { Connection, type ConnectionHost } from '../src/connection.js';
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

function host(): ConnectionHost & { settled: number } {
  return {
    settings: {
      app: (cgi) => { cgi.setHeader({ contentType: 'text/plain' }); cgi.out.write('small body'); },
      runOptions: {},
      maxParamsSize: 1 << 20,
    },
    maxConnections: 10,
    maxRequests: 10,
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
  it('sends a small response in one write call: header and body, empty STDOUT, END_REQUEST', async () => {
    const socket = new RecordingSocket();
    const server = host();
    new Connection(socket as unknown as Socket, server, false);
    socket.push(Buffer.concat(requestRecords(1, getParams('/'))));
    while (server.settled === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(socket.writeCalls.length).toBe(1);
    const types: number[] = [];
    new RecordDecoder().decode(Buffer.concat(socket.writeCalls[0]!), (record) => types.push(record.type));
    expect(types).toEqual([RecordType.Stdout, RecordType.Stdout, RecordType.Stdout, RecordType.EndRequest]);
  });
});
