// Builds a real CGI request (meta-variables and an encoded body) from a test's description, for
// testRequest() and the command-line runner.
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { cgiVariablesOfHttpRequest } from '../http-variables.js';
import { nodeStream, randomHex } from '../lazy.js';

/** A body or file content: bytes, text, a file on disk, or a stream of known size. */
export type TestContent =
  | string
  | Uint8Array
  | { readonly path: string }
  /** Without `size` the request has no CONTENT_LENGTH, as a FastCGI server streaming a chunked upload. */
  | { readonly stream: AsyncIterable<Uint8Array>; readonly size?: number };

/** A file to upload in a multipart form. */
export interface TestFile {
  readonly content: TestContent;
  /** Default: the basename of `content.path`, else `upload.bin`. */
  readonly filename?: string;
  /** Default `application/octet-stream`. */
  readonly contentType?: string;
}

/** The request a test describes. Unset fields get the values of a plain browser GET. */
export interface TestRequestInit {
  /** Default: GET, or POST when `form`, `files` or `body` is given. `form` goes in the query string for GET and HEAD, else in the body. */
  readonly method?: string;
  /** Path and query, e.g. `/app/path/info?x=1`; the part after `scriptName` is PATH_INFO. Default `/`. */
  readonly url?: string;
  /** SCRIPT_NAME; default `''` (the app is mounted at the root). */
  readonly scriptName?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly cookies?: Readonly<Record<string, string>>;
  /** Form fields: in the query string for GET and HEAD, else an urlencoded (or multipart, with files) body. */
  readonly form?: Readonly<Record<string, string | readonly string[]>> | readonly (readonly [string, string])[];
  /** Uploads; they make the body multipart/form-data. */
  readonly files?: Readonly<Record<string, TestFile | readonly TestFile[]>>;
  /** Send the form as multipart/form-data even without files. */
  readonly multipart?: boolean;
  /** A raw body; its type is the `content-type` header, else `application/octet-stream`. */
  readonly body?: TestContent;
  /** CGI properties to add or override, e.g. `{ HTTPS: 'on' }`. */
  readonly env?: Readonly<Record<string, string>>;
}

/** What a connector gets: the meta-variables and the body stream. */
export interface BuiltRequest {
  readonly variables: Map<string, string>;
  readonly body: Readable;
}

interface Encoded {
  readonly contentType: string;
  readonly size: number | undefined;
  readonly chunks: () => AsyncIterable<Uint8Array>;
}

const CRLF = '\r\n';

/** Turns a test's description into CGI meta-variables and a body, encoded as a browser would. */
export function buildRequest(init: TestRequestInit): BuiltRequest {
  checkFiles(init);
  const method = init.method ?? (init.body !== undefined || init.files !== undefined || init.form !== undefined ? 'POST' : 'GET');
  const url = new URL(init.url ?? '/', 'http://localhost');
  const formPairs = pairsOf(init.form);
  const formInQuery = isFormInQueryMethod(method);
  if (formInQuery) for (const [name, value] of formPairs) url.searchParams.append(name, value);
  const headers: [string, string][] = [['Host', 'localhost']];
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    if (name.toLowerCase() === 'host') headers.shift();
    for (const item of typeof value === 'string' ? [value] : value) headers.push([name, item]);
  }
  for (const [name, value] of Object.entries(init.cookies ?? {})) headers.push(['Cookie', `${name}=${encodeURIComponent(value)}`]);
  const encoded = init.body !== undefined || init.files !== undefined || (!formInQuery && (init.form !== undefined || init.multipart === true))
    ? encodeBody(init, formPairs)
    : undefined;
  const variables = cgiVariablesOfHttpRequest({
    method,
    target: url.pathname + url.search,
    headers: headers.filter(([name]) => encoded === undefined || !/^content-(type|length)$/i.test(name)),
    remoteAddress: '127.0.0.1',
    scriptName: init.scriptName ?? '',
    serverSoftware: 'netcgi-test',
  });
  variables.set('REMOTE_HOST', 'localhost');
  const { Readable } = nodeStream();
  let body: Readable = Readable.from([]);
  if (encoded !== undefined) {
    variables.set('CONTENT_TYPE', encoded.contentType);
    if (encoded.size !== undefined) variables.set('CONTENT_LENGTH', String(encoded.size));
    body = Readable.from(encoded.chunks(), { objectMode: false });
  }
  for (const [name, value] of Object.entries(init.env ?? {})) variables.set(name, value);
  return { variables, body };
}

/** HTML forms with GET (and HEAD) go in the query string; with any other method, in the body. */
function isFormInQueryMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

/** A file given where a form field goes is a common slip: say where it belongs. @throws TypeError */
function checkFiles(init: TestRequestInit): void {
  for (const [name, value] of pairsOfUnchecked(init.form)) {
    if (typeof value !== 'string') {
      throw new TypeError(`form field "${name}" is not a string: pass uploads in \`files\` ({ files: { ${JSON.stringify(name)}: { content } } }), not in \`form\``);
    }
  }
  for (const [name, fileOrFiles] of Object.entries(init.files ?? {})) {
    for (const file of Array.isArray(fileOrFiles) ? fileOrFiles : [fileOrFiles]) {
      if (typeof file !== 'object' || file === null || !('content' in file)) {
        throw new TypeError(`file "${name}" must be { content, filename?, contentType? }, got ${typeof file === 'string' ? 'a string' : JSON.stringify(file)}`);
      }
    }
  }
}

function pairsOfUnchecked(form: TestRequestInit['form']): [string, unknown][] {
  if (form === undefined) return [];
  if (Array.isArray(form)) return form.map(([name, value]) => [name, value]);
  return Object.entries(form as Record<string, unknown>).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((item): [string, unknown] => [name, item]));
}

function pairsOf(form: TestRequestInit['form']): [string, string][] {
  if (form === undefined) return [];
  if (Array.isArray(form)) return form.map(([name, value]) => [name, value]);
  return Object.entries(form as Record<string, string | readonly string[]>).flatMap(([name, value]) =>
    (typeof value === 'string' ? [value] : value).map((item): [string, string] => [name, item]));
}

function encodeBody(init: TestRequestInit, formPairs: [string, string][]): Encoded {
  if (init.body !== undefined) {
    const contentType = headerValue(init.headers, 'content-type') ?? 'application/octet-stream';
    return { contentType, ...contentOf(init.body) };
  }
  if (init.files === undefined && init.multipart !== true) {
    const text = new URLSearchParams(formPairs).toString();
    return { contentType: 'application/x-www-form-urlencoded', size: Buffer.byteLength(text), chunks: () => one(Buffer.from(text)) };
  }
  return encodeMultipart(formPairs, init.files ?? {});
}

function encodeMultipart(formPairs: [string, string][], files: NonNullable<TestRequestInit['files']>): Encoded {
  const boundary = `----netcgi-test-${randomHex(12)}`;
  const parts: { head: Buffer; content: ReturnType<typeof contentOf> }[] = [];
  for (const [name, value] of formPairs) {
    const head = `--${boundary}${CRLF}Content-Disposition: form-data; name="${quote(name)}"${CRLF}${CRLF}`;
    parts.push({ head: Buffer.from(head), content: contentOf(value) });
  }
  for (const [name, fileOrFiles] of Object.entries(files)) {
    for (const file of Array.isArray(fileOrFiles) ? (fileOrFiles as readonly TestFile[]) : [fileOrFiles as TestFile]) {
      const filename = file.filename ?? (typeof file.content === 'object' && 'path' in file.content ? basename(file.content.path) : 'upload.bin');
      const head = `--${boundary}${CRLF}Content-Disposition: form-data; name="${quote(name)}"; filename="${quote(filename)}"${CRLF}` +
        `Content-Type: ${file.contentType ?? 'application/octet-stream'}${CRLF}${CRLF}`;
      parts.push({ head: Buffer.from(head), content: contentOf(file.content) });
    }
  }
  const tail = Buffer.from(`--${boundary}--${CRLF}`);
  const crlf = Buffer.from(CRLF);
  const sizes = parts.map((part) => part.content.size);
  const size = sizes.includes(undefined)
    ? undefined
    : parts.reduce((sum, part) => sum + part.head.length + part.content.size! + crlf.length, tail.length);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    size,
    async *chunks() {
      for (const part of parts) {
        yield part.head;
        yield* part.content.chunks();
        yield crlf;
      }
      yield tail;
    },
  };
}

/** RFC 7578 §4.2: quotes and line breaks in a name are percent-encoded, as browsers do. */
function quote(text: string): string {
  return text.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function contentOf(content: TestContent): { size: number | undefined; chunks: () => AsyncIterable<Uint8Array> } {
  if (typeof content === 'string') {
    const bytes = Buffer.from(content);
    return { size: bytes.length, chunks: () => one(bytes) };
  }
  if (content instanceof Uint8Array) return { size: content.length, chunks: () => one(content) };
  if ('path' in content) {
    const { path } = content;
    return { size: statSync(path).size, chunks: () => createReadStream(path) };
  }
  const { stream, size } = content;
  return { size, chunks: () => stream };
}

async function* one(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

function headerValue(headers: TestRequestInit['headers'], name: string): string | undefined {
  for (const [headerName, value] of Object.entries(headers ?? {})) {
    if (headerName.toLowerCase() === name) return typeof value === 'string' ? value : value.join(', ');
  }
  return undefined;
}
