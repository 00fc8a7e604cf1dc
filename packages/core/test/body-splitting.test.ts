import { describe, expect, it } from 'vitest';
import type { Cgi } from '@netcgi/core';
import { useTempDirectory } from './helpers/temp-directory.js';

const tmp = useTempDirectory();

const BOUNDARY = 'split-boundary';
const MULTIPART = Buffer.from([
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nfirst value\r\n`,
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="x.txt"\r\nContent-Type: text/plain\r\n\r\nline 1\r\nline 2\r\n`,
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="b"\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n\u00e9t\u00e9\r\n`,
  `--${BOUNDARY}--\r\n`,
].join(''), 'latin1');

/** The body in two chunks, split at `offset`. */
async function* splitAt(body: Buffer, offset: number): AsyncGenerator<Buffer> {
  if (offset > 0) yield body.subarray(0, offset);
  if (offset < body.length) yield body.subarray(offset);
}

async function argumentsOf(cgi: Cgi): Promise<string[][]> {
  return Promise.all(cgi.arguments.map(async (argument) => [argument.name, argument.store, await argument.text()]));
}

describe('bodies split at every offset', () => {
  it('a multipart body gives the same arguments wherever the stream is split', async () => {
    const expected = [['a', 'memory', 'first value'], ['f', 'file', 'line 1\r\nline 2'], ['b', 'memory', 'été']];
    for (let offset = 0; offset <= MULTIPART.length; offset++) {
      let seen: string[][] = [];
      const response = await tmp.request(async (cgi) => { seen = await argumentsOf(cgi); }, {
        body: { stream: splitAt(MULTIPART, offset), size: MULTIPART.length },
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      });
      expect(response.status, `split at ${offset}`).toBe(200);
      expect(seen, `split at ${offset}`).toEqual(expected);
    }
  });

  it('an urlencoded body gives the same arguments wherever the stream is split, and stops at CONTENT_LENGTH', async () => {
    const body = Buffer.from('name=J%C3%BCrgen&list=a&list=b+c&trailing=padding-after-the-length');
    const length = body.indexOf('&trailing');
    for (let offset = 0; offset <= body.length; offset++) {
      let seen: unknown;
      await tmp.request((cgi) => { seen = cgi.arguments.map((argument) => [argument.name, argument.value]); }, {
        body: { stream: splitAt(body, offset), size: length },
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(seen, `split at ${offset}`).toEqual([['name', 'Jürgen'], ['list', 'a'], ['list', 'b c']]);
    }
  });
});
