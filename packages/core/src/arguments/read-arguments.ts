// From a request to its arguments: which parser runs depends on the method and the content type.
import type { Readable } from 'node:stream';
import type { Environment } from '../environment.js';
import { HttpError } from '../errors.js';
import type { Argument } from './argument.js';
import { parseContentType } from './argument.js';
import { storeStream, type ArgumentContext } from './argument-store.js';
import { parseMultipart } from './multipart.js';
import { limitBody, readWholeBody } from './request-body.js';
import { parseQueryString, parseUrlEncoded } from './url-encoded.js';

/** The arguments of a request, and its raw body when it is not a form. */
export interface RequestArguments {
  /** Query-string arguments first, then body arguments: the order they came in. */
  readonly arguments: readonly Argument[];
  readonly body: Argument | undefined;
}

// Methods whose body, if any, has no defined meaning (RFC 9110 §9.3): their arguments come from
// the query string only, and the body is left unread.
const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE']);
const FORM_URLENCODED = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';

/**
 * Reads the arguments of the request. POST forms give body arguments; other bodies (PUT, PATCH,
 * POST of another permitted type) become `body`, an argument named `BODY`. `bodyOf` is called
 * only when there is a body to read.
 * @throws HttpError 400, 413, 414 or 415 for a request that breaks the rules or limits.
 */
export function readArguments(context: ArgumentContext, method: string, bodyOf: () => Readable): RequestArguments | Promise<RequestArguments> {
  const { env } = context;
  const queryArguments = parseQueryString(context, env.queryString);
  // Most requests end here, synchronously: no promise for a request without a body.
  if (METHODS_WITHOUT_BODY.has(method)) return { arguments: queryArguments, body: undefined };
  // RFC 3875 §4.1.2: no CONTENT_LENGTH means no body; a FastCGI server streaming a chunked body
  // sends none either, but sends its CONTENT_TYPE: then the body runs to the end of the stream.
  if ((env.inputContentLength ?? 0) === 0 && env.inputContentType === '') return { arguments: queryArguments, body: undefined };
  return readBodyArguments(context, method, bodyOf, queryArguments);
}

async function readBodyArguments(context: ArgumentContext, method: string, bodyOf: () => Readable, queryArguments: Argument[]): Promise<RequestArguments> {
  const { env } = context;
  const length = env.inputContentLength;
  const contentTypeHeader = env.inputContentType;
  const contentType = checkBody(env, length ?? 0, contentTypeHeader);
  const { config } = env;

  if (method === 'POST' && contentType === FORM_URLENCODED) {
    if ((length ?? 0) > config.maxUrlencodedSize) {
      throw new HttpError(413, `the urlencoded body is larger than ${config.maxUrlencodedSize} bytes`);
    }
    const text = (await readWholeBody(bodyOf(), length, config.maxUrlencodedSize)).toString('utf8');
    return { arguments: [...queryArguments, ...parseUrlEncoded(context, text)], body: undefined };
  }
  const source = limitBody(bodyOf(), length, config.inputContentLengthLimit);
  if (method === 'POST' && contentType === MULTIPART) {
    const parts = await parseMultipart(context, source, contentTypeHeader);
    return { arguments: [...queryArguments, ...parts], body: undefined };
  }
  return { arguments: queryArguments, body: await readBodyArgument(context, source, contentTypeHeader) };
}

/** Checks a body's length and type against the config; returns the media type in lower case. */
function checkBody(env: Environment, length: number, contentTypeHeader: string): string {
  const { config } = env;
  if (length > config.inputContentLengthLimit) {
    throw new HttpError(413, `the request body of ${length} bytes is larger than the limit of ${config.inputContentLengthLimit}`);
  }
  if (contentTypeHeader === '') throw new HttpError(400, 'the request has a body but no content-type');
  const contentType = parseContentType(contentTypeHeader).type;
  const permitted = config.permittedInputContentTypes;
  if (permitted.length > 0 && !permitted.includes(contentType)) {
    throw new HttpError(415, `content-type ${contentType} is not accepted; accepted: ${permitted.join(', ')}`);
  }
  return contentType;
}

async function readBodyArgument(context: ArgumentContext, source: AsyncIterable<Buffer>, contentTypeHeader: string): Promise<Argument | undefined> {
  const headers = Object.fromEntries(context.env.inputHeaders);
  const meta = { name: 'BODY', contentTypeHeader, headers };
  // Netcgi: a raw body counts as a file for `automatic`, so large bodies go to disk.
  return storeStream(context, meta, source, { hasFile: true, drainAfterLimit: false });
}
