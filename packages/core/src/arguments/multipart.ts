// Arguments of a multipart/form-data body (RFC 7578), parsed by busboy as the body streams in.
import type busboy from 'busboy';
import { Readable } from 'node:stream';
import { HttpError } from '../errors.js';
import { busboyLibrary } from '../lazy.js';
import type { Argument } from './argument.js';
import { checkArgumentName, storeStream, storeValue, type ArgumentContext } from './argument-store.js';

/**
 * Parses a multipart body of `length` bytes from `source`. Uploads stream to their store with
 * backpressure, so a large file is never whole in memory. On any error every part still being
 * stored is waited for before the error is thrown, so the caller's clean-up sees all temp files.
 * @throws HttpError 400 on a malformed body, 413 on too many arguments or a too long name.
 */
export async function parseMultipart(
  context: ArgumentContext,
  source: AsyncIterable<Buffer>,
  contentType: string,
): Promise<Argument[]> {
  const { config } = context.env;
  // Loaded outside the try: failing to load busboy is a server fault (500), not the client's.
  const createParser = busboyLibrary();
  let parser: busboy.Busboy;
  try {
    parser = createParser({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      limits: { fieldSize: config.maxMemoryArgumentSize, fieldNameSize: config.maxArgumentNameSize },
    });
  } catch (error) {
    throw new HttpError(400, `malformed multipart content-type: ${(error as Error).message.toLowerCase()}`);
  }
  const parts: Promise<Argument | undefined>[] = [];
  let partError: unknown;
  const fail = (error: unknown): void => {
    partError ??= error;
    parser.destroy(error as Error);
  };

  parser.on('field', (name, value, info) => {
    try {
      checkPartName(context, name);
      const meta = { name, contentTypeHeader: info.mimeType, headers: { 'content-type': info.mimeType } };
      parts.push(Promise.resolve(storeValue(context, meta, value, info.valueTruncated)));
    } catch (error) {
      fail(error);
    }
  });
  parser.on('file', (name, stream, info) => {
    // busboy destroys the part's stream on a parse error, maybe before storeStream reads it (it
    // first opens a temp file); the reader still sees the error, but it must not go uncaught.
    stream.on('error', () => {});
    try {
      checkPartName(context, name);
    } catch (error) {
      stream.resume();
      return fail(error);
    }
    const meta = { name, filename: info.filename, contentTypeHeader: info.mimeType, headers: { 'content-type': info.mimeType } };
    const stored = storeStream(context, meta, stream, { hasFile: info.filename !== undefined, drainAfterLimit: true });
    stored.catch(fail);
    parts.push(stored);
  });

  try {
    const { pipeline } = await import('node:stream/promises');
    await pipeline(Readable.from(source, { objectMode: false }), parser);
  } catch (error) {
    partError ??= error;
  }
  const settled = await Promise.allSettled(parts);
  if (partError !== undefined) throw asHttpError(partError);
  const rejected = settled.find((result) => result.status === 'rejected');
  if (rejected !== undefined) throw asHttpError((rejected as PromiseRejectedResult).reason);
  return settled.flatMap((result) => (result.status === 'fulfilled' && result.value !== undefined ? [result.value] : []));
}

function checkPartName(context: ArgumentContext, name: string | undefined): asserts name is string {
  if (name === undefined) throw new HttpError(400, 'a multipart part has no name in its content-disposition');
  checkArgumentName(context, name);
}

function asHttpError(error: unknown): unknown {
  if (error instanceof HttpError || !(error instanceof Error)) return error;
  // busboy's own errors say what is malformed; storage errors (ENOSPC, EACCES) have a code.
  if ('code' in error) return error;
  return new HttpError(400, `malformed multipart body: ${error.message.toLowerCase()}`, { cause: error });
}
