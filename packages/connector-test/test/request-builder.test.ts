import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildRequest } from '@netcgi/connector-test';

async function bodyOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

describe('buildRequest', () => {
  it('a plain GET has the variables a web server sets', async () => {
    const { variables, body } = buildRequest({ url: '/app/x%20y?q=1', scriptName: '/app' });
    expect(Object.fromEntries(variables)).toMatchObject({
      REQUEST_METHOD: 'GET', SCRIPT_NAME: '/app', PATH_INFO: '/x y', QUERY_STRING: 'q=1', REQUEST_URI: '/app/x%20y?q=1',
      SERVER_NAME: 'localhost', SERVER_PORT: '80', GATEWAY_INTERFACE: 'CGI/1.1', HTTP_HOST: 'localhost',
    });
    expect(variables.has('CONTENT_LENGTH')).toBe(false);
    expect((await bodyOf(body)).length).toBe(0);
  });

  it('a GET form goes into the query string; a POST form into an urlencoded body', async () => {
    expect(buildRequest({ method: 'GET', url: '/?a=1', form: { b: 'x y' } }).variables.get('QUERY_STRING')).toBe('a=1&b=x+y');
    const post = buildRequest({ form: [['b', 'x y'], ['b', 'é']] });
    expect(post.variables.get('REQUEST_METHOD')).toBe('POST');
    expect(post.variables.get('CONTENT_TYPE')).toBe('application/x-www-form-urlencoded');
    const body = await bodyOf(post.body);
    expect(body.toString()).toBe('b=x+y&b=%C3%A9');
    expect(post.variables.get('CONTENT_LENGTH')).toBe(String(body.length));
  });

  it('files make a multipart body whose CONTENT_LENGTH is its exact size', async () => {
    const { variables, body } = buildRequest({ form: { title: 'T' }, files: { f: [{ content: 'abc', filename: 'a"b.txt' }, { content: Buffer.from([0, 1, 2]) }] } });
    const bytes = await bodyOf(body);
    expect(variables.get('CONTENT_LENGTH')).toBe(String(bytes.length));
    const boundary = /boundary=(.+)$/.exec(variables.get('CONTENT_TYPE')!)![1]!;
    const text = bytes.toString('latin1');
    expect(text.startsWith(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nT\r\n`)).toBe(true);
    expect(text).toContain('filename="a%22b.txt"');
    expect(text).toContain('filename="upload.bin"');
    expect(text.endsWith(`--${boundary}--\r\n`)).toBe(true);
  });

  it('headers become HTTP_ variables, cookies one HTTP_COOKIE, env overrides everything', () => {
    const { variables } = buildRequest({
      headers: { 'X-Forwarded-For': ['1.1.1.1', '2.2.2.2'], Cookie: 'a=1' }, cookies: { b: 'two words' }, env: { SERVER_NAME: 'example.org' },
    });
    expect(variables.get('HTTP_X_FORWARDED_FOR')).toBe('1.1.1.1, 2.2.2.2');
    expect(variables.get('HTTP_COOKIE')).toBe('a=1; b=two%20words');
    expect(variables.get('SERVER_NAME')).toBe('example.org');
  });

  it('a raw body takes its type from the content-type header', async () => {
    const { variables, body } = buildRequest({ method: 'PUT', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect([variables.get('CONTENT_TYPE'), variables.get('CONTENT_LENGTH'), variables.has('HTTP_CONTENT_TYPE')]).toEqual(['application/json', '2', false]);
    expect((await bodyOf(body)).toString()).toBe('{}');
  });
});
