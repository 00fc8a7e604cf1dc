// A Request whose undici object is made only when asked for: a handler that reads its URL, method
// and headers (a router's whole work for a GET) costs no Request, no AbortSignal and no stream.
// The approach of @hono/node-server's request.ts: an object whose prototype chain ends in
// Request.prototype, so that `instanceof Request` holds, with the rest delegated.

/** What the lazy request is made of; `make` builds the real Request from its parts. */
export interface RequestParts {
  readonly method: string;
  readonly url: () => string;
  readonly headers: () => Headers;
  readonly make: (url: string, headers: Headers) => Request;
}

const kParts = Symbol('parts');
const kUrl = Symbol('url');
const kHeaders = Symbol('headers');
const kReal = Symbol('real');

interface LazyRequest {
  [kParts]: RequestParts;
  [kUrl]?: string;
  [kHeaders]?: Headers;
  [kReal]?: Request;
}

function real(request: LazyRequest): Request {
  request[kReal] ??= request[kParts].make(urlOf(request), headersOf(request));
  return request[kReal];
}

function urlOf(request: LazyRequest): string {
  request[kUrl] ??= request[kParts].url();
  return request[kUrl];
}

function headersOf(request: LazyRequest): Headers {
  request[kHeaders] ??= request[kParts].headers();
  return request[kHeaders];
}

const lazyPrototype: object = Object.create(Request.prototype, {
  method: { get(this: LazyRequest) { return this[kParts].method; } },
  url: { get(this: LazyRequest) { return urlOf(this); } },
  headers: { get(this: LazyRequest) { return headersOf(this); } },
});

// Everything else (body, signal, json(), formData(), clone()…) is the real Request's.
for (const key of Reflect.ownKeys(Request.prototype)) {
  if (key === 'constructor' || key === 'method' || key === 'url' || key === 'headers') continue;
  const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, key)!;
  if (typeof descriptor.value === 'function') {
    Object.defineProperty(lazyPrototype, key, { value(this: LazyRequest, ...args: unknown[]) { return (real(this) as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>)[key]!(...args); } });
  } else if (descriptor.get !== undefined) {
    Object.defineProperty(lazyPrototype, key, { get(this: LazyRequest) { return (real(this) as unknown as Record<PropertyKey, unknown>)[key]; } });
  }
}

/** A Request made of `parts`, real only once something beyond method, URL and headers is read. */
export function lazyRequest(parts: RequestParts): Request {
  const request = Object.create(lazyPrototype) as LazyRequest;
  request[kParts] = parts;
  return request as unknown as Request;
}
