// The guestbook: a form (urlencoded, or multipart with an image), entries in a real database,
// a cookie that remembers the writer's name, a 303 after each POST, and transactional output that
// rolls back to an error page when the database fails half-way through a page.
import { randomUUID } from 'node:crypto';
import { HttpError, type Argument, type ArgStore, type Cgi, type RunOptions } from '@netcgi/core';
import { entryHtml, pageEnd, pageStart } from './page.js';
import { guestbookStore, type Image } from './store.js';

const MAX_IMAGE_SIZE = 2 * 2 ** 20;
const MAX_NAME_LENGTH = 80;
const MAX_MESSAGE_LENGTH = 2000;
const NAME_COOKIE = 'guestbook_name';

/** The image stays in memory (2 MiB at most); any other upload is dropped unread. */
const argStore: ArgStore = (_env, name, part) =>
  name === 'image' ? { store: 'memory', maxSize: MAX_IMAGE_SIZE } : part.filename !== undefined ? 'discard' : 'memory';

/** Transactional: nothing of a page leaves before it is whole, so a failure can still become an error page. */
export const options: RunOptions = { outputType: 'transactional', argStore };

export default async function guestbook(cgi: Cgi): Promise<void> {
  const path = cgi.environment.pathInfo;
  const image = /^\/image\/(\d{1,15})$/.exec(path);
  if (image !== null) return sendImage(cgi, Number(image[1]));
  if (path !== '' && path !== '/') throw new HttpError(404, 'There is no such page in this guestbook.');
  if (cgi.method === 'POST') return addEntry(cgi);
  if (cgi.method !== 'GET' && cgi.method !== 'HEAD') throw new HttpError(405, 'Read with GET, write with POST.', { headers: { Allow: 'GET, HEAD, POST' } });
  return showPage(cgi);
}

/** The form's URL and the page the POST redirects to: the app's root, wherever it is mounted. */
const homeUrl = (cgi: Cgi): string => cgi.url({ withPathInfo: '/', withQueryString: false });

async function showPage(cgi: Cgi): Promise<void> {
  cgi.setHeader({ contentType: 'text/html; charset=utf-8', cache: 'no-cache' });
  cgi.out.write(pageStart({ action: homeUrl(cgi), name: cgi.environment.cookie(NAME_COOKIE) ?? '', nonce: randomUUID() }));
  try {
    const entries = await (await guestbookStore()).latest(50);
    for (const entry of entries) cgi.out.write(entryHtml(entry, cgi.url({ withPathInfo: `/image/${entry.id}`, withQueryString: false, withAuthority: false })));
  } catch (error) {
    // Half a page is worse than none: drop what was written and answer an error page instead.
    cgi.out.rollback();
    cgi.environment.logError(`guestbook: the entries could not be read: ${String(error)}`);
    throw new HttpError(503, 'The guestbook cannot be read just now. Please try again in a moment.', { headers: { 'Retry-After': '5' } });
  }
  cgi.out.write(pageEnd());
}

async function addEntry(cgi: Cgi): Promise<void> {
  const name = cgi.argumentValue('name').trim();
  const message = cgi.argumentValue('message').trim();
  const nonce = cgi.argumentValue('nonce');
  if (name === '' || message === '') throw new HttpError(400, 'Please give your name and a message.');
  if (name.length > MAX_NAME_LENGTH || message.length > MAX_MESSAGE_LENGTH) {
    throw new HttpError(400, `A name has at most ${MAX_NAME_LENGTH} characters, a message ${MAX_MESSAGE_LENGTH}.`);
  }
  if (!/^[0-9a-f-]{36}$/.test(nonce)) throw new HttpError(400, 'Please send the form from the guestbook page.');
  const image = await uploadedImage(cgi.argument('image'));
  await (await guestbookStore()).add({ name, message, nonce, ...(image === undefined ? {} : { image }) });
  cgi.setRedirectionHeader(homeUrl(cgi), {
    status: 303,
    cookies: [{ name: NAME_COOKIE, value: name, path: cgi.environment.scriptName || '/', httpOnly: true, sameSite: 'lax', maxAge: 365 * 24 * 3600 }],
  });
}

/** The upload if it is an image: told by its first bytes, never by the type or name the client gave. */
async function uploadedImage(upload: Argument | undefined): Promise<Image | undefined> {
  if (upload === undefined || upload.filename === undefined || upload.size === 0) return undefined;
  if (upload.oversized) throw new HttpError(413, `An image has at most ${MAX_IMAGE_SIZE / 2 ** 20} MiB.`);
  const bytes = await upload.bytes();
  const type = imageType(bytes);
  if (type === undefined) throw new HttpError(415, 'The picture must be a PNG, JPEG, GIF or WebP image.');
  return { type, bytes };
}

function imageType(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'image/jpeg';
  if (bytes.subarray(0, 6).toString('latin1') === 'GIF87a' || bytes.subarray(0, 6).toString('latin1') === 'GIF89a') return 'image/gif';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return undefined;
}

async function sendImage(cgi: Cgi, id: number): Promise<void> {
  const image = await (await guestbookStore()).image(id);
  if (image === undefined) throw new HttpError(404, 'There is no such picture.');
  // An image never changes once posted.
  cgi.setHeader({ contentType: image.type, contentLength: image.bytes.length, cache: { maxAge: 86_400 }, fields: { 'X-Content-Type-Options': 'nosniff' } });
  cgi.out.write(image.bytes);
}
