// The benchmark app written with Hono, for the two ways to run it behind nginx: netcgi's FastCGI
// connector (netcgi-hono.mjs) and @hono/node-server behind proxy_pass (hono-node.mjs).
//   GET  …/hello            Hello, world!
//   GET  …/download?size=N  N bytes in 64 KiB pieces, pulled as the client reads
//   POST …/upload           reads the body as it arrives, answers its size
import { Hono } from 'hono';

const piece = new Uint8Array(64 * 1024).fill(0x78);

export const hono = new Hono();
hono.get('/:backend/:transport/:keep/hello', (c) => c.text('Hello, world!\n'));
hono.get('/:backend/:transport/:keep/download', (c) => {
  let remaining = Number(c.req.query('size'));
  const body = new ReadableStream({
    pull(controller) {
      if (remaining <= 0) return controller.close();
      const next = remaining >= piece.length ? piece : piece.subarray(0, remaining);
      remaining -= next.length;
      controller.enqueue(next);
    },
  }, { highWaterMark: 0 });
  return c.body(body, 200, { 'Content-Type': 'text/plain' });
});
hono.post('/:backend/:transport/:keep/upload', async (c) => {
  let size = 0;
  for await (const chunk of c.req.raw.body ?? []) size += chunk.length;
  return c.text(`${size}\n`);
});
