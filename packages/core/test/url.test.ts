import { describe, expect, it } from 'vitest';
import { Argument, type Cgi, type UrlOptions } from '@netcgi/core';
import { testRequest, type TestRequestOptions } from '@netcgi/connector-test';

async function urlOf(request: TestRequestOptions, options?: UrlOptions): Promise<string> {
  let url = '';
  await testRequest((cgi: Cgi) => { url = cgi.url(options); }, request);
  return url;
}

const mounted = { url: '/cgi-bin/app.cgi/some/path?x=1', scriptName: '/cgi-bin/app.cgi' };

describe('cgi.url', () => {
  it('defaults to scheme, SERVER_NAME, script and path info, without the query string', async () => {
    expect(await urlOf(mounted)).toBe('http://localhost/cgi-bin/app.cgi/some/path');
  });

  it('adds a non-default port and uses https when HTTPS is on', async () => {
    expect(await urlOf({ ...mounted, env: { SERVER_PORT: '8080' } })).toBe('http://localhost:8080/cgi-bin/app.cgi/some/path');
    expect(await urlOf({ ...mounted, env: { HTTPS: 'on', SERVER_PORT: '443' } })).toBe('https://localhost/cgi-bin/app.cgi/some/path');
    expect(await urlOf({ ...mounted, env: { HTTPS: 'on', SERVER_PORT: '80' } })).toBe('https://localhost:80/cgi-bin/app.cgi/some/path');
    expect(await urlOf(mounted, { protocol: 'https' })).toBe('https://localhost:80/cgi-bin/app.cgi/some/path');
  });

  it('uses SERVER_NAME, not the Host header, and brackets an IPv6 address', async () => {
    expect(await urlOf({ ...mounted, headers: { Host: 'evil.example' }, env: { SERVER_NAME: 'www.example.org' } })).toBe('http://www.example.org/cgi-bin/app.cgi/some/path');
    expect(await urlOf({ ...mounted, env: { SERVER_NAME: '::1', SERVER_PORT: '81' } })).toBe('http://[::1]:81/cgi-bin/app.cgi/some/path');
  });

  it('without SERVER_NAME takes the host of Host, never its port or anything that is not a host', async () => {
    const bare = { ...mounted, env: { SERVER_NAME: '', SERVER_PORT: '8080' } };
    expect(await urlOf({ ...bare, headers: { Host: 'www.example.org' } })).toBe('http://www.example.org:8080/cgi-bin/app.cgi/some/path');
    // A forged port in Host does not move the URL off the port the request came in on.
    expect(await urlOf({ ...bare, headers: { Host: 'www.example.org:1' } })).toBe('http://www.example.org:8080/cgi-bin/app.cgi/some/path');
    expect(await urlOf({ ...bare, headers: { Host: '[::1]:8080' } })).toBe('http://[::1]:8080/cgi-bin/app.cgi/some/path');
    // Not a host: left out rather than spliced into the URL.
    expect(await urlOf({ ...bare, headers: { Host: 'evil.example/phish?' } })).toBe('http://:8080/cgi-bin/app.cgi/some/path');
  });

  it('leaves parts out or replaces them', async () => {
    expect(await urlOf(mounted, { withAuthority: false })).toBe('/cgi-bin/app.cgi/some/path');
    expect(await urlOf(mounted, { withAuthority: false, withPathInfo: false })).toBe('/cgi-bin/app.cgi');
    expect(await urlOf(mounted, { withAuthority: 'https://cdn.example', withScriptName: '/x' })).toBe('https://cdn.example/x/some/path');
    expect(await urlOf(mounted, { withAuthority: false, withScriptName: false, withPathInfo: 'other' })).toBe('/other');
    expect(await urlOf(mounted, { withAuthority: false, withScriptName: '/dir/', withPathInfo: 'other' })).toBe('/dir/other');
  });

  it('re-encodes PATH_INFO, which the web server decoded once', async () => {
    expect(await urlOf({ url: '/a%20b/%25/%C3%A9/x:y@z' }, { withAuthority: false })).toBe('/a%20b/%25/%C3%A9/x:y@z');
  });

  it('withQueryString: true adds the memory arguments, query and body, urlencoded; files are left out', async () => {
    const url = await urlOf({ url: '/?q=a+b', form: { name: 'é&=' }, files: { f: { content: 'x' } } }, { withAuthority: false, withQueryString: true });
    expect(url).toBe('/?q=a+b&name=%C3%A9%26%3D');
  });

  it('withQueryString takes a list of arguments', async () => {
    const url = await urlOf({}, { withAuthority: false, withQueryString: [Argument.simple('page', '2'), Argument.simple('sort', 'name desc')] });
    expect(url).toBe('/?page=2&sort=name+desc');
    expect(await urlOf({}, { withAuthority: false, withQueryString: [] })).toBe('/');
  });
});
