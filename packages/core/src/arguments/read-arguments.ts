// From a request to its arguments: which parser runs depends on the method and the content type.
import type { Readable } from 'node:stream';
import type { Environment } from '../environment.js';
import { HttpError } from '../errors.js';
import { Argument, parseContentType } from './argument.js';
import { resolveStore, storeStream, type ArgumentContext } from './argument-store.js';
import { LiveValue } from './live-value.js';
import { parseMultipart } from './multipart.js';
import type { PartQueue } from './part-queue.js';
import { limitBody, readWholeBody } from './request-body.js';
import { parseQueryString, parseUrlEncoded } from './url-encoded.js';

/** The arguments of a request, and its raw body when it is not a form. */
export interface RequestArguments {
  /** Query-string arguments first, then body arguments: the order they came in. */
  readonly arguments: readonly Argument[];
  readonly body: Argument | undefined;
  /** The multipart parts from the first one `argStore` streamed. */
  readonly parts: PartQueue | undefined;
}

// Methods whose requests rarely carry a body (RFC 9110 §9.3): one counts only with a CONTENT_LENGTH.
const METHODS_RARELY_WITH_BODY = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE']);
const FORM_URLENCODED = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';

/**
 * Reads the arguments of the request. POST forms give body arguments; any other body, with any
 * method, becomes `body`, the argument `BODY`. `bodyOf` is called only when there is a body.
 * @throws HttpError 400, 413, 414 or 415 for a request that breaks the rules or limits.
 */
export function readArguments(context: ArgumentContext, method: string, bodyOf: () => Readable): RequestArguments | Promise<RequestArguments> {
  const { env } = context;
  const queryArguments = parseQueryString(context, env.queryString);
  // Most requests end here, synchronously: no promise for a request without a body.
  if (!hasBody(env, method)) return { arguments: queryArguments, body: undefined, parts: undefined };
  return readBodyArguments(context, method, bodyOf, queryArguments);
}

/**
 * RFC 3875 §4.1.2: a body has a CONTENT_LENGTH. A FastCGI server streaming a chunked upload sends
 * none, but sends the CONTENT_TYPE: then the body runs to the end of the stream; for a POST, PUT
 * or PATCH only, as a GET with a Content-Type and no body is common.
 */
function hasBody(env: Environment, method: string): boolean {
  // The property, not the header view: one look-up on the path of every GET.
  const lengthText = env.property('CONTENT_LENGTH');
  // inputContentLength throws the 400 for a malformed length.
  if (lengthText !== undefined && lengthText !== '' && env.inputContentLength! > 0) return true;
  return !METHODS_RARELY_WITH_BODY.has(method) && env.inputContentType !== '';
}

async function readBodyArguments(context: ArgumentContext, method: string, bodyOf: () => Readable, queryArguments: Argument[]): Promise<RequestArguments> {
  const { env } = context;
  const length = env.inputContentLength;
  const contentTypeHeader = env.inputContentType;
  const contentType = checkBody(env, length ?? 0, contentTypeHeader);
  const { config } = env;

  const isForm = method === 'POST' && config.parseForms;
  if (isForm && contentType === FORM_URLENCODED) {
    if ((length ?? 0) > config.maxUrlencodedSize) {
      throw new HttpError(413, `the urlencoded body is larger than ${config.maxUrlencodedSize} bytes`);
    }
    const text = (await readWholeBody(bodyOf(), length, config.maxUrlencodedSize)).toString('utf8');
    return { arguments: [...queryArguments, ...parseUrlEncoded(context, text)], body: undefined, parts: undefined };
  }
  if (isForm && contentType === MULTIPART) {
    const source = limitBody(bodyOf(), length, config.inputContentLengthLimit);
    const { arguments: parts, parts: queue } = await parseMultipart(context, source, contentTypeHeader);
    return { arguments: [...queryArguments, ...parts], body: undefined, parts: queue };
  }
  return { arguments: queryArguments, body: await readBodyArgument(context, bodyOf, length), parts: undefined };
}

/** Checks a body's length and type against the config; returns the media type in lower case. */
function checkBody(env: Environment, length: number, contentTypeHeader: string): string {
  const { config } = env;
  if (length > config.inputContentLengthLimit) {
    throw new HttpError(413, `the request body of ${length} bytes is larger than the limit of ${config.inputContentLengthLimit}`);
  }
  const contentType = parseContentType(contentTypeHeader).type;
  const permitted = config.permittedInputContentTypes;
  if (permitted.length > 0 && !permitted.includes(contentType)) {
    throw new HttpError(415, `content-type ${contentType} is not accepted; accepted: ${permitted.join(', ')}`);
  }
  return contentType;
}

/**
 * The raw body as the argument `BODY`. For `automatic` it goes to memory when its CONTENT_LENGTH
 * says it fits `maxMemoryArgumentSize` (a JSON request), else to a temp file; for `stream` the app
 * reads it as it arrives.
 * @throws HttpError 413 when a streamed body's CONTENT_LENGTH is over its limit.
 */
async function readBodyArgument(context: ArgumentContext, bodyOf: () => Readable, length: number | undefined): Promise<Argument | undefined> {
  const { env } = context;
  const { config } = env;
  // RFC 9110 §8.3: a body without a type may be taken as application/octet-stream.
  const meta = { name: 'BODY', contentTypeHeader: env.inputContentType || 'application/octet-stream', headers: Object.fromEntries(env.inputHeaders) };
  const fitsInMemory = length !== undefined && length <= config.maxMemoryArgumentSize;
  const resolved = resolveStore(context, meta, !fitsInMemory);
  if (resolved?.store !== 'stream') return storeStream(context, meta, limitBody(bodyOf(), length, config.inputContentLengthLimit), resolved, false);
  if (length !== undefined && length > resolved.limit) {
    throw new HttpError(413, `the request body of ${length} bytes is larger than the limit of ${resolved.limit}`);
  }
  const live = new LiveValue(bodyOf(), { name: 'BODY', maxSize: resolved.limit, length, bodyLimit: config.inputContentLengthLimit, release: 'destroy' });
  return new Argument({ ...meta, store: 'stream', size: 0, live });
}
