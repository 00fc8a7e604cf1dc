import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArgumentOversizedError, HttpError, type Cgi, type StoreDecision } from '@netcgi/core';
import { testRequest } from '@netcgi/connector-test';
import { useTempDirectory } from './helpers/temp-directory.js';

const tmp = useTempDirectory();

const request = tmp.request;

const pairs = (cgi: Cgi) => cgi.arguments.map((argument) => [argument.name, argument.value]);

describe('query string and urlencoded arguments', () => {
  it('GET arguments come from the query string in request order', async () => {
    let seen: unknown;
    await request((cgi) => { seen = pairs(cgi); }, { url: '/?a=1&b=two+words&a=3&c=%E2%82%AC' });
    expect(seen).toEqual([['a', '1'], ['b', 'two words'], ['a', '3'], ['c', '€']]);
  });

  it('argument, argumentValue, argumentExists and multipleArgument find by name', async () => {
    await request((cgi) => {
      expect(cgi.argument('a')?.value).toBe('1');
      expect(cgi.argumentValue('a')).toBe('1');
      expect(cgi.argumentValue('missing')).toBe('');
      expect(cgi.argumentValue('missing', 'fallback')).toBe('fallback');
      expect(cgi.argumentExists('b')).toBe(true);
      expect(cgi.argumentExists('missing')).toBe(false);
      expect(cgi.multipleArgument('a').map((argument) => argument.value)).toEqual(['1', '3']);
      expect(cgi.multipleArgument('missing')).toEqual([]);
    }, { url: '/?a=1&b=2&a=3' });
  });

  it('is lenient where Netcgi answered 500: a name without "=", empty pairs, bad escapes', async () => {
    let seen: unknown;
    const response = await request((cgi) => { seen = pairs(cgi); }, { url: '/?a&b=1&&c=%zz&=x&d=e=f' });
    expect(response.status).toBe(200);
    expect(seen).toEqual([['a', ''], ['b', '1'], ['c', '%zz'], ['', 'x'], ['d', 'e=f']]);
  });

  it('POST urlencoded arguments come after the query string arguments', async () => {
    let seen: unknown;
    await request((cgi) => { seen = pairs(cgi); }, { url: '/?q=from-url', form: { name: 'Ada Lovelace', lang: ['en', 'fr'] } });
    expect(seen).toEqual([['q', 'from-url'], ['name', 'Ada Lovelace'], ['lang', 'en'], ['lang', 'fr']]);
  });

  it('a POST without a body has only its query arguments', async () => {
    let seen: unknown;
    const response = await request((cgi) => { seen = pairs(cgi); }, { method: 'POST', url: '/?x=1' });
    expect(response.status).toBe(200);
    expect(seen).toEqual([['x', '1']]);
  });

  it('a urlencoded body larger than maxUrlencodedSize answers 413', async () => {
    const response = await request(() => {}, { form: { big: 'x'.repeat(2000) }, config: { maxUrlencodedSize: 1000 } });
    expect(response.status).toBe(413);
  });

  it('a query string longer than maxUrlencodedSize answers 414', async () => {
    const response = await request(() => {}, { url: `/?q=${'x'.repeat(2000)}`, config: { maxUrlencodedSize: 1000 } });
    expect(response.status).toBe(414);
  });

  it('a body that ends before its content-length answers 400', async () => {
    const response = await request(() => {}, {
      body: { stream: (async function* () { yield Buffer.from('a=1'); })(), size: 10 },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(400);
    expect(response.text()).toContain('ended 7 bytes short of its content-length of 10');
  });
});

describe('limits', () => {
  it('more than maxArguments answers 413', async () => {
    const response = await request(() => {}, { url: '/?a=1&b=2&c=3', config: { maxArguments: 2 } });
    expect(response.status).toBe(413);
    expect(response.text()).toContain('more than 2 arguments');
  });

  it('more than maxArguments in a multipart body answers 413 and removes every stored file', async () => {
    const files = Object.fromEntries(Array.from({ length: 5 }, (_, index) => [`f${index}`, { content: 'x'.repeat(1000), filename: `${index}.txt` }]));
    const response = await request(() => { throw new Error('the app must not run'); }, { files, config: { maxArguments: 3 } });
    expect(response.status).toBe(413);
    expect(tmp.files()).toEqual([]);
  });

  it('an argument name longer than maxArgumentNameSize answers 413', async () => {
    const response = await request(() => {}, { form: { ['n'.repeat(40)]: 'v' }, config: { maxArgumentNameSize: 32 } });
    expect(response.status).toBe(413);
  });

  it('a content-length over inputContentLengthLimit answers 413 without reading the body', async () => {
    let pulled = false;
    const body = { stream: (async function* () { pulled = true; yield Buffer.alloc(100); })(), size: 100 };
    const response = await request(() => {}, { body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, config: { inputContentLengthLimit: 99 } });
    expect(response.status).toBe(413);
    expect(pulled).toBe(false);
  });

  it('a content type that is not permitted answers 415 naming the permitted ones', async () => {
    const formsOnly = { permittedInputContentTypes: ['multipart/form-data', 'application/x-www-form-urlencoded'] };
    const response = await request(() => {}, { body: '{}', headers: { 'content-type': 'application/json' }, config: formsOnly });
    expect(response.status).toBe(415);
    expect(response.text()).toContain('multipart/form-data, application/x-www-form-urlencoded');
  });

  it('a body without a content type is application/octet-stream (RFC 9110 §8.3)', async () => {
    // The builder types raw bodies; a client may send none.
    let seen: unknown;
    const untyped = await request(async (cgi) => { seen = [cgi.body?.contentType, await cgi.body?.text()]; }, { method: 'POST', env: { CONTENT_TYPE: '' }, body: 'abc' });
    expect(untyped.status).toBe(200);
    expect(seen).toEqual(['application/octet-stream', 'abc']);
  });

  it('a content-length that is not a number answers 400', async () => {
    const response = await request(() => {}, { method: 'POST', env: { CONTENT_LENGTH: '12abc', CONTENT_TYPE: 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(400);
  });
});

describe('many file uploads in one request', () => {
  /** `count` file parts of 10 bytes in one multipart body. */
  const tinyFiles = (count: number) => ({ files: { upload: Array.from({ length: count }, (_, index) => ({ content: `file ${String(index).padStart(5, '0')}`, filename: `f${index}.txt` })) } });

  it('answers 413 past config.maxFileArguments (100), removing what was stored', async () => {
    const response = await request(() => {}, tinyFiles(101));
    expect(response.status).toBe(413);
    expect(response.text()).toContain('more than 100 file uploads');
    expect((await request((cgi) => { cgi.out.write(String(cgi.multipleArgument('upload').length)); }, tinyFiles(100))).text()).toBe('100');
  });

  it('holds at most 8 temp files open at once, whatever their number', async () => {
    // 10,000 parts of 10 bytes arrive in a few reads; each part used to open its file at once:
    // ~2,000 descriptors held, and other requests failed with EMFILE under `ulimit -n 1024`.
    const { readdirSync } = await import('node:fs');
    const openFiles = (): number => readdirSync('/proc/self/fd').length;
    const before = openFiles();
    let peak = 0;
    let sampling = true;
    const sample = (): void => {
      peak = Math.max(peak, openFiles());
      if (sampling) setImmediate(sample);
    };
    sample();
    const response = await request((cgi) => { cgi.out.write(String(cgi.multipleArgument('upload').length)); }, { ...tinyFiles(2000), config: { maxFileArguments: 10_000 } });
    sampling = false;
    expect(response.text()).toBe('2000');
    expect(peak - before).toBeLessThanOrEqual(8 + 4);
  });
});

describe('multipart arguments', () => {
  it('fields stay in memory and files go to 0600 temp files that are deleted after the request', async () => {
    let path = '';
    const response = await request(async (cgi) => {
      const title = cgi.argument('title')!;
      expect([title.store, title.value, title.filename]).toEqual(['memory', 'Ünïcode', undefined]);
      const upload = cgi.argument('upload')!;
      expect(upload.store).toBe('file');
      expect(upload.filename).toBe('report.csv');
      expect(upload.contentType).toBe('text/csv');
      expect(upload.size).toBe(11);
      path = upload.path!;
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(await upload.text()).toBe('a,b\n1,2\n3,4');
      expect(upload.value).toBe('a,b\n1,2\n3,4');
      expect((await upload.bytes()).length).toBe(11);
      const chunks: Buffer[] = [];
      for await (const chunk of upload.open()) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('a,b\n1,2\n3,4');
    }, { form: { title: 'Ünïcode' }, files: { upload: { content: 'a,b\n1,2\n3,4', filename: 'report.csv', contentType: 'text/csv' } } });
    expect(response.status).toBe(200);
    expect(existsSync(path)).toBe(false);
  });

  it('argStore decides the store per argument: memory, file, automatic, discard', async () => {
    const decisions: Record<string, StoreDecision> = { m: 'memory', f: 'file', a: 'automatic', d: 'discard', upload: 'memory' };
    let seen: unknown;
    await request((cgi) => {
      seen = cgi.arguments.map((argument) => [argument.name, argument.store]);
    }, {
      form: { m: '1', f: '2', a: '3', d: '4' },
      files: { upload: { content: 'file content' } },
      argStore: (_env, name) => decisions[name]!,
    });
    // Fields arrive whole in memory, so 'file' keeps them there; the upload obeys 'memory'.
    expect(seen).toEqual([['m', 'memory'], ['f', 'memory'], ['a', 'memory'], ['upload', 'memory']]);
  });

  it('argStore sees the part: file name, content type and headers', async () => {
    const parts: unknown[] = [];
    await request(() => {}, {
      files: { doc: { content: 'x', filename: 'a.txt', contentType: 'text/plain; charset=utf-8' } },
      argStore: (_env, name, part) => { parts.push([name, part.filename, part.contentType]); return 'automatic'; },
    });
    expect(parts).toEqual([['doc', 'a.txt', 'text/plain']]);
  });

  it('an upload over its maxSize is kept as oversized, its value gone, and no file is left', async () => {
    let checked = false;
    const response = await request((cgi) => {
      const upload = cgi.argument('upload')!;
      expect(upload.oversized).toBe(true);
      expect(upload.size).toBe(5000);
      expect(() => upload.value).toThrow(ArgumentOversizedError);
      expect(() => cgi.argumentValue('upload')).toThrow(/larger than its limit of 1000 bytes/);
      expect(cgi.argument('after')?.value).toBe('still parsed');
      expect(tmp.files()).toEqual([]);
      checked = true;
    }, {
      files: { upload: { content: 'y'.repeat(5000) } },
      form: { after: 'still parsed' },
      argStore: (_env, name) => (name === 'upload' ? { store: 'file', maxSize: 1000 } : 'memory'),
    });
    expect(response.status).toBe(200);
    expect(checked).toBe(true);
  });

  it('a field over maxMemoryArgumentSize is oversized', async () => {
    let oversized: boolean | undefined;
    await request((cgi) => { oversized = cgi.argument('big')?.oversized; }, {
      form: { big: 'z'.repeat(3000) }, multipart: true, config: { maxMemoryArgumentSize: 1024 },
    });
    expect(oversized).toBe(true);
  });

  it('a field of exactly maxMemoryArgumentSize bytes is whole, one byte more is oversized', async () => {
    let atLimit: string | undefined;
    let overLimit: boolean | undefined;
    await request((cgi) => {
      atLimit = cgi.argumentValue('exact');
      overLimit = cgi.argument('over')?.oversized;
    }, { form: { exact: 'z'.repeat(1024), over: 'z'.repeat(1025) }, multipart: true, config: { maxMemoryArgumentSize: 1024 } });
    expect(atLimit).toBe('z'.repeat(1024));
    expect(overLimit).toBe(true);
  });

  it('a part header past 16 KiB answers 431; a broken short one 400', async () => {
    const long = `--b\r\nContent-Disposition: form-data; name="f"\r\nX-Padding: ${'p'.repeat(100_000)}\r\n\r\nvalue\r\n--b--\r\n`;
    const longResponse = await request(() => {}, { body: long, headers: { 'content-type': 'multipart/form-data; boundary=b' } });
    expect(longResponse.status).toBe(431);
    expect(longResponse.text()).toContain('a multipart part header is longer than 16384 bytes');
    // The same in a later part, with a quoted boundary.
    const second = `--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b\r\nContent-Disposition: form-data; name="f"; x="${'p'.repeat(20_000)}"\r\n\r\nvalue\r\n--b--\r\n`;
    const secondResponse = await request(() => {}, { body: second, headers: { 'content-type': 'multipart/form-data; boundary="b"' } });
    expect(secondResponse.status).toBe(431);
    const broken = '--b\r\nContent-Disposition form-data\r\n\r\nvalue\r\n--b--\r\n';
    const brokenResponse = await request(() => {}, { body: broken, headers: { 'content-type': 'multipart/form-data; boundary=b' } });
    expect(brokenResponse.status).toBe(400);
    expect(brokenResponse.text()).toContain('malformed multipart body');
  });

  it('an argStore that throws discards the argument and logs why', async () => {
    let names: string[] = [];
    const response = await request((cgi) => { names = cgi.arguments.map((argument) => argument.name); }, {
      form: { keep: '1', bad: '2' },
      argStore: (_env, name) => { if (name === 'bad') throw new Error('no way'); return 'memory'; },
    });
    expect(names).toEqual(['keep']);
    expect(response.log.join('\n')).toContain('argStore threw for argument "bad"');
  });

  it('a malformed multipart body answers 400 and leaves no file', async () => {
    const body = '--b\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\npartial content without end';
    const response = await request(() => {}, { body, headers: { 'content-type': 'multipart/form-data; boundary=b' } });
    expect(response.status).toBe(400);
    expect(response.text()).toContain('malformed multipart body');
  });

  it('a multipart content type without boundary answers 400', async () => {
    const response = await request(() => {}, { body: 'x', headers: { 'content-type': 'multipart/form-data' } });
    expect(response.status).toBe(400);
  });

  it('a part without a name answers 400', async () => {
    const body = '--b\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--b--\r\n';
    const response = await request(() => {}, { body, headers: { 'content-type': 'multipart/form-data; boundary=b' } });
    expect(response.status).toBe(400);
    expect(response.text()).toContain('has no name');
  });
});

describe('raw request bodies', () => {
  const putConfig = { permittedHttpMethods: ['GET', 'PUT', 'PATCH', 'POST'], permittedInputContentTypes: [] };

  it('a PUT body is cgi.body, named BODY, in memory when it fits, with the query arguments beside it', async () => {
    let seen: unknown;
    await request(async (cgi) => {
      const body = cgi.body!;
      seen = [body.name, body.store, body.contentType, body.charset, await body.text(), await body.json(), pairs(cgi)];
    }, { method: 'PUT', url: '/?v=2', body: '{"a":1}', headers: { 'content-type': 'application/json; charset=UTF-8' }, config: putConfig });
    expect(seen).toEqual(['BODY', 'memory', 'application/json', 'utf-8', '{"a":1}', { a: 1 }, [['v', '2']]]);
  });

  it('a raw body larger than maxMemoryArgumentSize, or of unknown length, goes to a temp file', async () => {
    const stores: string[] = [];
    const app = (cgi: Cgi): void => { stores.push(cgi.body!.store); };
    await request(app, { method: 'PUT', body: 'x'.repeat(11), config: { maxMemoryArgumentSize: 10 } });
    await request(app, { method: 'PUT', body: 'x'.repeat(10), config: { maxMemoryArgumentSize: 10 } });
    await request(app, { method: 'PUT', body: { stream: (async function* () { yield Buffer.from('chunked'); })() } });
    expect(stores).toEqual(['file', 'memory', 'file']);
  });

  it('a POST of another permitted type is cgi.body too', async () => {
    let text: string | undefined;
    await request(async (cgi) => { text = await cgi.body?.text(); }, { body: 'raw', headers: { 'content-type': 'text/plain' }, config: putConfig });
    expect(text).toBe('raw');
  });

  it('a body over its limit is oversized and reading stops at the limit', async () => {
    let pulledChunks = 0;
    async function* chunks() {
      for (let index = 0; index < 100; index++) { pulledChunks++; yield Buffer.alloc(1024, 1); }
    }
    let oversized: boolean | undefined;
    const response = await request((cgi) => { oversized = cgi.body?.oversized; }, {
      method: 'PATCH', body: { stream: chunks(), size: 100 * 1024 }, config: putConfig,
      argStore: () => ({ store: 'memory', maxSize: 4096 }),
    });
    expect(response.status).toBe(200);
    expect(oversized).toBe(true);
    expect(pulledChunks).toBeLessThan(20);
  });

  it('a discarded body leaves cgi.body undefined', async () => {
    let body: unknown = 'unset';
    await request((cgi) => { body = cgi.body; }, { method: 'PUT', body: 'x', config: putConfig, argStore: () => 'discard' });
    expect(body).toBeUndefined();
  });

  it('a discarded body is still read to its end: all of it is pulled, and a short one is a 400', async () => {
    let pulledChunks = 0;
    async function* chunks(count: number) {
      for (let index = 0; index < count; index++) { pulledChunks++; yield Buffer.alloc(1024, 1); }
    }
    const whole = await request(() => {}, {
      method: 'PUT', body: { stream: chunks(100), size: 100 * 1024 }, config: putConfig, argStore: () => 'discard',
    });
    expect(whole.status).toBe(200);
    expect(pulledChunks).toBe(100);
    const short = await request(() => {}, {
      method: 'PUT', body: { stream: chunks(3), size: 100 * 1024 }, config: putConfig, argStore: () => 'discard',
    });
    expect(short.status).toBe(400);
  });

  it('DELETE takes its arguments from the query string and leaves the body unread', async () => {
    let seen: unknown;
    await request((cgi) => { seen = [pairs(cgi), cgi.body]; }, {
      method: 'DELETE', url: '/?id=7', config: { permittedHttpMethods: ['DELETE'] },
    });
    expect(seen).toEqual([[['id', '7']], undefined]);
  });
});

describe('methods', () => {
  it('a method that is not permitted answers 405 with Allow', async () => {
    const response = await request(() => {}, { method: 'PUT', body: 'x', config: { permittedHttpMethods: ['GET', 'HEAD', 'POST'] } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('every standard method is permitted by default; another answers 405 listing them', async () => {
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      expect((await request(() => {}, { method })).status, method).toBe(200);
    }
    const response = await request(() => {}, { method: 'PROPFIND' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
  });

  it('a request without REQUEST_METHOD answers 400 and says how to test from a shell', async () => {
    const response = await request(() => {}, { env: { REQUEST_METHOD: '' } });
    expect(response.status).toBe(400);
    expect(response.text()).toContain('netcgi-test');
  });

  it('HttpError is exported for apps to throw', () => {
    expect(new HttpError(418).message).toBe("I'm a Teapot");
  });
});

describe('a body without CONTENT_LENGTH (a FastCGI server streaming a chunked upload)', () => {
  async function* chunks(...parts: string[]) { for (const part of parts) yield Buffer.from(part); }

  it('an urlencoded body is read to the end of the stream', async () => {
    let seen: unknown;
    const response = await request((cgi) => { seen = pairs(cgi); }, {
      body: { stream: chunks('a=1&', 'b=2') }, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(200);
    expect(seen).toEqual([['a', '1'], ['b', '2']]);
  });

  it('a multipart upload is read to the end of the stream', async () => {
    let size: number | undefined;
    const response = await request((cgi) => { size = cgi.argument('f')?.size; }, {
      files: { f: { content: { stream: chunks('x'.repeat(70_000), 'y'.repeat(30_000)) } } },
    });
    expect(response.status).toBe(200);
    expect(size).toBe(100_000);
  });

  it('a body past inputContentLengthLimit answers 413 and leaves no file', async () => {
    const response = await request(() => {}, {
      files: { f: { content: { stream: chunks('x'.repeat(5000), 'y'.repeat(5000)) } } }, config: { inputContentLengthLimit: 8000 },
    });
    expect(response.status).toBe(413);
  });

  it('an urlencoded body past maxUrlencodedSize answers 413', async () => {
    const response = await request(() => {}, {
      body: { stream: chunks('a=', 'x'.repeat(3000)) }, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      config: { maxUrlencodedSize: 1000 },
    });
    expect(response.status).toBe(413);
  });

  it('without CONTENT_TYPE either, there is no body and the stream is left unread', async () => {
    let pulled = false;
    const response = await request((cgi) => { expect(cgi.body).toBeUndefined(); }, {
      method: 'POST', env: { CONTENT_TYPE: '' }, body: { stream: (async function* () { pulled = true; yield Buffer.from('x'); })() },
    });
    expect(response.status).toBe(200);
    expect(pulled).toBe(false);
  });
});

describe('storage failures', () => {
  it('an upload that cannot be stored is a 500 that says why in the log, not a silent oversize', async () => {
    const response = await testRequest(() => {}, {
      files: { f: { content: 'data' } }, config: { tmpDirectory: `${tmp.path}/does-not-exist` },
    });
    expect(response.status).toBe(500);
    expect(response.log[0]).toContain('ENOENT');
  });
});
