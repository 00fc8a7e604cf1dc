// The CGI output: synchronous writes to fd 1, and the switch to a stream on a non-blocking pipe.
import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { stdoutOutput } from '../src/stdout-output.js';

describe('stdout output', () => {
  it('falls back to the stream on EAGAIN and keeps every byte in order', async () => {
    // A connected socket's descriptor is non-blocking (libuv sets O_NONBLOCK): writeSync fills its
    // buffer until EAGAIN while the reader is paused.
    let reader: Socket | undefined;
    const received: Buffer[] = [];
    const server = createServer((socket) => {
      reader = socket;
      socket.pause();
      socket.on('data', (chunk: Buffer) => received.push(chunk));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const writer = connect((server.address() as { port: number }).port, '127.0.0.1');
    await new Promise((resolve) => writer.once('connect', resolve));
    while (reader === undefined) await new Promise((resolve) => setImmediate(resolve));
    const fd = (writer as unknown as { _handle: { fd: number } })._handle.fd;
    let fellBack = false;
    const output = stdoutOutput(fd, () => { fellBack = true; return writer; });
    const chunks = Array.from({ length: 64 }, (_, index) => Buffer.alloc(256 * 1024, index));
    const done = (async () => {
      for (const chunk of chunks) await new Promise<void>((resolve, reject) => output.write(chunk, (error) => (error ? reject(error) : resolve())));
      await new Promise<void>((resolve) => output.end(resolve));
      writer.end();
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    reader.resume();
    await done;
    await new Promise((resolve) => reader!.once('end', resolve));
    expect(fellBack).toBe(true);
    expect(Buffer.concat(received).equals(Buffer.concat(chunks))).toBe(true);
    server.close();
  });
});
