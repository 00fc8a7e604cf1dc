// The hello example on connector-http: the form, its POST, and the visit cookie, over real HTTP.
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { Daemon, freePort } from '../../test-support/processes.js';

const entry = fileURLToPath(new URL('./dist/http.js', import.meta.url));

it('serves the app on node:http: the form, a POST of a name, the visit cookie', async () => {
  const port = await freePort();
  const daemon = new Daemon(process.execPath, [entry, String(port)]);
  try {
    await expect.poll(() => daemon.output, { timeout: 10_000 }).toContain(`open http://localhost:${port}/`);
    const first = await fetch(`http://127.0.0.1:${port}/`);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain(`<form method="post" action="http://127.0.0.1:${port}/">`);
    const cookie = first.headers.getSetCookie()[0]!.split(';')[0]!;
    expect(cookie).toBe('visits=1');
    const posted = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: new URLSearchParams({ name: 'Ada' }), headers: { Cookie: cookie } });
    const page = await posted.text();
    expect(page).toContain('Hello, Ada!');
    expect(page).toContain('Visit number 2');
  } finally {
    await daemon.stop();
  }
});
