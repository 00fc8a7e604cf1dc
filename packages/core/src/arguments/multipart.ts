// Arguments of a multipart/form-data body (RFC 7578), parsed by busboy as the body streams in.
import type busboy from 'busboy';
import { Readable } from 'node:stream';
import { HttpError } from '../errors.js';
import { busboyLibrary } from '../lazy.js';
import { Argument } from './argument.js';
import { checkArgumentName, resolveStore, storeStream, storeValue, type ArgumentContext, type ResolvedStore } from './argument-store.js';
import { LiveValue } from './live-value.js';
import { PartQueue } from './part-queue.js';

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
  const body = Readable.from(source, { objectMode: false });
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

/** busboy's bound on one part's header block (its MAX_HEADER_SIZE, Node's default for HTTP heads). */
const MAX_PART_HEADER_BYTES = 16 * 1024;

function boundaryOf(contentType: string): string {
  return /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType)?.slice(1).find((value) => value !== undefined) ?? '';
}

/**
 * The last bytes busboy was given, by reference: it reports a part header past its bound and a
 * broken one alike ("Malformed part header"), and the tail tells them apart after the fact.
 */
class BodyTail {
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  #startsAtBody = true;

  constructor(parser: busboy.Busboy) {
    // busboy fails inside the write of the chunk it cannot parse: watching its writes (not what
    // the source yielded, which may run ahead) puts the failing header in the tail.
    const write = parser._write.bind(parser);
    parser._write = (chunk: Buffer, encoding, callback) => {
      this.#keep(chunk);
      write(chunk, encoding, callback);
    };
  }

  /** Whether a part header in the tail (after a `boundary` line) is at least as long as busboy's bound. */
  endsInLongPartHeader(boundary: string): boolean {
    if (boundary === '') return false;
    const tail = Buffer.concat(this.#chunks, this.#bytes);
    const delimiter = `--${boundary}`;
    // The first delimiter of a body has no CRLF before it; one past the tail's start must have.
    for (let at = tail.indexOf(delimiter, 0, 'latin1'); at !== -1; at = tail.indexOf(delimiter, at + 1, 'latin1')) {
      if (!(at === 0 && this.#startsAtBody) && (at < 2 || tail[at - 2] !== 0x0d || tail[at - 1] !== 0x0a)) continue;
      const header = tail.subarray(at + delimiter.length + 2);
      const headerEnd = header.indexOf('\r\n\r\n', 0, 'latin1');
      if ((headerEnd === -1 ? header.length : headerEnd) >= MAX_PART_HEADER_BYTES - 4) return true;
    }
    return false;
  }

  #keep(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    // The failing chunk and a whole bound's worth of header and delimiter before it.
    while (this.#chunks.length > 1 && this.#bytes - this.#chunks[0]!.length >= MAX_PART_HEADER_BYTES + 256 + chunk.length) {
      this.#bytes -= this.#chunks.shift()!.length;
      this.#startsAtBody = false;
    }
  }
}
