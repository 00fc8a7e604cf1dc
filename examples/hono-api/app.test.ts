// The Hono example in memory (testRequest) and over real HTTP (connector-http).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testRequest } from '@netcgi/connector-test';
import { fetchOptions, fromFetch } from '@netcgi/fetch';
import { Daemon, freePort, waitForListener } from '../../test-support/processes.js';
import { notesApp } from './app.js';

describe('the notes API in memory', () => {
  it('creates, reads, updates, attaches to and deletes a note', async () => {
    const app = fromFetch(notesApp().fetch);
    const created = await testRequest(app, { ...fetchOptions, method: 'POST', url: '/notes', body: '{"text":"first"}', headers: { 'content-type': 'application/json' } });
    expect([created.status, created.json(), created.headers.get('location')]).toEqual([201, { id: 1, text: 'first' }, '/notes/1']);
    const updated = await testRequest(app, { ...fetchOptions, method: 'PUT', url: '/notes/1', body: '{"text":"changed"}', headers: { 'content-type': 'application/json' } });
    expect(updated.json()).toEqual({ id: 1, text: 'changed' });
    const attached = await testRequest(app, { ...fetchOptions, method: 'PUT', url: '/notes/1/attachment', body: Buffer.alloc(300_000) });
    expect(attached.json()).toEqual({ id: 1, text: 'changed', attachmentSize: 300_000 });
    expect((await testRequest(app, { ...fetchOptions, url: '/notes' })).json()).toHaveLength(1);
    expect((await testRequest(app, { ...fetchOptions, method: 'DELETE', url: '/notes/1' })).status).toBe(204);
    expect((await testRequest(app, { ...fetchOptions, url: '/notes/1' })).status).toBe(404);
  });

  it('refuses a note without text', async () => {
    const response = await testRequest(fromFetch(notesApp().fetch), { ...fetchOptions, method: 'POST', url: '/notes', body: '{}', headers: { 'content-type': 'application/json' } });
    expect([response.status, response.json()]).toEqual([400, { error: 'a note needs a text' }]);
  });
});

it('runs unchanged on netcgi-http', async () => {
  const port = await freePort();
  const cli = fileURLToPath(new URL('../../packages/connector-http/dist/cli.js', import.meta.url));
  const daemon = new Daemon(process.execPath, [cli, fileURLToPath(new URL('./dist/app.js', import.meta.url)), '--listen', String(port)]);
  try {
    await waitForListener(port, daemon);
    const created = await fetch(`http://127.0.0.1:${port}/notes`, { method: 'POST', body: JSON.stringify({ text: 'over HTTP' }), headers: { 'Content-Type': 'application/json' } });
    expect(created.status).toBe(201);
    expect(await (await fetch(`http://127.0.0.1:${port}/notes/1`)).json()).toEqual({ id: 1, text: 'over HTTP' });
  } finally {
    await daemon.stop();
  }
});
