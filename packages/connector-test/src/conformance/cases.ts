// The conformance cases, as data: a request relative to where the app is mounted, and checks.
import { strict as assert } from 'node:assert';
import { LONG_RESPONSE_HEADER, sha256 } from './app.js';

/** A request to the conformance app; `path` is relative to its mount point and holds the query. */
export interface ConformanceRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Buffer;
}

/** The HTTP response a connector (and the web server in front of it) produced. */
export interface ConformanceResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** One behaviour every connector must show. `check` throws (node:assert) when it does not. */
export interface ConformanceCase {
  readonly name: string;
  readonly request: ConformanceRequest;
  readonly check: (response: ConformanceResponse) => void;
}

/** Sends a request to the conformance app through a connector. */
export type ConformanceDriver = (request: ConformanceRequest) => Promise<ConformanceResponse>;

/** Deterministic bytes, the same in every run and on every machine. */
export function patternBytes(size: number, seed = 1): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let state = seed >>> 0;
  for (let index = 0; index < size; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

const BOUNDARY = 'conformance-boundary-7c1f';
const HUNDRED_KB = patternBytes(100 * 1024, 7);
const UPLOAD = patternBytes(300 * 1024, 11);
const LONG_REQUEST_HEADER = 'x'.repeat(6000);

function multipartBody(): Buffer {
  const part = (head: string, content: Buffer | string): Buffer[] =>
    [Buffer.from(`--${BOUNDARY}\r\n${head}\r\n\r\n`), Buffer.from(content), Buffer.from('\r\n')];
  return Buffer.concat([
    ...part('Content-Disposition: form-data; name="title"', 'Ünïcode title'),
    ...part('Content-Disposition: form-data; name="upload"; filename="data.bin"\r\nContent-Type: application/octet-stream', UPLOAD),
    ...part('Content-Disposition: form-data; name="note"; filename="note.txt"\r\nContent-Type: text/plain', 'a small file\n'),
    Buffer.from(`--${BOUNDARY}--\r\n`),
  ]);
}

function json(response: ConformanceResponse): unknown {
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  return JSON.parse(response.body.toString('utf8'));
}

const JSON_DOCUMENT = { name: 'Ünïcode', list: [1, 2, 3], nested: { ok: true } };

/** A request with a JSON body to `/json?via=METHOD`, and the check that the app read it with `json()`. */
function jsonCase(method: string, name: string): ConformanceCase {
  return {
    name,
    request: { method, path: `/json?via=${method}`, headers: [['Content-Type', 'application/json; charset=utf-8']], body: Buffer.from(JSON.stringify(JSON_DOCUMENT)) },
    check(response) {
      assert.equal(response.status, 200);
      assert.deepEqual(json(response), { method, query: { via: method }, contentType: 'application/json', received: JSON_DOCUMENT });
    },
  };
}

/** Every case, in a stable order. */
export const conformanceCases: readonly ConformanceCase[] = [
  {
    name: 'GET arguments come from the query string, in order, decoded once',
    request: { method: 'GET', path: '/arguments?a=1&b=x+y%20z&a=2&e=%C3%A9', headers: [] },
    check(response) {
      assert.equal(response.status, 200);
      const values = (json(response) as { name: string; value: string }[]).map(({ name, value }) => [name, value]);
      assert.deepEqual(values, [['a', '1'], ['b', 'x y z'], ['a', '2'], ['e', 'é']]);
    },
  },
  {
    name: 'POST urlencoded arguments come from the body',
    request: {
      method: 'POST',
      path: '/arguments',
      headers: [['Content-Type', 'application/x-www-form-urlencoded']],
      body: Buffer.from('name=J%C3%BCrgen+Smith&empty=&name=second'),
    },
    check(response) {
      assert.equal(response.status, 200);
      const values = (json(response) as { name: string; value: string }[]).map(({ name, value }) => [name, value]);
      assert.deepEqual(values, [['name', 'Jürgen Smith'], ['empty', ''], ['name', 'second']]);
    },
  },
  {
    name: 'a 100 KB request body arrives whole (checksum)',
    request: { method: 'PUT', path: '/body', headers: [['Content-Type', 'application/octet-stream']], body: HUNDRED_KB },
    check(response) {
      assert.equal(response.status, 200);
      const body = json(response) as { name: string; size: number; sha256: string };
      assert.equal(body.name, 'BODY');
      assert.equal(body.size, HUNDRED_KB.length);
      assert.equal(body.sha256, sha256(HUNDRED_KB));
    },
  },
  {
    name: 'multipart uploads arrive whole, with fields and file names',
    request: { method: 'POST', path: '/arguments', headers: [['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`]], body: multipartBody() },
    check(response) {
      assert.equal(response.status, 200);
      const parts = json(response) as Record<string, unknown>[];
      assert.deepEqual(parts.map((part) => [part.name, part.filename ?? part.value, part.size]), [
        ['title', 'Ünïcode title', Buffer.byteLength('Ünïcode title')],
        ['upload', 'data.bin', UPLOAD.length],
        ['note', 'note.txt', 13],
      ]);
      assert.equal(parts[1]!.sha256, sha256(UPLOAD));
      assert.equal(parts[2]!.contentType, 'text/plain');
    },
  },
  {
    name: 'long request and response header values pass unchanged',
    request: { method: 'GET', path: '/headers', headers: [['X-Long', LONG_REQUEST_HEADER]] },
    check(response) {
      assert.equal(response.status, 200);
      const body = json(response) as { longLength: number; longSha256: string };
      assert.equal(body.longLength, LONG_REQUEST_HEADER.length);
      assert.equal(body.longSha256, sha256(Buffer.from(LONG_REQUEST_HEADER)));
      assert.equal(response.headers.get('x-long'), LONG_RESPONSE_HEADER);
    },
  },
  {
    name: 'a response header with several values keeps them all',
    request: { method: 'GET', path: '/headers', headers: [] },
    check(response) {
      assert.equal(response.headers.get('x-multi'), 'one, two');
    },
  },
  {
    name: 'request cookies are parsed and response cookies are set',
    request: { method: 'GET', path: '/cookies', headers: [['Cookie', 'a=1; b=two%20words'], ['Cookie', 'c=3']] },
    check(response) {
      assert.equal(response.status, 200);
      assert.deepEqual(json(response), [{ name: 'a', value: '1' }, { name: 'b', value: 'two words' }, { name: 'c', value: '3' }]);
      const setCookies = response.headers.getSetCookie();
      assert.equal(setCookies.length, 2);
      assert.match(setCookies[0]!, /^first=one; Path=\//);
      assert.match(setCookies[1]!, /^second=two%20words; HttpOnly/);
    },
  },
  {
    name: 'PATH_INFO is decoded exactly once',
    request: { method: 'GET', path: '/environment/a%2520b/%C3%A9', headers: [] },
    check(response) {
      assert.equal(response.status, 200);
      assert.equal((json(response) as { pathInfo: string }).pathInfo, '/environment/a%20b/é');
    },
  },
  {
    name: 'an exception becomes a 500 page that does not show it',
    request: { method: 'GET', path: '/throw', headers: [] },
    check(response) {
      assert.equal(response.status, 500);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.doesNotMatch(response.body.toString(), /secret/);
    },
  },
  {
    name: 'an HttpError becomes its status with the message escaped',
    request: { method: 'GET', path: '/http-error', headers: [] },
    check(response) {
      assert.equal(response.status, 404);
      assert.match(response.body.toString(), /no &lt;such&gt; thing/);
    },
  },
  {
    name: 'HEAD answers the header without a body',
    request: { method: 'HEAD', path: '/hello', headers: [] },
    check(response) {
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(response.body.length, 0);
    },
  },
  {
    name: 'a redirection answers 302 with its Location',
    request: { method: 'GET', path: '/redirect', headers: [] },
    check(response) {
      assert.equal(response.status, 302);
      assert.equal(response.headers.get('location'), 'http://example.com/next?from=redirect');
    },
  },
  jsonCase('POST', 'a JSON POST is cgi.body, read with json(), under the default config'),
  jsonCase('PUT', 'a PUT with a JSON body works under the default config'),
  jsonCase('PATCH', 'a PATCH with a JSON body works under the default config'),
  jsonCase('DELETE', 'a DELETE with a JSON body works under the default config'),
  jsonCase('GET', 'a GET with a body has it as cgi.body'),
  {
    name: 'a DELETE without a body has no cgi.body',
    request: { method: 'DELETE', path: '/json?via=DELETE', headers: [] },
    check(response) {
      assert.equal(response.status, 200);
      assert.deepEqual(json(response), { method: 'DELETE', query: { via: 'DELETE' }, contentType: null, received: null });
    },
  },
  {
    name: 'a streamed raw body arrives whole, read live',
    request: { method: 'POST', path: '/stream', headers: [['Content-Type', 'application/octet-stream']], body: UPLOAD },
    check(response) {
      assert.equal(response.status, 200);
      assert.deepEqual(json(response), { store: 'stream', size: UPLOAD.length, sha256: sha256(UPLOAD) });
    },
  },
  {
    name: 'streamed multipart parts arrive whole through cgi.parts(), fields before them as arguments',
    request: { method: 'POST', path: '/stream', headers: [['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`]], body: multipartBody() },
    check(response) {
      assert.equal(response.status, 200);
      assert.deepEqual(json(response), [
        { name: 'title', store: 'memory', value: 'Ünïcode title' },
        { name: 'upload', store: 'stream', filename: 'data.bin', size: UPLOAD.length, sha256: sha256(UPLOAD) },
        { name: 'note', store: 'stream', filename: 'note.txt', size: 13, sha256: sha256(Buffer.from('a small file\n')) },
      ]);
    },
  },
];
