// The filter as a FastCGI Filter (no mainstream web server sends the Filter role: a FastCGI client
// of netcgi's own plays the server, with the file in FCGI_DATA), and as a Responder taking the CSV
// file as its body on every connector.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecord, RecordType, Role } from '@netcgi/connector-fcgi/protocol';
import { describeOnEveryConnector } from '../../test-support/every-connector.js';
import { Daemon, freePort, productionEnvironment, waitForListener } from '../../test-support/processes.js';
import { FcgiClient, getParams, requestRecords } from '../../packages/connector-fcgi/test/helpers/fcgi-client.js';
import { csvFields } from './app.js';

const appModule = fileURLToPath(new URL('./dist/app.js', import.meta.url));
const netcgiFcgi = fileURLToPath(new URL('../../packages/connector-fcgi/dist/cli.js', import.meta.url));
const CSV = 'name,note\nAda,"first, of all"\n<b>Bob</b>,"said ""hi"""\n';
const TABLE = '<tr><th>name</th><th>note</th></tr>\n<tr><td>Ada</td><td>first, of all</td></tr>\n<tr><td>&lt;b&gt;Bob&lt;/b&gt;</td><td>said &quot;hi&quot;</td></tr>\n</table>\n';

it('reads CSV fields with RFC 4180 quoting', () => {
  expect([csvFields('a,b'), csvFields('"x, y",'), csvFields(','), csvFields('"a ""b"""')]).toEqual([['a', 'b'], ['x, y', ''], ['', ''], ['a "b"']]);
});

describeOnEveryConnector('the filter as a Responder', appModule, (served) => {
  it('answers the CSV body as an HTML table, escaped', async () => {
    const response = await served().fetch('/', { method: 'POST', body: CSV, headers: { 'Content-Type': 'text/csv' } });
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain(TABLE);
  });
});

describe('the filter as a FastCGI Filter', () => {
  let app: Daemon;
  let port = 0;
  beforeAll(async () => {
    port = await freePort();
    app = new Daemon(process.execPath, [netcgiFcgi, appModule, '--listen', String(port)], { env: productionEnvironment() });
    await waitForListener(port, app);
  });
  afterAll(async () => { await app?.stop(); });

  /** A Filter request for `file`, its FCGI_DATA in records of 1000 bytes; resolves to the stdout. */
  async function filter(file: Buffer, mtime: number): Promise<string> {
    const client = await FcgiClient.connect(port);
    try {
      const records = requestRecords(1, { ...getParams('/table.csv'), FCGI_DATA_LENGTH: String(file.length), FCGI_DATA_LAST_MOD: String(mtime) }, undefined, { role: Role.Filter });
      for (let start = 0; start < file.length; start += 1000) records.push(encodeRecord(RecordType.Data, 1, file.subarray(start, start + 1000)));
      records.push(encodeRecord(RecordType.Data, 1));
      client.write(records);
      const response = await client.response(1);
      expect(response.appStatus).toBe(0);
      return response.stdout.toString();
    } finally {
      client.close();
    }
  }

  it('answers the file of FCGI_DATA as a table, with its Last-Modified', async () => {
    const stdout = await filter(Buffer.from(CSV), 1_700_000_000);
    expect(stdout).toMatch(/^Content-Type: text\/html; charset=utf-8\r\nLast-Modified: Tue, 14 Nov 2023 22:13:20 GMT\r\n\r\n/);
    expect(stdout).toContain(TABLE);
  });

  it('streams a large file through, every row in order', async () => {
    const rows = Array.from({ length: 50_000 }, (_, index) => `${index},row ${index}`);
    const stdout = await filter(Buffer.from(`n,text\n${rows.join('\n')}\n`), 1);
    const cells = [...stdout.matchAll(/<tr><td>(\d+)<\/td>/g)].map((match) => Number(match[1]));
    expect(cells).toEqual(rows.map((_, index) => index));
  });
});
