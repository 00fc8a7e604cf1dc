// The fixed-size record bodies (FastCGI §5.1, §5.5, §4.2).
import { HEADER_LENGTH, RecordType, type ProtocolStatus, type Role } from './constants.js';
import { ProtocolError } from './protocol-error.js';
import { encodeRecord, MAX_STREAM_CHUNK, paddingLength, writeHeader, zeroBytes } from './record.js';

/** FastCGI §5.1: FCGI_BeginRequestBody. */
export interface BeginRequestBody {
  readonly role: number;
  readonly flags: number;
}

/**
 * Reads FCGI_BeginRequestBody: role (2 bytes), flags (1 byte), 5 reserved bytes.
 * @throws ProtocolError when the content is not 8 bytes long.
 */
export function decodeBeginRequestBody(content: Buffer): BeginRequestBody {
  if (content.length !== 8) throw new ProtocolError(`a BEGIN_REQUEST body has 8 bytes, not ${content.length}`);
  return { role: content.readUInt16BE(0), flags: content[2]! };
}

/** FCGI_BeginRequestBody's 8 bytes (what a web server sends). */
export function encodeBeginRequestBody(role: Role | number, flags: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt16BE(role, 0);
  body[2] = flags;
  return body;
}

/** The whole FCGI_END_REQUEST record: appStatus (4 bytes), protocolStatus, 3 reserved bytes. */
export function encodeEndRequest(requestId: number, appStatus: number, protocolStatus: ProtocolStatus): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(appStatus >>> 0, 0);
  body[4] = protocolStatus;
  return encodeRecord(RecordType.EndRequest, requestId, body);
}

/** FastCGI §4.2: the whole FCGI_UNKNOWN_TYPE record answering a management record of `type`. */
export function encodeUnknownType(type: number): Buffer {
  const body = Buffer.alloc(8);
  body[0] = type;
  return encodeRecord(RecordType.UnknownType, 0, body);
}

/** A response's last STDOUT content, for {@link encodeResponseEnd}. */
export interface LastContent {
  /** In pieces (strings as UTF-8), at most MAX_STREAM_CHUNK bytes in all. */
  readonly stdout: readonly (Buffer | string)[];
  /** The byte length of `stdout`. */
  readonly stdoutBytes: number;
}

/**
 * The end of a request's response in one buffer (FastCGI §5.3, §5.5): a STDOUT record with the
 * last content (when there is any), the empty STDERR record (with `endStderr`), the empty
 * STDOUT record, and END_REQUEST. A small response is then one allocation and one write, its
 * strings encoded straight into place.
 * @throws RangeError when `stdoutBytes` is over MAX_STREAM_CHUNK or the id over 65535.
 */
export function encodeResponseEnd(requestId: number, last: LastContent, endStderr: boolean, appStatus: number, protocolStatus: ProtocolStatus): Buffer {
  const { stdout, stdoutBytes } = last;
  if (stdoutBytes > MAX_STREAM_CHUNK) throw new RangeError(`the last STDOUT content is at most ${MAX_STREAM_CHUNK} bytes, not ${stdoutBytes}`);
  if (!Number.isInteger(requestId) || requestId < 0 || requestId > 0xffff) throw new RangeError(`invalid request id ${requestId}`);
  const contentRecord = stdoutBytes === 0 ? 0 : HEADER_LENGTH + stdoutBytes + paddingLength(stdoutBytes);
  const bytes = Buffer.allocUnsafe(contentRecord + (endStderr ? HEADER_LENGTH : 0) + HEADER_LENGTH + HEADER_LENGTH + 8);
  let offset = 0;
  if (stdoutBytes > 0) {
    writeHeader(bytes, 0, RecordType.Stdout, requestId, stdoutBytes);
    offset = HEADER_LENGTH;
    for (const piece of stdout) offset += typeof piece === 'string' ? bytes.write(piece, offset, 'utf8') : piece.copy(bytes, offset);
    if (offset !== HEADER_LENGTH + stdoutBytes) throw new RangeError(`the STDOUT pieces hold ${offset - HEADER_LENGTH} bytes, not ${stdoutBytes}`);
    zeroBytes(bytes, offset, contentRecord);
    offset = contentRecord;
  }
  if (endStderr) {
    writeHeader(bytes, offset, RecordType.Stderr, requestId, 0);
    offset += HEADER_LENGTH;
  }
  writeHeader(bytes, offset, RecordType.Stdout, requestId, 0);
  offset += HEADER_LENGTH;
  writeHeader(bytes, offset, RecordType.EndRequest, requestId, 8);
  offset += HEADER_LENGTH;
  bytes.writeUInt32BE(appStatus >>> 0, offset);
  bytes[offset + 4] = protocolStatus;
  zeroBytes(bytes, offset + 5, offset + 8);
  return bytes;
}
