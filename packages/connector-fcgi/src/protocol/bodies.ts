// The fixed-size record bodies (FastCGI §5.1, §5.5, §4.2).
import { RecordType, type ProtocolStatus, type Role } from './constants.js';
import { ProtocolError } from './protocol-error.js';
import { encodeRecord } from './record.js';

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
