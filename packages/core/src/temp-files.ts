// The temp files of one request: created 0600 with O_EXCL, all removed when the request ends.
import { randomBytes } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** An open temp file. `handle` stays open until `TempFiles.remove()` or `removeAll()`. */
export interface TempFile {
  readonly path: string;
  readonly handle: FileHandle;
}

/** Creates and tracks the temp files of one request so that none outlives it. */
export class TempFiles {
  readonly #directory: string;
  readonly #prefix: string;
  readonly #files = new Map<string, TempFile>();
  #counter = 0;

  constructor(directory: string, prefix: string) {
    this.#directory = directory;
    this.#prefix = prefix;
  }

  /** Creates `<directory>/<prefix>-<12 hex>-<n>` with mode 0600; never reuses an existing file. */
  async create(): Promise<TempFile> {
    const path = join(this.#directory, `${this.#prefix}-${randomBytes(6).toString('hex')}-${this.#counter++}`);
    const handle = await open(path, 'wx+', 0o600);
    const file = { path, handle };
    this.#files.set(path, file);
    return file;
  }

  /** Closes and deletes one file; never throws (a file already gone is fine). */
  async remove(path: string): Promise<void> {
    const file = this.#files.get(path);
    if (file === undefined) return;
    this.#files.delete(path);
    await file.handle.close().catch(() => {});
    await unlink(path).catch(() => {});
  }

  /** Closes and deletes every file still tracked. */
  async removeAll(): Promise<void> {
    await Promise.all([...this.#files.keys()].map((path) => this.remove(path)));
  }

  /** How many files are alive; for tests and diagnostics. */
  get size(): number {
    return this.#files.size;
  }
}
