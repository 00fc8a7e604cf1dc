// A small REST resource written with Hono, a Fetch-API framework: notes in memory, JSON in and
// out, a streamed attachment upload. fromFetch makes it a netcgi app that every connector runs.
import { Hono } from 'hono';
import { fetchOptions, fromFetch } from '@netcgi/fetch';

interface Note {
  id: number;
  text: string;
  attachmentSize?: number;
}

/** The Hono app, its state its own: a fresh one per call (one per process in production). */
export function notesApp(): Hono {
  const notes = new Map<number, Note>();
  let nextId = 1;
  const app = new Hono();
  app.get('/notes', (c) => c.json([...notes.values()]));
  app.post('/notes', async (c) => {
    const { text } = await c.req.json<{ text?: unknown }>();
    if (typeof text !== 'string' || text === '') return c.json({ error: 'a note needs a text' }, 400);
    const note = { id: nextId++, text };
    notes.set(note.id, note);
    return c.json(note, 201, { Location: `/notes/${note.id}` });
  });
  app.get('/notes/:id', (c) => {
    const note = notes.get(Number(c.req.param('id')));
    return note === undefined ? c.json({ error: 'no such note' }, 404) : c.json(note);
  });
  app.put('/notes/:id', async (c) => {
    const note = notes.get(Number(c.req.param('id')));
    if (note === undefined) return c.json({ error: 'no such note' }, 404);
    const { text } = await c.req.json<{ text?: unknown }>();
    if (typeof text === 'string' && text !== '') note.text = text;
    return c.json(note);
  });
  app.delete('/notes/:id', (c) => (notes.delete(Number(c.req.param('id'))) ? c.body(null, 204) : c.json({ error: 'no such note' }, 404)));
  // The attachment streams in: counted as it arrives, never held whole.
  app.put('/notes/:id/attachment', async (c) => {
    const note = notes.get(Number(c.req.param('id')));
    if (note === undefined) return c.json({ error: 'no such note' }, 404);
    let size = 0;
    for await (const chunk of c.req.raw.body ?? []) size += (chunk as Uint8Array).length;
    note.attachmentSize = size;
    return c.json(note);
  });
  return app;
}

export default fromFetch(notesApp().fetch);
/** The run options a fromFetch app needs: the commands (netcgi-fcgi, netcgi-http) read this export. */
export const options = fetchOptions;
