// A small REST resource in netcgi's own API: items as JSON in and out (GET, POST, PUT, DELETE) and
// a file per item uploaded and downloaded as a stream. It keeps its state in files, not in memory,
// so that it runs unchanged as a CGI program (a process per request) as well as on a server.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HttpError, type Cgi, type HeaderFieldValues, type RunOptions } from '@netcgi/core';

/** Bodies are read live: an upload goes to its file as it arrives, with no copy in memory or /tmp. */
export const options: RunOptions = { argStore: () => ({ store: 'stream', maxSize: 256 * 2 ** 20 }) };

interface Item {
  readonly id: string;
  readonly name: string;
  readonly tags: readonly string[];
  readonly fileSize?: number;
}

/** Where the items live: $JSON_API_DATA, or a folder in the temp directory. */
const dataDirectory = (): string => process.env['JSON_API_DATA'] ?? join(tmpdir(), 'netcgi-json-api');
const ID = /^[0-9a-f-]{36}$/;

export default async function jsonApi(cgi: Cgi): Promise<void> {
  try {
    await route(cgi);
  } catch (error) {
    if (!(error instanceof HttpError) || error.status < 400) throw error;
    // A JSON client gets its errors as JSON, not as the default HTML page.
    send(cgi, error.status, { error: error.message }, error.headers);
  }
}

async function route(cgi: Cgi): Promise<void> {
  const [collection, id, file, ...rest] = cgi.environment.pathInfo.split('/').slice(1);
  if (collection !== 'items' || rest.length > 0 || (file !== undefined && file !== 'file')) throw new HttpError(404, 'no such resource');
  if (id === undefined || id === '') return collectionRequest(cgi);
  if (!ID.test(id)) throw new HttpError(404, 'no such item');
  return file === undefined ? itemRequest(cgi, id) : fileRequest(cgi, id);
}

async function collectionRequest(cgi: Cgi): Promise<void> {
  switch (cgi.method) {
    case 'GET': case 'HEAD':
      return send(cgi, 200, await listItems());
    case 'POST': {
      const item = { id: randomUUID(), ...(await itemFields(cgi)) };
      await saveItem(item);
      return send(cgi, 201, item, { Location: cgi.url({ withPathInfo: `/items/${item.id}`, withQueryString: false }) });
    }
    default:
      throw methodNotAllowed('GET, HEAD, POST');
  }
}

async function itemRequest(cgi: Cgi, id: string): Promise<void> {
  switch (cgi.method) {
    case 'GET': case 'HEAD':
      return send(cgi, 200, await loadItem(id));
    case 'PUT': {
      const { fileSize } = await loadItem(id);
      const item = { id, ...(await itemFields(cgi)), ...(fileSize === undefined ? {} : { fileSize }) };
      await saveItem(item);
      return send(cgi, 200, item);
    }
    case 'DELETE':
      await loadItem(id);
      await rm(join(dataDirectory(), `${id}.file`), { force: true });
      await rm(join(dataDirectory(), `${id}.json`));
      cgi.environment.setStatus(204);
      return;
    default:
      throw methodNotAllowed('GET, HEAD, PUT, DELETE');
  }
}

async function fileRequest(cgi: Cgi, id: string): Promise<void> {
  const item = await loadItem(id);
  const path = join(dataDirectory(), `${id}.file`);
  switch (cgi.method) {
    case 'GET': case 'HEAD': {
      if (item.fileSize === undefined) throw new HttpError(404, 'this item has no file');
      cgi.setHeader({ contentType: 'application/octet-stream', contentLength: item.fileSize });
      // pipeline() waits on the output's backpressure: a slow client slows the read of the file.
      return pipeline(createReadStream(path), cgi.out, { end: false });
    }
    case 'PUT': {
      if (cgi.body === undefined) throw new HttpError(400, 'PUT the file as the request body');
      const partial = `${path}.${randomUUID()}.part`;
      try {
        await pipeline(cgi.body.open(), createWriteStream(partial, { mode: 0o600 }));
        await rename(partial, path);
      } finally {
        await rm(partial, { force: true });
      }
      const updated = { ...item, fileSize: (await stat(path)).size };
      await saveItem(updated);
      return send(cgi, 200, updated);
    }
    default:
      throw methodNotAllowed('GET, HEAD, PUT');
  }
}

/** The item's fields from a JSON body, checked. @throws HttpError 400, 415 */
async function itemFields(cgi: Cgi): Promise<Omit<Item, 'id'>> {
  // A POST form would already be parsed into arguments: look at the request's type, not the body's.
  if (!/^application\/json\s*(;|$)/i.test(cgi.environment.inputContentType)) throw new HttpError(415, 'send the item as application/json');
  if (cgi.body === undefined) throw new HttpError(400, 'send the item as a JSON body');
  const value: unknown = await cgi.body.json();
  if (typeof value !== 'object' || value === null) throw new HttpError(400, 'an item is a JSON object');
  const { name, tags = [] } = value as { name?: unknown; tags?: unknown };
  if (typeof name !== 'string' || name.trim() === '') throw new HttpError(400, 'an item needs a name');
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) throw new HttpError(400, 'tags are a list of strings');
  return { name, tags };
}

async function loadItem(id: string): Promise<Item> {
  try {
    return JSON.parse(await readFile(join(dataDirectory(), `${id}.json`), 'utf8')) as Item;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new HttpError(404, 'no such item');
    throw error;
  }
}

/** Written whole, then renamed: a reader in another process never sees half an item. */
async function saveItem(item: Item): Promise<void> {
  await mkdir(dataDirectory(), { recursive: true, mode: 0o700 });
  const path = join(dataDirectory(), `${item.id}.json`);
  await writeFile(`${path}.part`, JSON.stringify(item), { mode: 0o600 });
  await rename(`${path}.part`, path);
}

async function listItems(): Promise<Item[]> {
  const names = await readdir(dataDirectory()).catch(() => [] as string[]);
  const ids = names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
  const items = await Promise.all(ids.map((id) => loadItem(id).catch(() => undefined)));
  return items.filter((item) => item !== undefined).sort((a, b) => a.name.localeCompare(b.name));
}

function methodNotAllowed(allow: string): HttpError {
  return new HttpError(405, 'method not allowed here', { headers: { Allow: allow } });
}

function send(cgi: Cgi, status: number, value: unknown, fields: HeaderFieldValues = {}): void {
  cgi.setHeader({ status, contentType: 'application/json', cache: 'no-cache', fields });
  cgi.out.write(`${JSON.stringify(value)}\n`);
}
