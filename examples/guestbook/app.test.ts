// The guestbook on every connector with SQLite, and on HTTP and CGI with PostgreSQL (a server of
// the test's own): forms, an image upload, the cookie, the 303, a repeated POST stored once, errors,
// and a failing database rolled back to an error page.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnEveryConnector, type ServedApp } from '../../test-support/every-connector.js';
import { startPostgres, type Postgres } from '../../test-support/postgres.js';

const appModule = fileURLToPath(new URL('./dist/app.js', import.meta.url));
/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** The page, and the one-time key of its form. */
async function page(served: ServedApp, cookie?: string): Promise<{ html: string; nonce: string }> {
  const response = await served.fetch('/', cookie === undefined ? {} : { headers: { Cookie: cookie } });
  expect(response.status).toBe(200);
  const html = await response.text();
  return { html, nonce: /name="nonce" value="([^"]+)"/.exec(html)![1]! };
}

function form(fields: Record<string, string>, image?: { bytes: Buffer; name: string; type: string }): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  if (image !== undefined) data.append('image', new Blob([image.bytes], { type: image.type }), image.name);
  return data;
}

function guestbookSuite(served: () => ServedApp): void {
  it('takes an entry from a urlencoded POST: 303 to the page, the name remembered in a cookie', async () => {
    const { nonce } = await page(served());
    const posted = await served().fetch('/', { method: 'POST', body: new URLSearchParams({ name: 'Ada <3', message: 'Hello & welcome', nonce }) });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`${served().base}/`);
    const cookie = posted.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^guestbook_name=Ada%20%3C3; Max-Age=31536000; Path=\/[^;]*; HttpOnly; SameSite=Lax$/);
    const { html } = await page(served(), cookie.split(';')[0]);
    expect(html).toContain('<h2>Ada &lt;3</h2>');
    expect(html).toContain('<p>Hello &amp; welcome</p>');
    expect(html).toContain('name="name" value="Ada &lt;3"');
  });

  it('takes a multipart POST with an image, and serves the image', async () => {
    const { nonce } = await page(served());
    const posted = await served().fetch('/', { method: 'POST', body: form({ name: 'Grace', message: 'A picture', nonce }, { bytes: PNG, name: 'dot.png', type: 'image/png' }) });
    expect(posted.status).toBe(303);
    const { html } = await page(served());
    const src = /<img src="([^"]+)" alt="the picture Grace posted">/.exec(html)?.[1];
    expect(src).toMatch(/\/image\/\d+$/);
    // The page links it by path: the same as the app's URL with /image/ID.
    const imagePath = src!.slice(src!.indexOf('/image/'));
    expect(new URL(src!, served().base).href).toBe(`${served().base}${imagePath}`);
    const image = await served().fetch(imagePath);
    expect([image.status, image.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect(Buffer.from(await image.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('stores a form posted twice (a double click, a retry) once', async () => {
    const { nonce } = await page(served());
    // A message of its own: the PostgreSQL runs share one database.
    const message = `once only ${nonce}`;
    for (let twice = 0; twice < 2; twice += 1) {
      expect((await served().fetch('/', { method: 'POST', body: new URLSearchParams({ name: 'Twice', message, nonce }) })).status).toBe(303);
    }
    expect((await page(served())).html.split(message)).toHaveLength(2);
  });

  it('refuses a POST without a message, a picture that is no image, and a page that does not exist', async () => {
    const { nonce } = await page(served());
    const empty = await served().fetch('/', { method: 'POST', body: new URLSearchParams({ name: 'Ada', message: ' ', nonce }) });
    expect([empty.status, await empty.text()]).toEqual([400, expect.stringContaining('Please give your name and a message.')]);
    const text = await served().fetch('/', { method: 'POST', body: form({ name: 'Eve', message: 'no image', nonce }, { bytes: Buffer.from('<script>not a picture</script>'), name: 'x.png', type: 'image/png' }) });
    expect(text.status).toBe(415);
    expect((await page(served())).html).not.toContain('Eve');
    expect((await served().fetch('/missing')).status).toBe(404);
  });
}

describeOnEveryConnector('the guestbook with SQLite', appModule, guestbookSuite, {
  env: (directory) => ({ GUESTBOOK_SQLITE: `${directory}/guestbook.sqlite` }),
});

describeOnEveryConnector('the guestbook with a database it cannot open', appModule, (served) => {
  it('rolls the half-written page back and answers a 503 error page instead', async () => {
    const response = await served().fetch('/');
    const body = await response.text();
    expect([response.status, response.headers.get('retry-after')]).toEqual([503, '5']);
    expect(body).toContain('The guestbook cannot be read just now.');
    expect(body).not.toContain('<form');
  });
  // Not in memory: the app module, and the store it opened, are shared with the run above.
}, { env: (directory) => ({ GUESTBOOK_SQLITE: directory }), connectors: ['http', 'fcgi'] });

describe('the guestbook with PostgreSQL', () => {
  let postgres: Postgres | undefined;
  beforeAll(async () => { postgres = await startPostgres(); });
  afterAll(async () => { await postgres?.stop(); });
  describeOnEveryConnector('the guestbook with PostgreSQL', appModule, guestbookSuite, {
    env: () => ({ DATABASE_URL: postgres!.url }),
    connectors: ['http', 'cgi'],
  });
});
