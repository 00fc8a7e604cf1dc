// What busboy was given last, to tell a part header past its bound (431) from a broken one (400).
import type busboy from 'busboy';

/** busboy's bound on one part's header block (its MAX_HEADER_SIZE, Node's default for HTTP heads). */
export const MAX_PART_HEADER_BYTES = 16 * 1024;

export function boundaryOf(contentType: string): string {
  return /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType)?.slice(1).find((value) => value !== undefined) ?? '';
}

/**
 * The last bytes busboy was given, by reference: it reports a part header past its bound and a
 * broken one alike ("Malformed part header"), and the tail tells them apart after the fact.
 */
export class BodyTail {
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
