import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { HeaderSentError, OutputError } from '@netcgi/core';
import { throughSlowServer } from './helpers/slow-server.js';
import { useTempDirectory } from './helpers/temp-directory.js';

const tmp = useTempDirectory();

const request = tmp.request;

/** Where the header block ends in a raw CGI response. */
const headerLength = (raw: Buffer) => raw.indexOf('\r\n\r\n') + 4;

describe('direct output', () => {
  it('sends the default text/html header before the first body byte', async () => {
    let headerSentBeforeWrite: boolean | undefined;
    let headerSentAfterWrite: boolean | undefined;
    const response = await request(async (cgi) => {
      headerSentBeforeWrite = cgi.environment.headerSent;
      await new Promise<void>((resolve, reject) => cgi.out.write('body', (error) => (error ? reject(error) : resolve())));
      headerSentAfterWrite = cgi.environment.headerSent;
    });
    expect([headerSentBeforeWrite, headerSentAfterWrite]).toEqual([false, true]);
    expect(response.raw.toString()).toBe('Content-Type: text/html\r\n\r\nbody');
  });

  it('setHeader may be called again until the header is sent; after, it throws HeaderSentError', async () => {
    let error: unknown;
    const response = await request(async (cgi) => {
      cgi.setHeader({ contentType: 'text/plain', status: 201 });
      cgi.setHeader({ contentType: 'application/json' });
      cgi.out.write('{}');
      await cgi.out.commit();
      try { cgi.setHeader({ status: 500 }); } catch (caught) { error = caught; }
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(error).toBeInstanceOf(HeaderSentError);
    expect((error as HeaderSentError).code).toBe('ERR_HEADER_SENT');
    // It names the request: raised in a stray .then() after the request, it is all the log will have.
    expect((error as HeaderSentError).message).toBe('cannot replace the header of GET /: the response header was already sent');
  });

  it('an empty response still gets its header at the commit after the app', async () => {
    const response = await request((cgi) => cgi.setHeader({ status: 204 }));
    expect(response.status).toBe(204);
    expect(response.body.length).toBe(0);
  });

  it('rollback throws as soon as a write is queued, before it reached the web server', async () => {
    let error: unknown;
    await request((cgi) => {
      cgi.out.write('queued');
      try { cgi.out.rollback(); } catch (caught) { error = caught; }
    });
    expect(error).toBeInstanceOf(OutputError);
    expect((error as OutputError).message).toBe('cannot roll back 6 bytes of direct output: they were sent');
  });

  it('rollback of bytes already sent throws OutputError; with nothing written it does nothing', async () => {
    let error: unknown;
    await request(async (cgi) => {
      cgi.out.rollback();
      cgi.out.write('sent');
      await cgi.out.commit();
      cgi.out.rollback();
      cgi.out.write('more');
      await new Promise((resolve) => cgi.out.write('', resolve));
      try { cgi.out.rollback(); } catch (caught) { error = caught; }
    });
    expect(error).toBeInstanceOf(OutputError);
  });

  it('waits for a slow web server instead of buffering the whole body', async () => {
    const { raw, maxQueued } = await throughSlowServer(async (cgi) => {
      for (let index = 0; index < 64; index++) {
        if (!cgi.out.write(Buffer.alloc(16 * 1024, 97))) await new Promise((resolve) => cgi.out.once('drain', resolve));
      }
    });
    expect(raw.length).toBe(64 * 16 * 1024 + 'Content-Type: text/html\r\n\r\n'.length);
    // Without backpressure the whole megabyte would queue in front of the slow server.
    expect(maxQueued).toBeLessThanOrEqual(64 * 1024);
  });

  it('send() is an awaitable write: a loop of sends keeps pace with a slow web server', async () => {
    const { raw, maxQueued } = await throughSlowServer(async (cgi) => {
      for (let index = 0; index < 64; index++) await cgi.out.send(Buffer.alloc(16 * 1024, 97));
    });
    expect(raw.length).toBe(64 * 16 * 1024 + 'Content-Type: text/html\r\n\r\n'.length);
    expect(maxQueued).toBeLessThanOrEqual(64 * 1024);
  });

  it('send() waiting on a web server that went away rejects with RequestAbortedError instead of hanging', async () => {
    const { Writable } = await import('node:stream');
    const { processRequest, WritableOutput, buildRequest } = await import('@netcgi/core/connector');
    const { RequestAbortedError } = await import('@netcgi/core');
    const controller = new AbortController();
    // A web server that stops reading, then goes away.
    const stalled = new Writable({ highWaterMark: 1024, write() {} });
    let error: unknown;
    const outcome = await processRequest(async (cgi) => {
      setTimeout(() => { stalled.destroy(); controller.abort(); }, 20);
      try {
        for (;;) await cgi.out.send(Buffer.alloc(4096));
      } catch (caught) {
        error = caught;
        throw caught;
      }
    }, { ...buildRequest({}), output: new WritableOutput(stalled), logError: () => {}, signal: controller.signal }, { config: { tmpDirectory: tmp.path } });
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect(outcome).toBe('aborted');
  });

  it('send() after the response ended rejects with RequestAbortedError', async () => {
    const { RequestAbortedError } = await import('@netcgi/core');
    let late: Promise<unknown> | undefined;
    await request((cgi) => { setImmediate(() => { late = cgi.out.send('too late').catch((error: unknown) => error); }); });
    await new Promise((resolve) => setImmediate(resolve));
    expect(await late).toBeInstanceOf(RequestAbortedError);
  });

  it('works with stream.pipeline into cgi.out, which ends it', async () => {
    const { Readable } = await import('node:stream');
    const { pipeline } = await import('node:stream/promises');
    const response = await request(async (cgi) => {
      cgi.setHeader({ contentType: 'text/plain' });
      await pipeline(Readable.from(['a', 'b', 'c']), cgi.out);
    });
    expect(response.text()).toBe('abc');
  });
});

describe('transactional output', () => {
  it('a commit not awaited still sends exactly what was written before it', async () => {
    const response = await request(async (cgi) => {
      cgi.out.write('before ');
      const committed = cgi.out.commit();
      cgi.out.write('after');
      await committed;
      expect(cgi.environment.headerSent).toBe(true);
      cgi.out.rollback();
    }, { outputType: 'transactional' });
    expect(response.text()).toBe('before ');
  });

  it('holds the body until commit, and rollback drops what was not committed', async () => {
    let sentAfterWrite: boolean | undefined;
    const response = await request(async (cgi) => {
      cgi.out.write('dropped');
      cgi.out.rollback();
      cgi.out.write('kept ');
      await cgi.out.commit();
      cgi.out.write('also dropped');
      cgi.out.rollback();
      cgi.out.write('end');
      sentAfterWrite = cgi.environment.headerSent;
    }, { outputType: 'transactional' });
    expect(sentAfterWrite).toBe(true);
    expect(response.text()).toBe('kept end');
  });

  it('lets setHeader change the header after writes, until the first commit', async () => {
    const response = await request((cgi) => {
      cgi.out.write('{"ok":true}');
      expect(cgi.environment.headerSent).toBe(false);
      cgi.setHeader({ contentType: 'application/json', status: 202 });
    }, { outputType: 'transactional' });
    expect(response.status).toBe(202);
    expect(response.json()).toEqual({ ok: true });
  });

  it('sends nothing of the body before the commit', async () => {
    let rawLengthBeforeCommit = -1;
    const chunks: Buffer[] = [];
    const { Writable } = await import('node:stream');
    const { processRequest, WritableOutput } = await import('@netcgi/core/connector');
    const { buildRequest } = await import('@netcgi/connector-test');
    const output = new Writable({ write(chunk, _encoding, callback) { chunks.push(chunk); callback(); } });
    await processRequest(async (cgi) => {
      cgi.out.write('x'.repeat(1000));
      await sleep(5);
      rawLengthBeforeCommit = Buffer.concat(chunks).length;
    }, { ...buildRequest({}), output: new WritableOutput(output), logError: () => {} }, { outputType: 'transactional', config: { tmpDirectory: tmp.path } });
    expect(rawLengthBeforeCommit).toBe(0);
    expect(Buffer.concat(chunks).toString()).toBe(`Content-Type: text/html\r\n\r\n${'x'.repeat(1000)}`);
  });
});

describe('transactional output spilling to a temp file', () => {
  it('moves the body to a 0600 temp file past the threshold, sends it whole and deletes it', async () => {
    let filesWhileWriting: string[] = [];
    const body = Buffer.alloc(300 * 1024);
    for (let index = 0; index < body.length; index++) body[index] = index % 251;
    const response = await request(async (cgi) => {
      for (let offset = 0; offset < body.length; offset += 10_000) cgi.out.write(body.subarray(offset, offset + 10_000));
      await new Promise((resolve) => cgi.out.write('', resolve));
      filesWhileWriting = tmp.files();
    }, { outputType: 'transactional-tempfile', config: { outputSpillThreshold: 64 * 1024 } });
    expect(filesWhileWriting).toHaveLength(1);
    expect(filesWhileWriting[0]).toMatch(/^netcgi-[0-9a-f]{12}-\d+$/);
    expect(response.body.equals(body)).toBe(true);
  });

  it('rollback after a spill drops the spilled bytes, and later output still arrives', async () => {
    const response = await request(async (cgi) => {
      cgi.out.write('a'.repeat(5000));
      cgi.out.rollback();
      cgi.out.write('b'.repeat(3000));
      await cgi.out.commit();
      cgi.out.write('c'.repeat(10));
    }, { outputType: 'transactional-tempfile', config: { outputSpillThreshold: 1000 } });
    expect(response.text()).toBe('b'.repeat(3000) + 'c'.repeat(10));
  });

  it('rollback and commit act in write order, even while a spill to the file is under way', async () => {
    const response = await request(async (cgi) => {
      cgi.out.write('a'.repeat(5000)); // starts a spill: the next writes wait in the stream
      cgi.out.write('queued and dropped');
      cgi.out.rollback();
      cgi.out.write('kept');
      const committed = cgi.out.commit();
      cgi.out.write(' after the commit, dropped');
      cgi.out.rollback();
      await committed;
    }, { outputType: 'transactional-tempfile', config: { outputSpillThreshold: 1000 } });
    expect(response.text()).toBe('kept');
  });

  it('stays in memory under the threshold', async () => {
    let files: string[] = ['unset'];
    await request(async (cgi) => {
      cgi.out.write('small');
      await new Promise((resolve) => cgi.out.write('', resolve));
      files = tmp.files();
    }, { outputType: 'transactional-tempfile' });
    expect(files).toEqual([]);
  });
});

describe('HEAD', () => {
  it('sends the header and drops the body in every output type', async () => {
    for (const outputType of ['direct', 'transactional', 'transactional-tempfile'] as const) {
      const response = await request((cgi) => {
        cgi.setHeader({ contentType: 'text/plain', fields: { 'X-Type': outputType } });
        cgi.out.write('no body for HEAD');
      }, { method: 'HEAD', outputType });
      expect(response.headers.get('x-type')).toBe(outputType);
      expect(response.raw.length).toBe(headerLength(response.raw));
    }
  });

  it('counts the bytes the app wrote', async () => {
    let bytes = -1;
    await request(async (cgi) => {
      cgi.out.write('12345');
      await cgi.out.commit();
      bytes = cgi.out.bytesWritten;
    }, { method: 'HEAD' });
    expect(bytes).toBe(5);
  });
});

describe('after the response', () => {
  it('a temp-file output leaves no file even when the app throws', async () => {
    const response = await request((cgi) => {
      cgi.out.write('z'.repeat(5000));
      throw new Error('boom');
    }, { outputType: 'transactional-tempfile', config: { outputSpillThreshold: 100 } });
    expect(response.status).toBe(500);
    expect(tmp.files()).toEqual([]);
  });
});
