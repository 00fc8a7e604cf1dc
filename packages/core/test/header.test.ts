import { describe, expect, it } from 'vitest';
import { HeaderSentError, InvalidHeaderError, type Cgi } from '@netcgi/core';
import { testRequest } from '@netcgi/connector-test';

/** The raw header lines an app produces. */
async function headerLines(app: (cgi: Cgi) => void): Promise<string[]> {
  const response = await testRequest(app);
  return response.raw.toString().split('\r\n\r\n')[0]!.split('\r\n');
}

describe('setHeader', () => {
  it('the default header is Content-Type: text/html', async () => {
    expect(await headerLines(() => {})).toEqual(['Content-Type: text/html']);
  });

  it('emits the fields in Netcgi order, the status with its reason phrase (RFC 3875 §6.3.3)', async () => {
    const lines = await headerLines((cgi) => cgi.setHeader({
      status: 201, contentType: 'application/json', contentLength: 2, language: 'fr', fields: { 'X-Extra': ['a', 'b'] },
    }));
    expect(lines).toEqual([
      // The status reaches the connector apart from the fields; in CGI text it goes first.
      'Status: 201 Created', 'Content-Type: application/json', 'Content-Length: 2', 'Content-Language: fr', 'X-Extra: a', 'X-Extra: b',
    ]);
  });

  it('fields replace same-named fields set by the other options, whatever their case', async () => {
    const lines = await headerLines((cgi) => cgi.setHeader({ contentType: 'text/plain', fields: { 'content-type': 'image/png' } }));
    expect(lines).toEqual(['content-type: image/png']);
  });

  it('cache: no-cache forbids caching and expires in the past', async () => {
    const response = await testRequest((cgi) => cgi.setHeader({ cache: 'no-cache' }));
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('pragma')).toBe('no-cache');
    expect(Date.parse(response.headers.get('expires')!)).toBeLessThan(Date.now());
  });

  it('cache: maxAge sets max-age and an Expires that far ahead', async () => {
    const response = await testRequest((cgi) => cgi.setHeader({ cache: { maxAge: 3600 } }));
    expect(response.headers.get('cache-control')).toBe('max-age=3600, must-revalidate');
    const expires = Date.parse(response.headers.get('expires')!);
    expect(expires).toBeGreaterThan(Date.now() + 3500_000);
    expect(expires).toBeLessThan(Date.now() + 3700_000);
  });

  it('filename offers a download, escaped; a non-ASCII name also goes as filename* (RFC 6266)', async () => {
    const plain = await testRequest((cgi) => cgi.setHeader({ filename: 'a "quoted" name.txt' }));
    expect(plain.headers.get('content-disposition')).toBe('attachment; filename="a \\"quoted\\" name.txt"');
    const unicode = await testRequest((cgi) => cgi.setHeader({ filename: 'résumé.pdf' }));
    expect(unicode.headers.get('content-disposition')).toBe(`attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`);
  });

  it('cookies become Set-Cookie fields in RFC 6265 syntax, without Netcgi\'s Version=1', async () => {
    const response = await testRequest((cgi) => cgi.setHeader({
      cookies: [
        { name: 'session', value: 'a b;c', httpOnly: true, secure: true, sameSite: 'strict', path: '/', maxAge: 60 },
        { name: 'gone', value: '', expires: new Date(0) },
      ],
    }));
    expect(response.headers.getSetCookie()).toEqual([
      'session=a%20b%3Bc; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Strict',
      'gone=; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    ]);
    expect(response.cookies).toEqual({ session: 'a b;c', gone: '' });
  });

  it('an invalid cookie name is a clear error', async () => {
    let error: unknown;
    await testRequest((cgi) => { try { cgi.setHeader({ cookies: [{ name: 'bad name', value: 'x' }] }); } catch (caught) { error = caught; } });
    expect(error).toBeInstanceOf(TypeError);
  });

  it('CR or LF in a value, or a bad name, throws InvalidHeaderError', async () => {
    const errors: unknown[] = [];
    await testRequest((cgi) => {
      const cases: Record<string, string>[] = [{ 'X-A': 'one\r\nX-B: two' }, { 'X-A': 'nul\0' }, { 'Bad Name': 'v' }, { 'X:Colon': 'v' }];
      for (const fields of cases) {
        try { cgi.setHeader({ fields }); } catch (caught) { errors.push(caught); }
      }
    });
    expect(errors).toHaveLength(4);
    for (const error of errors) expect(error).toBeInstanceOf(InvalidHeaderError);
  });

  it('a status outside 100..599 is a RangeError', async () => {
    let error: unknown;
    await testRequest((cgi) => { try { cgi.setHeader({ status: 1000 }); } catch (caught) { error = caught; } });
    expect(error).toBeInstanceOf(RangeError);
  });
});

describe('setRedirectionHeader', () => {
  it('sets Location and Status 302, without Content-Type, with cookies and fields', async () => {
    const lines = await headerLines((cgi) => cgi.setRedirectionHeader('/next', {
      cookies: [{ name: 'flash', value: 'saved' }], fields: { 'X-Why': 'moved', Location: 'ignored' },
    }));
    expect(lines).toEqual(['Status: 302 Found', 'Set-Cookie: flash=saved', 'X-Why: moved', 'Location: /next']);
  });

  it('takes another redirection status', async () => {
    const response = await testRequest((cgi) => cgi.setRedirectionHeader('https://example.org/', { status: 303 }));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('https://example.org/');
  });

  it('sends Location alone for a local redirect (RFC 3875 §6.2.2)', async () => {
    expect(await headerLines((cgi) => cgi.setRedirectionHeader('/elsewhere?x=1', { local: true }))).toEqual(['Location: /elsewhere?x=1']);
  });

  it.each([
    ['a URL', 'http://example.org/', {}],
    ['a status', '/a', { status: 301 as const }],
    ['cookies', '/a', { cookies: [{ name: 'c', value: '1' }] }],
  ])('refuses a local redirect with %s', async (_name, location, options) => {
    let error: unknown;
    await testRequest((cgi) => { try { cgi.setRedirectionHeader(location, { ...options, local: true }); } catch (caught) { error = caught; } });
    expect(error).toBeInstanceOf(TypeError);
  });

  it('rejects a location with a line break', async () => {
    let error: unknown;
    await testRequest((cgi) => { try { cgi.setRedirectionHeader('/a\r\nSet-Cookie: x=1'); } catch (caught) { error = caught; } });
    expect(error).toBeInstanceOf(InvalidHeaderError);
  });
});

describe('the environment output header', () => {
  it('setOutputHeader, outputHeader, multipleOutputHeader and setStatus work on the pending header', async () => {
    const response = await testRequest((cgi) => {
      const env = cgi.environment;
      env.setOutputHeader('X-Multi', ['1', '2']);
      env.setOutputHeader('x-single', 3);
      env.setStatus(418);
      expect(env.outputHeader('x-multi')).toBe('1');
      expect(env.multipleOutputHeader('X-MULTI')).toEqual(['1', '2']);
      expect(env.outputHeader('status')).toBe("418 I'm a Teapot");
      env.setOutputHeader('X-Multi', []);
      expect(env.outputHeader('x-multi')).toBeUndefined();
    });
    expect(response.status).toBe(418);
    expect(response.headers.get('x-single')).toBe('3');
  });

  it('sendOutputHeader sends once; setting a header afterwards throws HeaderSentError', async () => {
    const errors: unknown[] = [];
    const response = await testRequest((cgi) => {
      cgi.environment.sendOutputHeader();
      cgi.environment.sendOutputHeader();
      for (const change of [() => cgi.environment.setOutputHeader('X', '1'), () => cgi.setHeader(), () => cgi.setRedirectionHeader('/')]) {
        try { change(); } catch (error) { errors.push(error); }
      }
    });
    expect(response.raw.toString()).toBe('Content-Type: text/html\r\n\r\n');
    expect(errors).toHaveLength(3);
    expect(errors.every((error) => error instanceof HeaderSentError)).toBe(true);
  });
});
