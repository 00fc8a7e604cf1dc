// The CGI output: synchronous writes to fd 1, and the switch to a stream on a non-blocking pipe.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { StdoutOutput } from '../src/stdout-output.js';

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
    const output = new StdoutOutput(fd, () => { fellBack = true; return writer; });
    const chunks = Array.from({ length: 64 }, (_, index) => Buffer.alloc(256 * 1024, index));
    const done = (async () => {
      for (const chunk of chunks) await output.write(chunk);
      await output.end();
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

  it('a write error other than EAGAIN makes the output unwritable and throws RequestAbortedError', async () => {
    const { RequestAbortedError } = await import('@netcgi/core');
    const { closeSync, openSync } = await import('node:fs');
    const fd = openSync('/dev/null', 'w');
    closeSync(fd); // EBADF from now on, as a web server that closed the pipe gives EPIPE
    const output = new StdoutOutput(fd, () => { throw new Error('no fallback for this error'); });
    expect(() => output.writeHead({ status: 200, statusText: 'OK', fields: [], localRedirect: false })).toThrow(RequestAbortedError);
    expect(output.writable).toBe(false);
  });

  it('a write waiting for drain fails with RequestAbortedError when stdout errors or closes, instead of hanging', async () => {
    const { RequestAbortedError } = await import('@netcgi/core');
    for (const end of ['error', 'close'] as const) {
      const { server, writer, fd } = await stalledSocket();
      const output = new StdoutOutput(fd, () => writer);
      // Fill the pipe until the output falls back to the stream and has to wait for it.
      let waiting: Promise<void> | void;
      while (!((waiting = output.write(Buffer.alloc(256 * 1024))) instanceof Promise));
      if (end === 'error') writer.destroy(new Error('EPIPE'));
      else writer.destroy();
      await expect(waiting).rejects.toBeInstanceOf(RequestAbortedError);
      expect(output.writable).toBe(false);
      server.close();
    }
  });
});

/** A connected loopback socket whose reader never reads: its buffer fills, as a stalled web server's. */
async function stalledSocket(): Promise<{ server: Server; writer: Socket; fd: number }> {
  const server = createServer((socket) => {
    socket.pause();
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const writer = connect((server.address() as { port: number }).port, '127.0.0.1');
  writer.on('error', () => {});
  await new Promise((resolve) => writer.once('connect', resolve));
  return { server, writer, fd: (writer as unknown as { _handle: { fd: number } })._handle.fd };
}
