// Deciding where each argument's value goes (memory, temp file, nowhere) and storing it there.
import type { Environment } from '../environment.js';
import { HttpError } from '../errors.js';
import type { TempFiles } from '../temp-files.js';
import { Argument, type ArgumentInit } from './argument.js';
import { FileSink, MemorySink } from './value-sinks.js';

/**
 * Where to keep an argument: `automatic` is `file` for an upload (a part with a file name) and a
 * raw body larger than `maxMemoryArgumentSize`, else `memory`. `stream` keeps nothing: the app
 * runs before the value arrives and reads it live (a raw body, or a multipart part and every part
 * after it through `cgi.parts()`); a value that arrives whole (a query or urlencoded field) is
 * kept in memory instead.
 */
export type StoreKind = 'memory' | 'file' | 'automatic' | 'stream';

/**
 * The answer of an {@link ArgStore}: a store, `discard` (the argument is left out), or a store with
 * a byte limit. Over its limit an argument is kept but `oversized`, and its value is dropped.
 */
export type StoreDecision = StoreKind | 'discard' | { readonly store: StoreKind; readonly maxSize: number };

/** What is known of an argument before its value is read. */
export interface PartInfo {
  readonly filename: string | undefined;
  /** The part's `Content-Type` as sent, or `text/plain`. */
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Decides per argument where its value goes. Called once per argument, before its value is read. */
export type ArgStore = (env: Environment, name: string, part: PartInfo) => StoreDecision;

/** The default: files of uploads (and raw bodies) to temp files, the rest in memory. */
export const defaultArgStore: ArgStore = () => 'automatic';

/** @internal The state shared by the argument parsers of one request. */
export interface ArgumentContext {
  readonly env: Environment;
  readonly argStore: ArgStore;
  readonly tempFiles: TempFiles;
  /** Counts one more argument against `maxArguments`. @throws HttpError 413 */
  countArgument(): void;
}

/** @internal An argument's metadata before its value is stored. */
export type ArgumentMeta = Pick<ArgumentInit, 'name' | 'filename' | 'contentTypeHeader' | 'headers'>;

/** @internal Where an argument goes, with its byte limit. */
export interface ResolvedStore {
  readonly store: 'memory' | 'file' | 'stream';
  readonly limit: number;
}

/**
 * @internal Asks the app's `argStore` where the argument goes; undefined means discard. An `argStore` that
 * throws discards the argument (as Netcgi does) and the error is logged.
 */
export function resolveStore(context: ArgumentContext, meta: ArgumentMeta, hasFile: boolean): ResolvedStore | undefined {
  const { env } = context;
  const { config } = env;
  const part: PartInfo = {
    filename: meta.filename,
    contentType: meta.contentTypeHeader ?? 'text/plain',
    headers: meta.headers ?? {},
  };
  let decision: StoreDecision;
  try {
    decision = context.argStore(env, meta.name, part);
  } catch (error) {
    env.logError(`argStore threw for argument "${meta.name}", which is discarded: ${String(error)}`);
    return undefined;
  }
  if (decision === 'discard') return undefined;
  const kind = typeof decision === 'string' ? decision : decision.store;
  const store = kind === 'automatic' ? (hasFile ? 'file' : 'memory') : kind;
  const defaultLimit = store === 'memory' ? config.maxMemoryArgumentSize : config.maxFileArgumentSize;
  return { store, limit: typeof decision === 'string' ? defaultLimit : decision.maxSize };
}

/** @internal Counts one argument and checks its name's size. @throws HttpError 413 */
export function checkArgumentName(context: ArgumentContext, name: string): void {
  context.countArgument();
  const { maxArgumentNameSize } = context.env.config;
  if (Buffer.byteLength(name) > maxArgumentNameSize) {
    throw new HttpError(413, `an argument name is longer than ${maxArgumentNameSize} bytes`);
  }
}

/**
 * @internal Stores a streamed value per the argument's store decision, never holding more than the limit in
 * memory. Over the limit it stops storing (a stored prefix is deleted) and, with `drainAfterLimit`,
 * reads the rest to nowhere (a multipart parser must find the next part); without, it stops reading.
 * A discarded argument (`resolved` undefined) is read to its end and resolves to undefined. A
 * `stream` store is the caller's to handle; here it stores in memory.
 */
export async function storeStream(
  context: ArgumentContext,
  meta: ArgumentMeta,
  source: AsyncIterable<Buffer>,
  resolved: ResolvedStore | undefined,
  drainAfterLimit: boolean,
): Promise<Argument | undefined> {
  if (resolved === undefined) {
    // Read to the end, dropping: a discarded raw body still arrives whole (and is checked
    // against its CONTENT_LENGTH), and a multipart parser must reach the next part.
    for await (const _ of source);
    return undefined;
  }
  const sink = resolved.store === 'file' ? await FileSink.open(context.tempFiles) : new MemorySink();
  const store = resolved.store === 'file' ? 'file' : 'memory';
  let size = 0;
  let oversized = false;
  try {
    for await (const chunk of source) {
      size += chunk.length;
      if (!oversized && size > resolved.limit) {
        oversized = true;
        await sink.discard();
        if (!drainAfterLimit) break;
      }
      if (!oversized) {
        const writing = sink.write(chunk);
        if (writing !== undefined) await writing;
      }
    }
  } catch (error) {
    await sink.discard();
    throw error;
  }
  if (oversized) return new Argument({ ...meta, store, size, oversizedLimit: resolved.limit });
  return new Argument({ ...meta, size, ...(await sink.finish()) });
}

/**
 * @internal Makes an argument of a value that arrived whole in memory (query strings, urlencoded and
 * multipart fields): it stays in memory whatever the store, and only the limit applies.
 * `truncated` says the parser cut the value one byte past `maxMemoryArgumentSize` (busboy).
 */
export function storeValue(context: ArgumentContext, meta: ArgumentMeta, value: string, truncated = false): Argument | undefined {
  const resolved = resolveStore(context, meta, false);
  if (resolved === undefined) return undefined;
  const { maxMemoryArgumentSize } = context.env.config;
  if (truncated) {
    // The parser kept one byte past the limit and counted no further: that is all that was seen.
    return new Argument({ ...meta, store: 'memory', size: maxMemoryArgumentSize + 1, oversizedLimit: Math.min(resolved.limit, maxMemoryArgumentSize) });
  }
  const size = Buffer.byteLength(value);
  if (size > resolved.limit) return new Argument({ ...meta, store: 'memory', size, oversizedLimit: resolved.limit });
  return new Argument({ ...meta, store: 'memory', size, value });
}
