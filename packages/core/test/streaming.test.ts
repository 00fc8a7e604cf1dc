// argStore 'stream': the app runs before the body arrives and reads it live.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArgumentOversizedError, ArgumentStreamedError, HttpError, RequestAbortedError, type Argument, type ArgStore } from '@netcgi/core';
import { useTempDirectory } from './helpers/temp-directory.js';

const tmp = useTempDirectory();
const streamAll: ArgStore = () => 'stream';

/**
 * A body that yields `chunks` one by one, each only when `release()` is called; counts what it
 * gave. An abort of `signal` ends the wait (a generator waiting on a promise cannot be destroyed).
 */
function gatedBody(chunks: Buffer[], signal?: AbortSignal): { stream: AsyncIterable<Buffer>; release(): void; given(): number } {
  let given = 0;
  const gates: (() => void)[] = [];
  let released = 0;
  signal?.addEventListener('abort', () => { for (const gate of gates.splice(0)) gate(); });
  return {
    stream: (async function* () {
      for (const chunk of chunks) {
        if (released <= given) await new Promise<void>((resolve) => gates.push(resolve));
        if (signal?.aborted === true) return;
        given++;
        yield chunk;
      }
    })(),
    release() {
      released++;
      gates.shift()?.();
    },
    given: () => given,
  };
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('a streamed raw body', () => {
  it('the app runs before the body arrives and writes output while it is still coming', async () => {
    const chunks = [Buffer.alloc(1000, 1), Buffer.alloc(1000, 2), Buffer.alloc(1000, 3)];
    const body = gatedBody(chunks);
    const events: string[] = [];
    const response = await tmp.request(async (cgi) => {
      events.push(`app started, ${body.given()} chunks given`);
      expect(cgi.body?.store).toBe('stream');
      cgi.out.write('started\n');
      body.release();
      for await (const chunk of cgi.body!.open()) {
        events.push(`read ${(chunk as Buffer).length}`);
        body.release();
      }
      cgi.out.write(`size ${cgi.body!.size}\n`);
    }, { method: 'PUT', body: { stream: body.stream, size: 3000 }, argStore: streamAll });
    expect(events).toEqual(['app started, 0 chunks given', 'read 1000', 'read 1000', 'read 1000']);
    expect(response.text()).toBe('started\nsize 3000\n');
  });

  it('bytes(), text() and json() read it to its end', async () => {
    let seen: unknown;
    await tmp.request(async (cgi) => {
      seen = [await cgi.body!.json(), await cgi.body!.text(), (await cgi.body!.bytes()).length];
    }, { method: 'POST', body: '{"a":[1,2]}', headers: { 'content-type': 'application/json' }, argStore: streamAll });
    expect(seen).toEqual([{ a: [1, 2] }, '{"a":[1,2]}', 11]);
  });

  it('opens once: a second open(), or open() after bytes(), throws ArgumentStreamedError; value throws too', async () => {
    const errors: unknown[] = [];
    await tmp.request(async (cgi) => {
      const body = cgi.body!;
      try { void body.value; } catch (error) { errors.push(error); }
      body.open().resume();
      try { body.open(); } catch (error) { errors.push(error); }
      try { await body.bytes(); } catch (error) { errors.push(error); }
    }, { method: 'PUT', body: 'abc', argStore: streamAll });
    expect(errors).toHaveLength(3);
    for (const error of errors) expect(error).toBeInstanceOf(ArgumentStreamedError);
    expect(String(errors[0])).toMatch(/live stream: read it with await text\(\)/);
    expect(String(errors[1])).toMatch(/already read/);
  });

  it('a stream past its maxSize gives its first maxSize bytes, then fails with ArgumentOversizedError', async () => {
    let error: unknown;
    let read = 0;
    await tmp.request(async (cgi) => {
      try {
        for await (const chunk of cgi.body!.open()) read += (chunk as Buffer).length;
      } catch (caught) {
        error = caught;
      }
    }, { method: 'PUT', body: { stream: (async function* () { yield Buffer.alloc(600); yield Buffer.alloc(600); })() }, argStore: () => ({ store: 'stream', maxSize: 1000 }) });
    expect(error).toBeInstanceOf(ArgumentOversizedError);
    expect(read).toBe(1000);
  });

  it('a CONTENT_LENGTH over the stream maxSize answers 413 before the app runs', async () => {
    let ran = false;
    const response = await tmp.request(() => { ran = true; }, { method: 'PUT', body: 'x'.repeat(2000), argStore: () => ({ store: 'stream', maxSize: 1000 }) });
    expect(response.status).toBe(413);
    expect(ran).toBe(false);
  });

  it('a body that ends short of its CONTENT_LENGTH fails the read with a 400', async () => {
    let error: unknown;
    const response = await tmp.request(async (cgi) => {
      try { await cgi.body!.bytes(); } catch (caught) { error = caught; throw caught; }
    }, { method: 'PUT', body: { stream: (async function* () { yield Buffer.from('short'); })(), size: 100 }, argStore: streamAll });
    expect(error).toBeInstanceOf(HttpError);
    expect(response.status).toBe(400);
  });

  it('an abort reaches the reader as RequestAbortedError', async () => {
    const controller = new AbortController();
    let error: unknown;
    const body = gatedBody([Buffer.alloc(10), Buffer.alloc(10)], controller.signal);
    await tmp.request(async (cgi) => {
      const reading = readAll(cgi.body!.open());
      body.release();
      setTimeout(() => controller.abort(), 10);
      try { await reading; } catch (caught) { error = caught; }
    }, { method: 'PUT', body: { stream: body.stream, size: 20 }, argStore: streamAll, signal: controller.signal }).catch(() => {});
    expect(error).toBeInstanceOf(RequestAbortedError);
  });

  it('what the app leaves unread is let go after it returns: the source is not read further', async () => {
    const body = gatedBody([Buffer.alloc(10), Buffer.alloc(10), Buffer.alloc(10)]);
    const response = await tmp.request(() => {}, { method: 'PUT', body: { stream: body.stream, size: 30 }, argStore: streamAll });
    expect(response.status).toBe(200);
    expect(body.given()).toBe(0);
  });
});

describe('streamed multipart parts', () => {
  const files = (count: number) => Array.from({ length: count }, (_, index) => ({ content: Buffer.alloc(100_000 + index, index), filename: `f${index}.bin` }));

  it('parts before the streamed one are arguments; it and every later part come from cgi.parts()', async () => {
    let seen: unknown;
    await tmp.request(async (cgi) => {
      const before = cgi.arguments.map((argument) => [argument.name, argument.store]);
      const later: unknown[] = [];
      for await (const part of cgi.parts()) {
        later.push([part.name, part.store, part.filename, part.store === 'stream' ? sha(await part.bytes()) : part.value]);
      }
      seen = { before, later };
    }, {
      form: [['title', 'T'], ['note', 'N']],
      files: { small: { content: 'abc', filename: 'a.txt' }, big: files(2) },
      argStore: (_env, name) => (name === 'big' ? 'stream' : 'automatic'),
    });
    expect(seen).toEqual({
      before: [['title', 'memory'], ['note', 'memory'], ['small', 'file']],
      later: [
        ['big', 'stream', 'f0.bin', sha(Buffer.alloc(100_000, 0))],
        ['big', 'stream', 'f1.bin', sha(Buffer.alloc(100_001, 1))],
      ],
    });
  });

  it('a part the app does not read is skipped when it asks for the next', async () => {
    const names: string[] = [];
    let lastSize = 0;
    await tmp.request(async (cgi) => {
      for await (const part of cgi.parts()) {
        names.push(part.filename ?? part.name);
        if (part.filename === 'f2.bin') lastSize = (await part.bytes()).length;
      }
    }, { files: { f: files(3) }, argStore: streamAll });
    expect(names).toEqual(['f0.bin', 'f1.bin', 'f2.bin']);
    expect(lastSize).toBe(100_002);
  });

  it('an app that returns without reading the parts answers at once, and leaves no temp file', async () => {
    const response = await tmp.request((cgi) => { cgi.out.write('done'); }, { form: { a: '1' }, files: { f: files(3) }, argStore: (_env, _name, part) => (part.filename === undefined ? 'memory' : 'stream') });
    expect(response.text()).toBe('done');
  });

  it('a malformed body after the streamed part fails the iteration with a 400', async () => {
    const boundary = 'xyz';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\nabc\r\n--${boundary}\r\nbroken`;
    let error: unknown;
    await tmp.request(async (cgi) => {
      try {
        for await (const part of cgi.parts()) await part.bytes();
      } catch (caught) {
        error = caught;
      }
    }, { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, argStore: streamAll });
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
  });

  it('cgi.parts() is empty when no part was streamed, and iterable once', async () => {
    let count = -1;
    let second: unknown;
    await tmp.request(async (cgi) => {
      count = 0;
      for await (const _ of cgi.parts()) count++;
    }, { files: { f: files(1) } });
    expect(count).toBe(0);
    await tmp.request(async (cgi) => {
      for await (const part of cgi.parts()) await (part as Argument).bytes();
      try { for await (const _ of cgi.parts()); } catch (error) { second = error; }
    }, { files: { f: files(1) }, argStore: streamAll });
    expect(second).toBeInstanceOf(TypeError);
  });
});

function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
