// The temp files of one request: created 0600 with O_EXCL, all removed when the request ends.
// fs.promises is looked up when a file is made, not at start-up (CGI).
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomHex } from './lazy.js';
import { NetcgiError } from './errors.js';

/** An open temp file. `handle` stays open until `TempFiles.remove()` or `removeAll()`. */
export interface TempFile {
  readonly path: string;
  readonly handle: FileHandle;
}

/**
 * The temp files one request may hold open at once. A multipart body of thousands of tiny files
 * arrives in one read, and each part wanted its file at once: 10,000 parts held ~2,000
 * descriptors, and under `ulimit -n 1024` other requests failed with EMFILE.
 */
export const MAX_OPEN_TEMP_FILES = 8;

/** Creates and tracks the temp files of one request so that none outlives it. */
export class TempFiles {
  readonly #directory: string;
  readonly #prefix: string;
  readonly #files = new Map<string, TempFile>();
  /** Paths whose descriptor is open (or being opened), at most MAX_OPEN_TEMP_FILES. */
  readonly #open = new Set<string>();
  readonly #waitingToOpen: (() => void)[] = [];
  /** Creations and removals under way. */
  readonly #pending = new Set<Promise<unknown>>();
  #counter = 0;
  #closed = false;

  constructor(directory: string, prefix: string) {
    this.#directory = directory;
    this.#prefix = prefix;
  }

  /**
   * Creates `<directory>/<prefix>-<12 hex>-<n>` with mode 0600; never reuses an existing file.
   * @throws NetcgiError after `removeAll()`: the request is over. Errors of `open` (ENOSPC, EACCES).
   */
  async create(): Promise<TempFile> {
    if (this.#open.size >= MAX_OPEN_TEMP_FILES) await new Promise<void>((resolve) => this.#waitingToOpen.push(resolve));
    if (this.#closed) throw new NetcgiError('ERR_REQUEST_ENDED', 'no temp file can be created: the request has ended');
    const path = join(this.#directory, `${this.#prefix}-${randomHex(6)}-${this.#counter++}`);
    this.#open.add(path);
    const opening = fs.promises.open(path, 'wx+', 0o600);
    this.#pending.add(opening);
    try {
      const file = { path, handle: await opening };
      this.#files.set(path, file);
      return file;
    } catch (error) {
      this.#released(path);
      throw error;
    } finally {
      this.#pending.delete(opening);
    }
  }

  /** Closes a file's descriptor, keeping its path for removal: the next file may open. */
  async closeHandle(file: TempFile): Promise<void> {
    if (!this.#open.has(file.path)) return;
    try {
      await file.handle.close();
    } finally {
      this.#released(file.path);
    }
  }

  #released(path: string): void {
    if (this.#open.delete(path)) this.#waitingToOpen.shift()?.();
  }

  /** Closes and deletes one file; never throws (a file already gone is fine). */
  remove(path: string): Promise<void> {
    const file = this.#files.get(path);
    if (file === undefined) return Promise.resolve();
    this.#files.delete(path);
    const removal = file.handle.close().catch(() => {}).then(() => {
      this.#released(path);
      return fs.promises.unlink(path);
    }).catch(() => {});
    // removeAll() waits for removals already under way, so that none outlives the request.
    this.#pending.add(removal);
    return removal.finally(() => this.#pending.delete(removal));
  }

  /** No file is open, being created or being removed. */
  get isEmpty(): boolean {
    return this.#pending.size === 0 && this.#files.size === 0;
  }

  /** No more files can be created (for a request that made none: `removeAll` without a promise). */
  close(): void {
    this.#closed = true;
  }

  /** Closes and deletes every file, waiting for those being created or removed; no more can be created. */
  async removeAll(): Promise<void> {
    this.#closed = true;
    // Creations waiting for a descriptor fail now (ERR_REQUEST_ENDED): the request is over.
    for (const wake of this.#waitingToOpen.splice(0)) wake();
    // Most requests make no temp file: no promises for nothing.
    if (this.#pending.size === 0 && this.#files.size === 0) return;
    await Promise.allSettled(this.#pending);
    await Promise.all([...this.#files.keys()].map((path) => this.remove(path)));
  }
}

/** Writes all of `chunk` at `position`: a write may take fewer bytes than it was given. */
export async function writeFully(handle: FileHandle, chunk: Buffer, position: number): Promise<void> {
  for (let offset = 0; offset < chunk.length; ) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset, position + offset);
    offset += bytesWritten;
  }
}
