// Where a streamed argument's bytes are stored: memory, or a temp file written in large batches.
import type { TempFile, TempFiles } from '../temp-files.js';
import type { ArgumentInit } from './argument.js';

/** Chunks are gathered up to this many bytes and written with one `pwritev`. */
const FILE_BATCH_BYTES = 1024 * 1024;

/** Collects the chunks of a memory argument. */
export class MemorySink {
  #chunks: Buffer[] = [];
  write(chunk: Buffer): void {
    this.#chunks.push(chunk);
  }
  async discard(): Promise<void> {
    this.#chunks = [];
  }
  async finish(): Promise<Pick<ArgumentInit, 'store' | 'value'>> {
    return { store: 'memory', value: this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks) };
  }
}

/**
 * Writes a file argument to its temp file. A write per 64 KiB chunk (one thread-pool round trip
 * each) ran at a fifth of the memory store's speed: chunks are gathered into batches of
 * {@link FILE_BATCH_BYTES}, each written with one `pwritev` at its own offset while the next batch
 * gathers. At most two batches are held, so memory stays bounded; `write` returns a promise only
 * when the caller must wait (backpressure).
 */
export class FileSink {
  readonly #tempFiles: TempFiles;
  readonly #file: TempFile;
  #batch: Buffer[] = [];
  #batchBytes = 0;
  #position = 0;
  #inFlight: Promise<void> | undefined;

  private constructor(tempFiles: TempFiles, file: TempFile) {
    this.#tempFiles = tempFiles;
    this.#file = file;
  }

  static async open(tempFiles: TempFiles): Promise<FileSink> {
    return new FileSink(tempFiles, await tempFiles.create());
  }

  write(chunk: Buffer): Promise<void> | void {
    this.#batch.push(chunk);
    this.#batchBytes += chunk.length;
    if (this.#batchBytes >= FILE_BATCH_BYTES) return this.#writeBatch();
  }

  async discard(): Promise<void> {
    this.#batch = [];
    // A write still under way must end before the descriptor is closed under it.
    await this.#inFlight?.catch(() => {});
    await this.#tempFiles.remove(this.#file.path);
  }

  async finish(): Promise<Pick<ArgumentInit, 'store' | 'path' | 'removeFile'>> {
    await this.#writeBatch();
    await this.#inFlight;
    // The descriptor is closed now; only the path stays tracked, so many uploads hold no fds.
    await this.#tempFiles.closeHandle(this.#file);
    const tempFiles = this.#tempFiles;
    return { store: 'file', path: this.#file.path, removeFile: (path) => tempFiles.remove(path) };
  }

  /** Starts writing the gathered batch; waits for the one before it, so that two at most are held. */
  async #writeBatch(): Promise<void> {
    const previous = this.#inFlight;
    if (this.#batchBytes > 0) {
      const writing = writevFully(this.#file, this.#batch, this.#position);
      this.#position += this.#batchBytes;
      this.#batch = [];
      this.#batchBytes = 0;
      // Handled here so that a failure waiting for its turn is never unhandled; awaited below.
      writing.catch(() => {});
      this.#inFlight = writing;
    }
    await previous;
  }
}

/** Writes every byte of `buffers` at `position`, continuing after a short write. */
async function writevFully(file: TempFile, buffers: Buffer[], position: number): Promise<void> {
  let remaining = buffers;
  let offset = position;
  for (;;) {
    const { bytesWritten } = await file.handle.writev(remaining, offset);
    offset += bytesWritten;
    remaining = dropBytes(remaining, bytesWritten);
    if (remaining.length === 0) return;
  }
}

/** `buffers` without their first `count` bytes. */
function dropBytes(buffers: Buffer[], count: number): Buffer[] {
  let index = 0;
  let left = count;
  while (index < buffers.length && left >= buffers[index]!.length) left -= buffers[index++]!.length;
  const rest = buffers.slice(index);
  if (left > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(left);
  return rest;
}
