// An HTTP request's CGI variables, as a web server would set them (RFC 3875 §4.1).
import { describe, expect, it } from 'vitest';
import { cgiVariablesOfHttpRequest, percentDecode } from '@netcgi/core/connector';

describe('cgiVariablesOfHttpRequest', () => {
  it('sets what RFC 3875 names from the method, target, headers and socket', () => {
    const variables = cgiVariablesOfHttpRequest({
      method: 'POST',
      target: '/app/a%20b/%C3%A9?x=1&y=%20',
      headers: [['Host', 'example.com:8080'], ['Content-Type', 'text/plain'], ['Content-Length', '5'], ['Accept', 'a'], ['accept', 'b'], ['Cookie', 'a=1'], ['Cookie', 'b=2']],
      remoteAddress: '192.0.2.1',
      remotePort: 51000,
      scriptName: '/app',
    });
    expect(Object.fromEntries(variables)).toEqual({
      GATEWAY_INTERFACE: 'CGI/1.1', SERVER_SOFTWARE: 'netcgi', SERVER_PROTOCOL: 'HTTP/1.1', REQUEST_METHOD: 'POST',
      REQUEST_URI: '/app/a%20b/%C3%A9?x=1&y=%20', SCRIPT_NAME: '/app', PATH_INFO: '/a b/é', QUERY_STRING: 'x=1&y=%20',
      REMOTE_ADDR: '192.0.2.1', REMOTE_PORT: '51000', SERVER_NAME: 'example.com', SERVER_PORT: '8080',
      CONTENT_TYPE: 'text/plain', CONTENT_LENGTH: '5', HTTP_HOST: 'example.com:8080', HTTP_ACCEPT: 'a, b', HTTP_COOKIE: 'a=1; b=2',
    });
  });

  it('drops a Proxy header (httpoxy)', () => {
    expect(cgiVariablesOfHttpRequest({ method: 'GET', target: '/', headers: [['Proxy', 'http://evil']] }).has('HTTP_PROXY')).toBe(false);
  });

  it('the port is the one the request came in on, whatever Host says; without Host the local address names the server', () => {
    const forged = cgiVariablesOfHttpRequest({ method: 'GET', target: '/', headers: [['Host', 'example.com:1']], localPort: 8000 });
    expect(forged.get('SERVER_NAME')).toBe('example.com');
    expect(forged.get('SERVER_PORT')).toBe('8000');
    const bare = cgiVariablesOfHttpRequest({ method: 'GET', target: '/', headers: [], localAddress: '127.0.0.1', localPort: 8000, https: true });
    expect([bare.get('SERVER_NAME'), bare.get('SERVER_PORT'), bare.get('HTTPS')]).toEqual(['127.0.0.1', '8000', 'on']);
    const ipv6 = cgiVariablesOfHttpRequest({ method: 'GET', target: '/', headers: [['Host', '[::1]']], https: true });
    expect([ipv6.get('SERVER_NAME'), ipv6.get('SERVER_PORT')]).toEqual(['[::1]', '443']);
  });

  it('percentDecode keeps a malformed escape as it is and decodes the rest', () => {
    expect(percentDecode('/%zz/%C3%A9/%')).toBe('/%zz/é/%');
    expect(percentDecode('/%E9')).toBe('/%E9');
    expect(percentDecode('/plain')).toBe('/plain');
  });
});
