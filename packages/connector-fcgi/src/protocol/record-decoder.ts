// Incremental record decoding: bytes in, records out, whatever the segmentation (FastCGI §3.3).
import { HEADER_LENGTH, VERSION_1 } from './constants.js';
import { ProtocolError } from './protocol-error.js';
import type { FcgiRecord } from './record.js';

const EMPTY = Buffer.alloc(0);

/**
 * Turns a byte stream into records. Feed it chunks as they arrive; each complete record is passed
 * to the callback, its content a view of the chunk when the record lies within one chunk (no
 * copy), else a copy. At most one record (8 + 65535 + 255 bytes) is ever buffered.
 */
export class RecordDecoder {
  /** Bytes of an incomplete record, carried over to the next chunk. */
  #pending: Buffer | undefined;

  /**
   * Decodes `chunk`, calling `onRecord` for each complete record, in order.
   * @throws ProtocolError on a version other than 1; the stream cannot be resynchronised after it.
   */
  decode(chunk: Buffer, onRecord: (record: FcgiRecord) => void): void {
    let bytes = chunk;
    if (this.#pending !== undefined) {
      bytes = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    let offset = 0;
    while (bytes.length - offset >= HEADER_LENGTH) {
      const version = bytes[offset]!;
      if (version !== VERSION_1) throw new ProtocolError(`unsupported FastCGI version ${version} (only 1 exists)`);
      const contentLength = (bytes[offset + 4]! << 8) | bytes[offset + 5]!;
      const end = offset + HEADER_LENGTH + contentLength + bytes[offset + 6]!;
      if (end > bytes.length) break;
      const contentStart = offset + HEADER_LENGTH;
      onRecord({
        type: bytes[offset + 1]!,
        requestId: (bytes[offset + 2]! << 8) | bytes[offset + 3]!,
        // A request's ends of stream are empty records: one shared empty buffer for them all.
        content: contentLength === 0 ? EMPTY : bytes.subarray(contentStart, contentStart + contentLength),
      });
      offset = end;
    }
    // Copy the tail: keeping a view would pin the whole chunk, and the next chunk is appended anyway.
    if (offset < bytes.length) this.#pending = Buffer.from(bytes.subarray(offset));
  }

  /** True when a partial record is waiting for more bytes (a peer that closes here cut a record). */
  get hasPartialRecord(): boolean {
    return this.#pending !== undefined;
  }
}
