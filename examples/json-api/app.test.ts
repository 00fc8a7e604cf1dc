// The JSON API on every connector: in memory, on node:http, over FastCGI behind nginx, as CGI under
// lighttpd. The same requests, the same answers.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeOnEveryConnector } from '../../test-support/every-connector.js';

const appModule = fileURLToPath(new URL('./dist/app.js', import.meta.url));
const json = (value: unknown, method = 'POST'): RequestInit => ({ method, body: JSON.stringify(value), headers: { 'Content-Type': 'application/json' } });

describeOnEveryConnector('the JSON API', appModule, (served) => {
  it('creates, reads, lists, replaces and deletes an item', async () => {
    const { fetch, base } = served();
    const created = await fetch('/items', json({ name: 'first', tags: ['a'] }));
    expect(created.status).toBe(201);
    const item = (await created.json()) as { id: string; name: string };
    expect(item).toMatchObject({ name: 'first', tags: ['a'] });
    expect(created.headers.get('location')).toBe(`${base}/items/${item.id}`);
    expect(await (await fetch(`/items/${item.id}`)).json()).toEqual(item);
    await fetch('/items', json({ name: 'second' }));
    expect(((await (await fetch('/items')).json()) as { name: string }[]).map((each) => each.name)).toEqual(['first', 'second']);
    const replaced = await fetch(`/items/${item.id}`, json({ name: 'renamed', tags: [] }, 'PUT'));
    expect(await replaced.json()).toEqual({ id: item.id, name: 'renamed', tags: [] });
    const deleted = await fetch(`/items/${item.id}`, { method: 'DELETE' });
    expect([deleted.status, await deleted.text()]).toEqual([204, '']);
    const gone = await fetch(`/items/${item.id}`);
    expect([gone.status, await gone.json()]).toEqual([404, { error: 'no such item' }]);
  });

  it('streams a file up to an item and back down, byte for byte', async () => {
    const { fetch } = served();
    const { id } = (await (await fetch('/items', json({ name: 'with a file' }))).json()) as { id: string };
    const content = Buffer.alloc(3 * 2 ** 20 + 17, 'netcgi ');
    const uploaded = await fetch(`/items/${id}/file`, { method: 'PUT', body: content, headers: { 'Content-Type': 'application/octet-stream' } });
    expect(await uploaded.json()).toMatchObject({ id, fileSize: content.length });
    const downloaded = await fetch(`/items/${id}/file`);
    expect(downloaded.headers.get('content-length')).toBe(String(content.length));
    const digest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
    expect(digest(new Uint8Array(await downloaded.arrayBuffer()))).toBe(digest(content));
  });

  it('answers bad requests with a JSON error and the right status', async () => {
    const { fetch } = served();
    const expectError = async (response: Promise<Response>, status: number, error: string): Promise<void> => {
      const answer = await response;
      expect([answer.status, answer.headers.get('content-type'), await answer.json()]).toEqual([status, 'application/json', { error }]);
    };
    await expectError(fetch('/items', json({ tags: [] })), 400, 'an item needs a name');
    await expectError(fetch('/items', { method: 'POST', body: '{"name":', headers: { 'Content-Type': 'application/json' } }), 400, expect.stringMatching(/JSON/) as unknown as string);
    await expectError(fetch('/items', { method: 'POST', body: 'name=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'send the item as application/json');
    await expectError(fetch('/nothing'), 404, 'no such resource');
    const notAllowed = await fetch('/items', { method: 'DELETE' });
    expect([notAllowed.status, notAllowed.headers.get('allow')]).toEqual([405, 'GET, HEAD, POST']);
  });
}, { env: (directory) => ({ JSON_API_DATA: `${directory}/data` }) });
