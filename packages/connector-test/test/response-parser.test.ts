import { describe, expect, it } from 'vitest';
import { parseCgiResponse } from '@netcgi/connector-test';

describe('parseCgiResponse', () => {
  it('reads Status, the other fields and the body', () => {
    const response = parseCgiResponse(Buffer.from('Status: 404 Not Found\r\nContent-Type: text/plain\r\nX-A: 1\r\nX-A: 2\r\n\r\nbody\r\n\r\nmore'));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.get('x-a')).toBe('1, 2');
    expect(response.headers.has('status')).toBe(false);
    expect(response.body.toString()).toBe('body\r\n\r\nmore');
  });

  it('accepts bare LF line ends (RFC 3875 §6.3 allows them from scripts)', () => {
    const response = parseCgiResponse(Buffer.from('Content-Type: text/plain\n\nhello'));
    expect([response.status, response.body.toString()]).toEqual([200, 'hello']);
  });

  it('a Location without Status is a 302', () => {
    expect(parseCgiResponse(Buffer.from('Location: /x\r\n\r\n')).status).toBe(302);
  });

  it('collects Set-Cookie values by name', () => {
    const response = parseCgiResponse(Buffer.from('Set-Cookie: a=1; Path=/\r\nSet-Cookie: b=x%20y\r\n\r\n'));
    expect(response.cookies).toEqual({ a: '1', b: 'x y' });
  });

  it('throws on a response without an end of header or with a malformed line', () => {
    expect(() => parseCgiResponse(Buffer.from('Content-Type: text/plain\r\n'))).toThrow(/no end of header/);
    expect(() => parseCgiResponse(Buffer.from('not a header\r\n\r\n'))).toThrow(/malformed CGI header line/);
  });
});
