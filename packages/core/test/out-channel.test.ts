// cgi.out as a Node stream: what pipe(), pipeline(), finished() and a hand-written loop rely on.
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { RequestAbortedError, type Cgi } from '@netcgi/core';
import { throughSlowServer } from './helpers/slow-server.js';
import { useTempDirectory } from './helpers/temp-directory.js';

const tmp = useTempDirectory();
const request = tmp.request;

const HEADER = 'Content-Type: text/plain\r\n\r\n';
const MiB = 1024 * 1024;

/** A readable of `size` bytes in 16 KiB chunks, each filled with its index (mod 256). */
function numberedChunks(size: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const length = Math.min(16 * 1024, size - sent);
      this.push(Buffer.alloc(length, (sent / (16 * 1024)) % 256));
      sent += length;
    },
  });
}

function expectNumberedBody(raw: Buffer, size: number): void {
  expect(raw.subarray(0, HEADER.length).toString()).toBe(HEADER);
  const body = raw.subarray(HEADER.length);
  expect(body.length).toBe(size);
  for (let offset = 0; offset < size; offset += 16 * 1024) expect(body[offset], `byte ${offset}`).toBe((offset / (16 * 1024)) % 256);
}

describe('cgi.out with a slow web server', () => {
  for (const outputType of ['direct', 'transactional-tempfile'] as const) {
    it(`readable.pipe(cgi.out) waits for it and delivers every byte in order (${outputType})`, async () => {
      const { raw, maxQueued } = await throughSlowServer(async (cgi) => {
        cgi.setHeader({ contentType: 'text/plain' });
        const source = numberedChunks(MiB);
        source.pipe(cgi.out);
        await once(cgi.out, 'finish');
      }, { outputType, config: { tmpDirectory: tmp.path, outputSpillThreshold: 64 * 1024 } });
      expectNumberedBody(raw, MiB);
      // Without backpressure the whole megabyte would queue in front of the slow server.
      if (outputType === 'direct') expect(maxQueued).toBeLessThanOrEqual(64 * 1024);
    });
  }

  it('pipeline() from an async generator waits for it, and resolves when the sink has it all', async () => {
    let writableLengthAtEnd = -1;
    const { raw, maxQueued } = await throughSlowServer(async (cgi) => {
      cgi.setHeader({ contentType: 'text/plain' });
      await pipeline(async function* () {
        for (let index = 0; index < 64; index++) yield Buffer.alloc(16 * 1024, index);
      }, cgi.out);
      writableLengthAtEnd = cgi.out.writableLength;
    });
    expectNumberedBody(raw, MiB);
    expect(maxQueued).toBeLessThanOrEqual(64 * 1024);
    expect(writableLengthAtEnd).toBe(0);
  });

  it('write() returns false while the web server is slow, then drain comes', async () => {
    const returned: boolean[] = [];
    const { raw } = await throughSlowServer(async (cgi) => {
      cgi.setHeader({ contentType: 'text/plain' });
      for (let index = 0; index < 64; index++) {
        const accepted = cgi.out.write(Buffer.alloc(16 * 1024, index));
        returned.push(accepted);
        if (!accepted) {
          expect(cgi.out.writableNeedDrain).toBe(true);
          await once(cgi.out, 'drain');
        }
      }
    });
    expectNumberedBody(raw, MiB);
    expect(returned).toContain(false);
  });
});

describe('cgi.out events and state', () => {
  it('ended by the app: finish, then close, and finished() resolves; writes after it fail', async () => {
    const events: string[] = [];
    let lateWrite: unknown;
    const response = await request(async (cgi: Cgi) => {
      cgi.setHeader({ contentType: 'text/plain' });
      cgi.out.on('finish', () => events.push('finish')).on('close', () => events.push('close'));
      cgi.out.write('a');
      cgi.out.end('b', () => events.push('end callback'));
      expect([cgi.out.writable, cgi.out.writableEnded]).toEqual([false, true]);
      await finished(cgi.out);
      expect([cgi.out.writableFinished, cgi.out.closed]).toEqual([true, true]);
      lateWrite = await new Promise((resolve) => cgi.out.write('c', resolve));
    });
    expect(response.text()).toBe('ab');
    expect(events).toEqual(['finish', 'end callback', 'close']);
    expect(lateWrite).toBeInstanceOf(RequestAbortedError);
  });

  it("a 'finish' listener the app leaves behind hears the pipeline's end", async () => {
    const heard: string[] = [];
    await request((cgi) => {
      cgi.out.on('finish', () => heard.push('finish'));
      cgi.out.on('close', () => heard.push('close'));
      cgi.out.write('x');
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual(['finish', 'close']);
  });

  it('takes strings in any encoding, Uint8Arrays, and a default encoding; refuses other values', async () => {
    let refused: unknown;
    const response = await request((cgi) => {
      cgi.setHeader({ contentType: 'text/plain' });
      cgi.out.write('aGkg', 'base64');
      cgi.out.write(new Uint8Array([0x74, 0x68, 0x65, 0x72, 0x65]));
      cgi.out.setDefaultEncoding('latin1');
      cgi.out.write(' caf\u00e9');
      try { cgi.out.write(42 as unknown as string); } catch (error) { refused = error; }
    });
    expect(response.body.toString('latin1')).toBe('hi there caf\u00e9');
    expect(refused).toBeInstanceOf(TypeError);
  });

  it('cork() holds writes until uncork(); both reach the web server, in order', async () => {
    let lengthWhileCorked = -1;
    const response = await request((cgi) => {
      cgi.setHeader({ contentType: 'text/plain' });
      cgi.out.cork();
      expect(cgi.out.write('one ')).toBe(true);
      cgi.out.write('two');
      lengthWhileCorked = cgi.out.writableLength;
      expect(cgi.environment.headerSent).toBe(false);
      cgi.out.uncork();
    });
    expect(lengthWhileCorked).toBe(7);
    expect(response.text()).toBe('one two');
  });

  it('destroy(error) fails what is held, then emits error and close', async () => {
    const seen: unknown[] = [];
    const { raw } = await throughSlowServer(async (cgi) => {
      cgi.setHeader({ contentType: 'text/plain' });
      cgi.out.on('error', (error) => seen.push(error));
      const closed = new Promise((resolve) => cgi.out.on('close', resolve)).then(() => seen.push('close'));
      cgi.out.write(Buffer.alloc(64 * 1024));
      const held = new Promise((resolve) => cgi.out.write('held', resolve));
      const failure = new Error('the app gave up');
      cgi.out.destroy(failure);
      expect(await held).toBe(failure);
      await closed;
      expect(cgi.out.errored).toBe(failure);
    });
    expect(seen).toEqual([new Error('the app gave up'), 'close']);
    expect(raw.toString()).not.toContain('held');
  });
});
