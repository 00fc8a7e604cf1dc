// Arguments of a multipart/form-data body (RFC 7578), parsed by busboy as the body streams in.
import type busboy from 'busboy';
import type { Readable } from 'node:stream';
import { HttpError } from '../errors.js';
import { busboyLibrary, nodeStream } from '../lazy.js';
import { Argument } from './argument.js';
import { checkArgumentName, resolveStore, storeStream, storeValue, type ArgumentContext, type ResolvedStore } from './argument-store.js';
import { LiveValue } from './live-value.js';
import { PartQueue } from './part-queue.js';
import { BodyTail, boundaryOf, MAX_PART_HEADER_BYTES } from './body-tail.js';

/** The parts stored before the app runs, and the queue of those that come after a streamed one. */
export interface MultipartArguments {
  readonly arguments: Argument[];
  /** Set when `argStore` answered `stream` for a part: that part and every later one. */
  readonly parts: PartQueue | undefined;
}

/**
 * Parses a multipart body from `source`. Uploads stream to their store with backpressure, so a
 * large file is never whole in memory. When `argStore` answers `stream` for a part, it resolves at
 * once with the parts stored so far, and that part and every later one go to the returned queue as
 * they arrive (fields in memory, files live). On any error every part still being stored is waited
 * for before the error is thrown, so the caller's clean-up sees all temp files.
 * @throws HttpError 400 on a malformed body, 413 on too many arguments or a too long name, 431 on a
 *   part header longer than busboy's 16 KiB.
 */
export async function parseMultipart(
  context: ArgumentContext,
  source: AsyncIterable<Buffer>,
  contentType: string,
): Promise<MultipartArguments> {
  const parser = createParser(context, contentType);
  const tail = new BodyTail(parser);
  const body = nodeStream().Readable.from(source, { objectMode: false });
  const stored: Promise<Argument | undefined>[] = [];
  let queue: PartQueue | undefined;
  let partError: unknown;
  let streamingStarted: () => void = () => {};
  const streaming = new Promise<void>((resolve) => { streamingStarted = resolve; });
  const httpError = (error: unknown): unknown => asHttpError(error, tail, contentType);
  const fail = (error: unknown): void => {
    partError ??= error;
    queue?.fail(httpError(error));
    parser.destroy(error as Error);
  };

  parser.on('field', (name, value, info) => {
    try {
      checkPartName(context, name);
      const meta = { name, contentTypeHeader: info.mimeType, headers: { 'content-type': info.mimeType } };
      const argument = storeValue(context, meta, value, info.valueTruncated);
      if (queue !== undefined) {
        if (argument !== undefined) queue.push(argument);
      } else stored.push(Promise.resolve(argument));
    } catch (error) {
      fail(error);
    }
  });
  parser.on('file', (name, stream, info) => {
    // busboy destroys the part's stream on a parse error, maybe before a reader reads it; the
    // reader still sees the error, but it must not go uncaught.
    stream.on('error', () => {});
    try {
      checkPartName(context, name);
    } catch (error) {
      stream.resume();
      return fail(error);
    }
    const meta = { name, filename: info.filename, contentTypeHeader: info.mimeType, headers: { 'content-type': info.mimeType } };
    const resolved: ResolvedStore | undefined = queue === undefined
      ? resolveStore(context, meta, info.filename !== undefined)
      : { store: 'stream', limit: context.env.config.maxFileArgumentSize };
    if (resolved?.store === 'stream') {
      queue ??= new PartQueue();
      // A part let go early is read to nowhere, never destroyed: the parser must reach the next part.
      const live = new LiveValue(stream, { name, maxSize: resolved.limit, release: 'drain' });
      queue.push(new Argument({ ...meta, store: 'stream', size: 0, live }));
      streamingStarted();
      return;
    }
    const storing = storeStream(context, meta, stream, resolved, true);
    storing.catch(fail);
    stored.push(storing);
  });

  parser.on('filesLimit', () => fail(new HttpError(413, `the request has more than ${context.env.config.maxFileArguments} file uploads (config.maxFileArguments)`)));

  const parsing = pipelineInto(body, parser).catch((error: unknown) => { partError ??= error; });
  await Promise.race([parsing, streaming]);
  const settled = await Promise.allSettled(stored);
  const rejected = settled.find((result) => result.status === 'rejected');
  const error = partError ?? (rejected as PromiseRejectedResult | undefined)?.reason;
  if (error !== undefined) {
    body.destroy();
    throw httpError(error);
  }
  const argumentList = settled.flatMap((result) => (result.status === 'fulfilled' && result.value !== undefined ? [result.value] : []));
  if (queue !== undefined) {
    const parts = queue;
    void parsing.then(() => (partError === undefined ? parts.end() : parts.fail(httpError(partError))));
    parts.onClose(() => body.destroy());
  }
  return { arguments: argumentList, parts: queue };
}

function createParser(context: ArgumentContext, contentType: string): busboy.Busboy {
  const { config } = context.env;
  // Loaded outside the try: failing to load busboy is a server fault (500), not the client's.
  const createBusboy = busboyLibrary();
  try {
    return createBusboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      // One byte over the limit: busboy marks a field truncated when it reaches its fieldSize, so a
      // value of exactly maxMemoryArgumentSize bytes would be called oversized.
      limits: { fieldSize: config.maxMemoryArgumentSize + 1, fieldNameSize: config.maxArgumentNameSize, files: config.maxFileArguments },
    });
  } catch (error) {
    throw new HttpError(400, `malformed multipart content-type: ${(error as Error).message.toLowerCase()}`);
  }
}

async function pipelineInto(body: Readable, parser: busboy.Busboy): Promise<void> {
  const { pipeline } = await import('node:stream/promises');
  await pipeline(body, parser);
}

function checkPartName(context: ArgumentContext, name: string | undefined): asserts name is string {
  if (name === undefined) throw new HttpError(400, 'a multipart part has no name in its content-disposition');
  checkArgumentName(context, name);
}

function asHttpError(error: unknown, tail: BodyTail, contentType: string): unknown {
  if (error instanceof HttpError || !(error instanceof Error)) return error;
  // busboy's own errors say what is malformed; storage errors (ENOSPC, EACCES) and aborts have a code.
  if ('code' in error) return error;
  if (error.message === 'Malformed part header' && tail.endsInLongPartHeader(boundaryOf(contentType))) {
    return new HttpError(431, `a multipart part header is longer than ${MAX_PART_HEADER_BYTES} bytes`, { cause: error });
  }
  return new HttpError(400, `malformed multipart body: ${error.message.toLowerCase()}`, { cause: error });
}
