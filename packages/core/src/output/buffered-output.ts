// Transactional output: the body is held until commit(), in memory or spilled to a temp file.
import { writeFully, type TempFile, type TempFiles } from '../temp-files.js';
import type { OutputSink } from './output-sink.js';
import type { ResponseOutput } from './response-output.js';

const READ_CHUNK_SIZE = 64 * 1024;

/**
 * Holds uncommitted output in memory; past `spillThreshold` bytes (when temp files are given)
 * moves it to a temp file so that a large response never sits whole in memory.
 */
export class BufferedOutput implements OutputSink {
  readonly buffered = true;
  readonly #raw: ResponseOutput;
  readonly #tempFiles: TempFiles | undefined;
  readonly #spillThreshold: number;
  #chunks: (Buffer | string)[] = [];
  #memoryBytes = 0;
  #file: TempFile | undefined;
  #fileBytes = 0;

  /** Without `tempFiles` everything stays in memory. */
  constructor(raw: ResponseOutput, tempFiles?: TempFiles, spillThreshold = Number.POSITIVE_INFINITY) {
    this.#raw = raw;
    this.#tempFiles = tempFiles;
    this.#spillThreshold = spillThreshold;
  }

  write(chunk: Buffer | string): Promise<void> | void {
    if (this.#file !== undefined) return this.#append(chunk);
    this.#chunks.push(chunk);
    this.#memoryBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (this.#tempFiles !== undefined && this.#memoryBytes > this.#spillThreshold) return this.#spill();
  }

  async commit(): Promise<void> {
    if (this.#file !== undefined) await this.#sendFile(this.#file);
    else for (const chunk of this.#chunks) await this.#raw.write(chunk);
    this.rollback();
  }

  rollback(): void {
    this.#chunks = [];
    this.#memoryBytes = 0;
    // The file is overwritten from offset 0 next time; its stale tail is never read.
    this.#fileBytes = 0;
  }

  async close(): Promise<void> {
    this.rollback();
    if (this.#file !== undefined) await this.#tempFiles?.remove(this.#file.path);
    this.#file = undefined;
  }

  async #spill(): Promise<void> {
    this.#file = await this.#tempFiles!.create();
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#memoryBytes = 0;
    for (const chunk of chunks) await this.#append(chunk);
  }

  async #append(chunk: Buffer | string): Promise<void> {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    await writeFully(this.#file!.handle, bytes, this.#fileBytes);
    this.#fileBytes += bytes.length;
  }

  async #sendFile(file: TempFile): Promise<void> {
    for (let position = 0; position < this.#fileBytes; ) {
      // A fresh buffer per read: the connector may still hold the previous one.
      const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK_SIZE, this.#fileBytes - position));
      const { bytesRead } = await file.handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      await this.#raw.write(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
    }
  }
}
