// Property tests (fast-check) of what a client controls: urlencoded and multipart bodies cut
// anywhere, cookies both ways, and response header values (CR, LF and NUL never go out).
import fc from 'fast-check';
import { parse as parseCookie } from 'cookie';
import { describe, expect, it } from 'vitest';
import { InvalidHeaderError, type Cgi } from '@netcgi/core';
import { testRequest } from '@netcgi/connector-test';
import { useTempDirectory } from './helpers/temp-directory.js';

const tmp = useTempDirectory();

/** `body` cut at `cuts` (offsets, any order), as a stream. */
async function* cutAt(body: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  const offsets = [...new Set([0, ...cuts.map((cut) => cut % (body.length + 1)), body.length])].sort((a, b) => a - b);
  for (let index = 1; index < offsets.length; index++) yield body.subarray(offsets[index - 1], offsets[index]);
}

const argumentsOf = async (cgi: Cgi): Promise<[string, string][]> => Promise.all(cgi.arguments.map(async (argument) => [argument.name, await argument.text()] as [string, string]));

describe('bodies a client sends', () => {
  it('urlencoded: any names and values, cut anywhere, give the pairs in order', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }), fc.string({ maxLength: 40, unit: 'grapheme' })), { maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      async (pairs, cuts) => {
        const body = Buffer.from(new URLSearchParams(pairs).toString());
        let seen: [string, string][] = [];
        const response = await tmp.request(async (cgi) => { seen = await argumentsOf(cgi); }, {
          method: 'POST', body: { stream: cutAt(body, cuts), size: body.length }, headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        expect(response.status).toBe(200);
        expect(seen).toEqual(pairs);
      },
    ), { numRuns: 150 });
  });

  it('multipart, as undici encodes it: any fields and files, cut anywhere, arrive whole', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/), fc.string({ maxLength: 60, unit: 'grapheme' })), { maxLength: 5 }),
      fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,8}\.bin$/), fc.uint8Array({ maxLength: 3000 })), { maxLength: 3 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      async (fields, files, cuts) => {
        const form = new FormData();
        for (const [name, value] of fields) form.append(name, value);
        for (const [filename, bytes] of files) form.append('upload', new Blob([bytes]), filename);
        const request = new Request('http://localhost/', { method: 'POST', body: form });
        const body = Buffer.from(await request.arrayBuffer());
        let seen: [string, string][] = [];
        const response = await tmp.request(async (cgi) => {
          seen = await Promise.all(cgi.arguments.map(async (argument) => [argument.name, argument.filename === undefined ? await argument.text() : `${argument.filename}:${(await argument.bytes()).toString('hex')}`] as [string, string]));
        }, { method: 'POST', body: { stream: cutAt(body, cuts), size: body.length }, headers: { 'content-type': request.headers.get('content-type')! } });
        expect(response.status).toBe(200);
        // Fields keep their text (line ends as sent: undici normalizes lone CR and LF to CRLF).
        const normalize = (text: string): string => text.replace(/\r\n|\r|\n/g, '\r\n');
        expect(seen).toEqual([...fields.map(([name, value]) => [name, normalize(value)]), ...files.map(([filename, bytes]) => ['upload', `${filename}:${Buffer.from(bytes).toString('hex')}`])]);
      },
    ), { numRuns: 100 });
  });
});

describe('cookies', () => {
  const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,16}$/);
  // cookie-octet: printable ASCII but for space, DQUOTE, comma, semicolon and backslash (RFC 6265).
  const octets = fc.stringMatching(/^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]{0,30}$/);

  it('a request Cookie header gives every cookie its value', async () => {
    await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.tuple(token, octets), { selector: ([name]) => name, maxLength: 8 }), async (cookies) => {
      let seen: (string | undefined)[] = [];
      await testRequest((cgi) => { seen = cookies.map(([name]) => cgi.environment.cookie(name)); }, { headers: { cookie: cookies.map(([name, value]) => `${name}=${value}`).join('; ') } });
      // Values are percent-decoded where they decode (the cookie library's rule), else kept.
      const decoded = (value: string): string => { try { return decodeURIComponent(value); } catch { return value; } };
      expect(seen).toEqual(cookies.map(([, value]) => decoded(value)));
    }), { numRuns: 200 });
  });

  it('any value set in a cookie comes back from the Set-Cookie field as it was', async () => {
    await fc.assert(fc.asyncProperty(token, fc.string({ maxLength: 40, unit: 'grapheme' }), async (name, value) => {
      const response = await testRequest((cgi) => { cgi.setHeader({ cookies: [{ name, value }] }); });
      const setCookie = response.headers.getSetCookie();
      expect(setCookie).toHaveLength(1);
      expect(setCookie[0]).not.toMatch(/[\r\n\0]/);
      expect(parseCookie(setCookie[0]!.split(';')[0]!)[name]).toBe(value);
    }), { numRuns: 200 });
  });
});

describe('response header values', () => {
  it('go out as they are, or, with a control character (CR, LF, NUL…) or one beyond U+00FF, are refused and never emitted', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ maxLength: 30, unit: 'binary' }), fc.string({ maxLength: 30, unit: fc.integer({ min: 0, max: 0xff }).map((code) => String.fromCharCode(code)) })), async (value) => {
      let thrown: unknown;
      const response = await testRequest((cgi) => {
        try { cgi.setHeader({ fields: { 'X-Value': value } }); } catch (error) { thrown = error; }
      });
      if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) {
        expect(thrown).toBeInstanceOf(InvalidHeaderError);
        expect(response.raw.toString('latin1')).not.toContain('X-Value');
      } else {
        expect(thrown).toBeUndefined();
        // Leading and trailing white space is not part of a field value (RFC 9110 §5.5).
        expect(response.headers.get('x-value')).toBe(value.replace(/^[ \t]+|[ \t]+$/g, ''));
      }
    }), { numRuns: 300 });
  });
});
