// Name-value pairs (FastCGI §3.4): PARAMS and GET_VALUES content, with 1- and 4-byte lengths.
import { isAscii } from 'node:buffer';
import { ProtocolError } from './protocol-error.js';

/** A name and its value, as strings (names are ASCII; values are decoded as UTF-8). */
export type NameValuePair = readonly [name: string, value: string];

/** Buffer's own decoder, which `toString('utf8', start, end)` reaches through layers of checks. */
interface Utf8Slicing {
  utf8Slice(start: number, end: number): string;
}

/**
 * Decodes a complete name-value pair stream. With `upperCaseNames`, names come upper-cased (CGI
 * meta-variable names are case-insensitive, RFC 3875 §4.1; the seed upper-cases PARAMS names).
 * @throws ProtocolError when a length runs past the end of `bytes`.
 */
export function decodeNameValuePairs(bytes: Buffer, upperCaseNames = false): NameValuePair[] {
  const list = decodeNameValueList(bytes, upperCaseNames);
  const pairs: NameValuePair[] = [];
  for (let index = 0; index < list.length; index += 2) pairs.push([list[index]!, list[index + 1]!]);
  return pairs;
}

/**
 * The same as {@link decodeNameValuePairs}, as one flat list `[name, value, name, value, …]`: no
 * array per pair, for PARAMS on the path of every request.
 * @throws ProtocolError when a length runs past the end of `bytes`.
 */
export function decodeNameValueList(bytes: Buffer, upperCaseNames = false): string[] {
  const list: string[] = [];
  // One string for the whole stream, every name and value a slice of it: a request's twenty-odd
  // params cost one native call instead of forty. Names are latin1; values are UTF-8, the same
  // bytes when all are ASCII, and then the names are upper-cased in one call too.
  const text = bytes.toString('latin1');
  const ascii = isAscii(bytes);
  const names = upperCaseNames && ascii ? text.toUpperCase() : text;
  let offset = 0;
  while (offset < bytes.length) {
    const nameLength = readLength(bytes, offset);
    offset += lengthSize(bytes, offset);
    if (offset >= bytes.length) throw new ProtocolError('a name-value pair ends after its name length');
    const valueLength = readLength(bytes, offset);
    offset += lengthSize(bytes, offset);
    const nameEnd = offset + nameLength;
    const valueEnd = nameEnd + valueLength;
    if (valueEnd > bytes.length) throw new ProtocolError(`a name-value pair claims ${valueEnd - offset} bytes but ${bytes.length - offset} remain`);
    // Past ASCII, upper-casing may change a name's length ('ß' → 'SS'): each name on its own.
    const name = upperCaseNames && !ascii ? text.slice(offset, nameEnd).toUpperCase() : names.slice(offset, nameEnd);
    list.push(name, ascii ? text.slice(nameEnd, valueEnd) : (bytes as Buffer & Utf8Slicing).utf8Slice(nameEnd, valueEnd));
    offset = valueEnd;
  }
  return list;
}

/** FastCGI §3.4: a length below 128 takes one byte; a first byte with the top bit set starts four. */
function lengthSize(bytes: Buffer, offset: number): 1 | 4 {
  return bytes[offset]! < 0x80 ? 1 : 4;
}

function readLength(bytes: Buffer, offset: number): number {
  if (bytes[offset]! < 0x80) return bytes[offset]!;
  if (offset + 4 > bytes.length) throw new ProtocolError('a four-byte name-value length is cut off');
  return bytes.readUInt32BE(offset) & 0x7fffffff;
}

/** Encodes pairs, each length in 1 byte below 128 and in 4 bytes from 128 on (FastCGI §3.4). */
export function encodeNameValuePairs(pairs: Iterable<readonly [string, string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of pairs) {
    const nameBytes = Buffer.from(name, 'latin1');
    const valueBytes = Buffer.from(value, 'utf8');
    parts.push(encodeLength(nameBytes.length), encodeLength(valueBytes.length), nameBytes, valueBytes);
  }
  return Buffer.concat(parts);
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.of(length);
  const bytes = Buffer.allocUnsafe(4);
  bytes.writeUInt32BE((length | 0x80000000) >>> 0);
  return bytes;
}
