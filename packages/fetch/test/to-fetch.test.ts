// toFetch: a netcgi app called as a fetch handler, with Request objects.
import { describe, expect, it } from 'vitest';
import { HttpError, type Cgi } from '@netcgi/core';
import { toFetch } from '@netcgi/fetch';

async function app(cgi: Cgi): Promise<void> {
  const path = cgi.environment.pathInfo;
  if (path === '/echo') {
    cgi.setHeader({ contentType: 'application/json', cookies: [{ name: 'a', value: '1' }, { name: 'b', value: '2' }] });
    cgi.out.write(JSON.stringify({ method: cgi.method, url: cgi.url({ withQueryString: true }), body: cgi.body === undefined ? null : await cgi.body.text(), name: cgi.argumentValue('name') }));
    return;
  }
  if (path === '/stream') {
    cgi.setHeader({ contentType: 'application/octet-stream' });
    for (let index = 0; index < 64; index++) await cgi.out.send(Buffer.alloc(64 * 1024, index));
    return;
  }
  if (path === '/wait') {
    cgi.out.write('started');
    await cgi.out.send('\n');
    await new Promise((resolve) => cgi.signal.addEventListener('abort', resolve));
    return;
  }
  throw new HttpError(404, `no ${path}`);
}

const handler = toFetch(app, { logError: () => {} });

describe('toFetch', () => {
  it('answers a Request with a Response: status, headers, every Set-Cookie, body', async () => {
    const response = await handler(new Request('http://example.com:8080/echo?name=Ada', { method: 'PUT', body: 'raw body', headers: { 'Content-Type': 'text/plain' } }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ method: 'PUT', url: 'http://example.com:8080/echo?name=Ada', body: 'raw body', name: 'Ada' });
  });

  it('forms are parsed as over any connector', async () => {
    const response = await handler(new Request('http://localhost/echo', { method: 'POST', body: new URLSearchParams({ name: 'Grace' }) }));
    expect((await response.json() as { name: string }).name).toBe('Grace');
  });

  it('an HttpError is its status and error page', async () => {
    const response = await handler(new Request('http://localhost/missing'));
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('no /missing');
  });

  it('streams the body while the app writes, and the app waits for a slow reader', async () => {
    const response = await handler(new Request('http://localhost/stream'));
    const reader = response.body!.getReader();
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
    }
    expect(size).toBe(64 * 64 * 1024);
  });

  it("aborting the Request's signal reaches cgi.signal", async () => {
    const controller = new AbortController();
    const response = await handler(new Request('http://localhost/wait', { signal: controller.signal }));
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('started');
    controller.abort();
    await expect(reader.read()).rejects.toThrow(/aborted/);
  });
});
