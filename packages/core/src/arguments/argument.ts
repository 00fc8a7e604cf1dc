// One request argument: a query or form field, an uploaded file, or a raw request body.
// fs as a namespace: named imports would load fs's stream and promise parts at start-up (CGI).
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { ArgumentFinalizedError, ArgumentOversizedError, ArgumentStreamedError, HttpError } from '../errors.js';
import { nodeStream } from '../lazy.js';
import type { LiveValue } from './live-value.js';

/** A file argument is read in chunks of this size: at the default 64 KiB, reading back ran at a quarter of the speed. */
const FILE_READ_CHUNK_BYTES = 512 * 1024;

/** `bytes()` of a file argument reads this much per call. */
const WHOLE_FILE_READ_BYTES = 64 * 1024 * 1024;

/** Where an argument's value lives: in memory, in a temp file, or still arriving (`stream`). */
export type ArgumentStorage = 'memory' | 'file' | 'stream';

/** @internal What the argument parsers know about an argument. */
export interface ArgumentInit {
  readonly name: string;
  readonly filename?: string | undefined;
  /** Media type with parameters, as sent; `text/plain` when none was. */
  readonly contentTypeHeader?: string | undefined;
  readonly headers?: Readonly<Record<string, string>>;
  readonly store: ArgumentStorage;
  readonly size: number;
  /** The value of a memory argument. */
  readonly value?: Buffer | string;
  /** The temp file of a file argument. */
  readonly path?: string;
  /** The value of a stream argument. */
  readonly live?: LiveValue;
  /** Set when the value was larger than this limit and was dropped. */
  readonly oversizedLimit?: number | undefined;
  /** Deletes the temp file; given for file arguments. */
  readonly removeFile?: (path: string) => Promise<void>;
}

/**
 * An argument of the request. Its value is in memory or in a temp file (mode 0600) that
 * `finalize()` deletes; the request pipeline finalizes every argument when the request ends.
 */
export class Argument {
  /** The argument's name (the form field's name; `BODY` for a raw request body). */
  readonly name: string;
  /** The file name the client gave, for uploads; without its directory part. */
  readonly filename: string | undefined;
  /** The media type in lower case, without parameters; `text/plain` when none was sent. */
  readonly contentType: string;
  /** The `charset` parameter of the content type in lower case, or `''`. */
  readonly charset: string;
  /** Header fields (lower-case names): a multipart part's `content-type` (busboy gives no others); the request's for `BODY`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Where the value is kept: `stream` is the live request, read once while it arrives. */
  readonly store: ArgumentStorage;
  readonly #size: number;
  /** The temp file holding the value, for `store === 'file'`. */
  readonly path: string | undefined;
  readonly #oversizedLimit: number | undefined;
  readonly #removeFile: ((path: string) => Promise<void>) | undefined;
  readonly #live: LiveValue | undefined;
  #value: Buffer | string | undefined;
  #finalized = false;

  /** @internal Apps get arguments from `cgi`; to make one, use {@link Argument.simple}. */
  constructor(init: ArgumentInit) {
    this.name = init.name;
    this.filename = init.filename;
    const contentType = parseContentType(init.contentTypeHeader ?? '');
    this.contentType = contentType.type;
    this.charset = contentType.charset;
    this.headers = init.headers ?? {};
    this.store = init.store;
    this.#size = init.size;
    this.path = init.path;
    this.#live = init.live;
    this.#value = init.value;
    this.#oversizedLimit = init.oversizedLimit;
    this.#removeFile = init.removeFile;
  }

  /** A memory argument with a text value, e.g. for `cgi.url({ withQueryString: [...] })`. */
  static simple(name: string, value: string): Argument {
    return new Argument({ name, value, store: 'memory', size: Buffer.byteLength(value) });
  }

  /**
   * The value's size in bytes. For an oversized argument: the bytes seen before reading stopped
   * (an upload is counted to its end; a multipart field without a file name is cut by the parser
   * at `maxMemoryArgumentSize` + 1); for a stream: the bytes read so far.
   */
  get size(): number {
    return this.#live?.size ?? this.#size;
  }

  /** Whether the value was larger than its limit; its value is then gone. */
  get oversized(): boolean {
    return this.#oversizedLimit !== undefined;
  }

  /**
   * The value as text, decoded with the argument's charset (UTF-8 when none or unknown).
   * Reads a file argument synchronously: prefer `text()` or `open()` for uploads.
   * @throws ArgumentOversizedError, ArgumentFinalizedError
   */
  get value(): string {
    this.#assertReadable();
    if (this.#live !== undefined) {
      throw new ArgumentStreamedError(`argument "${this.name}" is a live stream: read it with await text(), bytes(), json(), or open()`);
    }
    if (typeof this.#value === 'string') return this.#value;
    return decode(this.#value ?? fs.readFileSync(this.path!), this.charset);
  }

  /**
   * The value as a stream of bytes. A stream argument's is the live request, once: a read past its
   * limit fails with ArgumentOversizedError, an abort with RequestAbortedError.
   * @throws ArgumentOversizedError, ArgumentFinalizedError; ArgumentStreamedError when a stream argument was already read.
   */
  open(): Readable {
    this.#assertReadable();
    if (this.#live !== undefined) return this.#live.open();
    if (this.store === 'file') return fs.createReadStream(this.path!, { highWaterMark: FILE_READ_CHUNK_BYTES });
    return nodeStream().Readable.from([this.#bytesInMemory()], { objectMode: false });
  }

  /**
   * The value's bytes; a stream argument's are read to their end (a second call gives the same).
   * @throws ArgumentOversizedError, ArgumentFinalizedError; ArgumentStreamedError after `open()`.
   */
  async bytes(): Promise<Buffer> {
    this.#assertReadable();
    if (this.#live !== undefined) return this.#live.bytes();
    return this.store === 'file' ? readWholeFile(this.path!, this.#size) : this.#bytesInMemory();
  }

  /** The value as text, decoded like `value`. @throws ArgumentOversizedError, ArgumentFinalizedError */
  async text(): Promise<string> {
    if (typeof this.#value === 'string') return this.value;
    return decode(await this.bytes(), this.charset);
  }

  /**
   * The value parsed as JSON (RFC 8259), decoded like `text()`.
   * @throws HttpError 400 when it is not JSON; what `text()` throws.
   */
  async json<T = unknown>(): Promise<T> {
    const text = await this.text();
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new HttpError(400, `argument "${this.name}" is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }

  /** @internal The app moved on to the next part: what it left unread of this one is skipped. */
  skip(): void {
    this.#live?.discard();
  }

  /** Deletes the temp file and drops the value (a stream's unread rest is skipped). Never throws; a second call does nothing. */
  async finalize(): Promise<void> {
    if (this.#finalized) return;
    this.#finalized = true;
    this.#value = undefined;
    this.#live?.discard();
    if (this.path !== undefined) await this.#removeFile?.(this.path);
  }

  #bytesInMemory(): Buffer {
    const value = this.#value ?? '';
    return typeof value === 'string' ? Buffer.from(value) : value;
  }

  #assertReadable(): void {
    if (this.#oversizedLimit !== undefined) throw new ArgumentOversizedError(this.name, this.#oversizedLimit);
    if (this.#finalized) throw new ArgumentFinalizedError(this.name);
  }
}

/** A media type split into its lower-case type and charset; `text/plain` when empty. */
export function parseContentType(header: string): { type: string; charset: string } {
  const [type = '', ...parameters] = header.split(';');
  let charset = '';
  for (const parameter of parameters) {
    const match = /^\s*charset\s*=\s*"?([^";\s]*)"?\s*$/i.exec(parameter);
    if (match !== null) charset = match[1]!.toLowerCase();
  }
  return { type: type.trim().toLowerCase() || 'text/plain', charset };
}

function decode(bytes: Buffer, charset: string): string {
  if (charset === '' || charset === 'utf-8' || charset === 'utf8') return bytes.toString('utf8');
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

/**
 * A file of known `size` read into one buffer in large reads (readFile reads 512 KiB at a time,
 * one thread-pool round trip each).
 */
async function readWholeFile(path: string, size: number): Promise<Buffer> {
  const handle = await fs.promises.open(path, 'r');
  try {
    const bytes = Buffer.allocUnsafe(size);
    let position = 0;
    while (position < size) {
      const { bytesRead } = await handle.read(bytes, position, Math.min(WHOLE_FILE_READ_BYTES, size - position), position);
      if (bytesRead === 0) break;
      position += bytesRead;
    }
    return position === size ? bytes : bytes.subarray(0, position);
  } finally {
    await handle.close();
  }
}
