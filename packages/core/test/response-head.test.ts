// The response head a connector receives, and its CGI text both ways.
import { describe, expect, it } from 'vitest';
import { parseCgiResponse, responseHead, serializeCgiHead, type HeaderField } from '@netcgi/core/connector';

describe('responseHead', () => {
  const cases: [string, HeaderField[], { status: number; statusText: string; localRedirect: boolean; fields: number }][] = [
    ['no Status: 200 OK', [['Content-Type', 'text/html']], { status: 200, statusText: 'OK', localRedirect: false, fields: 1 }],
    ['a Status with its reason', [['Content-Type', 'text/plain'], ['Status', '404 Not Found']], { status: 404, statusText: 'Not Found', localRedirect: false, fields: 1 }],
    ['a Status with a reason of its own', [['status', '299 Custom Thing']], { status: 299, statusText: 'Custom Thing', localRedirect: false, fields: 0 }],
    ['a Status without a reason gets the standard one', [['Status', '503']], { status: 503, statusText: 'Service Unavailable', localRedirect: false, fields: 0 }],
    ['a URL Location without Status: 302 (RFC 3875 §6.2.3)', [['Location', 'http://example.com/']], { status: 302, statusText: 'Found', localRedirect: false, fields: 1 }],
    ['a path Location without Status: a local redirect (§6.2.2)', [['Location', '/other']], { status: 302, statusText: 'Found', localRedirect: true, fields: 1 }],
    ['a network-path Location is not local', [['Location', '//evil.example/']], { status: 302, statusText: 'Found', localRedirect: false, fields: 1 }],
    ['a path Location with a Status is a client redirect', [['Location', '/next'], ['Status', '303 See Other']], { status: 303, statusText: 'See Other', localRedirect: false, fields: 1 }],
  ];
  for (const [name, fields, expected] of cases) {
    it(name, () => {
      const head = responseHead(fields);
      expect({ status: head.status, statusText: head.statusText, localRedirect: head.localRedirect, fields: head.fields.length }).toEqual(expected);
      expect(head.fields.some(([field]) => field.toLowerCase() === 'status')).toBe(false);
    });
  }

  it('a Status that is not a code from 100 to 599 is a RangeError', () => {
    for (const value of ['OK', '99 Low', '600 High', '']) expect(() => responseHead([['Status', value]])).toThrow(RangeError);
  });
});

describe('serializeCgiHead and parseCgiResponse', () => {
  it('put Status first, leave it out where the web server would answer the same', () => {
    expect(serializeCgiHead(responseHead([['Content-Type', 'text/html']]))).toBe('Content-Type: text/html\r\n\r\n');
    expect(serializeCgiHead(responseHead([['Content-Type', 'a/b'], ['Status', '201 Created']]))).toBe('Status: 201 Created\r\nContent-Type: a/b\r\n\r\n');
    expect(serializeCgiHead(responseHead([['Location', '/local']]))).toBe('Location: /local\r\n\r\n');
    // An explicit 200 with a Location must stay: without it the web server would redirect.
    expect(serializeCgiHead(responseHead([['Location', 'http://x/'], ['Status', '200 OK']]))).toBe('Status: 200 OK\r\nLocation: http://x/\r\n\r\n');
  });

  it('round-trip: the text of a head parses back to the same head', () => {
    const heads: HeaderField[][] = [
      [['Content-Type', 'text/plain'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2'], ['Status', '418 I\'m a Teapot']],
      [['Location', '/x']],
      [['Location', 'https://example.com/'], ['Status', '307 Temporary Redirect']],
    ];
    for (const fields of heads) {
      const head = responseHead(fields);
      const parsed = parseCgiResponse(Buffer.from(`${serializeCgiHead(head)}body`));
      expect(parsed.head).toEqual(head);
      expect(parsed.body.toString()).toBe('body');
    }
  });

  it('parseCgiResponse reads LF-only lines and refuses a response without an end of header', () => {
    expect(parseCgiResponse(Buffer.from('Status: 404\nX: 1\n\nrest')).head).toMatchObject({ status: 404, fields: [['X', '1']] });
    expect(() => parseCgiResponse(Buffer.from('X: 1\r\n'))).toThrow(/no end of header/);
    expect(() => parseCgiResponse(Buffer.from('no colon\r\n\r\n'))).toThrow(/malformed CGI header line/);
  });
});
