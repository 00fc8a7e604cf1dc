// Incremental record decoding: bytes in, records out, whatever the segmentation (FastCGI §3.3).
import { HEADER_LENGTH, VERSION_1 } from './constants.js';
import { ProtocolError } from './protocol-error.js';
import type { FcgiRecord } from './record.js';

const EMPTY = Buffer.alloc(0);

/**
 * Turns a byte stream into records. Feed it chunks as they arrive; each complete record is passed
 * to the callback, its content a view of the chunk when the record lies within one chunk (no
 * copy). A record split across chunks is gathered into a buffer of its own size, allocated once
 * its header is known: each of its bytes is copied once, and nothing else is (joining the whole
 * next chunk to the carried-over bytes copied every byte of a large body twice). At most one
 * record (8 + 65535 + 255 bytes) is ever held.
 */
export class RecordDecoder {
  /** The header of a record split across chunks, while fewer than 8 bytes of it came. */
  #header: Buffer | undefined;
  /** The whole of a record split across chunks, once its header is known. */
  #record: Buffer | undefined;
  /** Bytes of #header or #record received so far. */
  #filled = 0;

  /**
   * Decodes `chunk`, calling `onRecord` for each complete record, in order.
   * @throws ProtocolError on a version other than 1; the stream cannot be resynchronised after it.
   */
  decode(chunk: Buffer, onRecord: (record: FcgiRecord) => void): void {
    let offset = this.#header === undefined && this.#record === undefined ? 0 : this.#continueSplitRecord(chunk, onRecord);
    while (chunk.length - offset >= HEADER_LENGTH) {
      const end = offset + recordLength(chunk, offset);
      if (end > chunk.length) break;
      emit(chunk, offset, onRecord);
      offset = end;
    }
    if (offset < chunk.length) this.#startSplitRecord(chunk.subarray(offset));
  }

  /** True when a partial record is waiting for more bytes (a peer that closes here cut a record). */
  get hasPartialRecord(): boolean {
    return this.#header !== undefined || this.#record !== undefined;
  }

  /** Keeps the start of a record whose end is in a later chunk (copied: a view would pin the chunk). */
  #startSplitRecord(start: Buffer): void {
    if (start.length < HEADER_LENGTH) {
      this.#header = Buffer.allocUnsafe(HEADER_LENGTH);
      this.#filled = start.copy(this.#header);
      return;
    }
    this.#record = Buffer.allocUnsafe(recordLength(start, 0));
    this.#filled = start.copy(this.#record);
  }

  /** Feeds the split record from `chunk`; returns how many bytes of `chunk` it took. */
  #continueSplitRecord(chunk: Buffer, onRecord: (record: FcgiRecord) => void): number {
    let taken = 0;
    if (this.#header !== undefined) {
      taken = chunk.copy(this.#header, this.#filled, 0, HEADER_LENGTH - this.#filled);
      this.#filled += taken;
      if (this.#filled < HEADER_LENGTH) return taken;
      const header = this.#header;
      this.#header = undefined;
      this.#record = Buffer.allocUnsafe(recordLength(header, 0));
      header.copy(this.#record);
    }
    const record = this.#record!;
    const copied = chunk.copy(record, this.#filled, taken, taken + record.length - this.#filled);
    this.#filled += copied;
    taken += copied;
    if (this.#filled < record.length) return taken;
    this.#record = undefined;
    this.#filled = 0;
    emit(record, 0, onRecord);
    return taken;
  }
}

/**
 * The length of the record whose header starts at `offset`: header, content and padding.
 * @throws ProtocolError on a version other than 1.
 */
function recordLength(bytes: Buffer, offset: number): number {
  const version = bytes[offset]!;
  if (version !== VERSION_1) throw new ProtocolError(`unsupported FastCGI version ${version} (only 1 exists)`);
  return HEADER_LENGTH + ((bytes[offset + 4]! << 8) | bytes[offset + 5]!) + bytes[offset + 6]!;
}

/** Passes on the record at `offset` of `bytes`, its content a view. */
function emit(bytes: Buffer, offset: number, onRecord: (record: FcgiRecord) => void): void {
  const contentLength = (bytes[offset + 4]! << 8) | bytes[offset + 5]!;
  const contentStart = offset + HEADER_LENGTH;
  onRecord({
    type: bytes[offset + 1]!,
    requestId: (bytes[offset + 2]! << 8) | bytes[offset + 3]!,
    // A request's ends of stream are empty records: one shared empty buffer for them all.
    content: contentLength === 0 ? EMPTY : bytes.subarray(contentStart, contentStart + contentLength),
  });
}
