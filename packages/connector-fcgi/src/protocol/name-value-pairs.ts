// Name-value pairs (FastCGI §3.4): PARAMS and GET_VALUES content, with 1- and 4-byte lengths.
import { ProtocolError } from './protocol-error.js';

/** A name and its value, as strings (names are ASCII; values are decoded as UTF-8). */
export type NameValuePair = readonly [name: string, value: string];

/**
 * Buffer's own decoders, which `toString(encoding, start, end)` reaches through three layers of
 * argument checks: a request's twenty-odd params made those layers a fifth of a hello request's
 * JavaScript time. Undocumented, but on Buffer.prototype since Node 0.x (undici uses them too).
 */
interface SliceDecoding {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/**
 * Decodes a complete name-value pair stream. With `upperCaseNames`, names come upper-cased (CGI
 * meta-variable names are case-insensitive, RFC 3875 §4.1; the seed upper-cases PARAMS names).
 * @throws ProtocolError when a length runs past the end of `bytes`.
 */
export function decodeNameValuePairs(bytes: Buffer, upperCaseNames = false): NameValuePair[] {
  const pairs: NameValuePair[] = [];
  const decoding = bytes as Buffer & SliceDecoding;
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
    pairs.push([internedName(decoding, offset, nameEnd, upperCaseNames), decoding.utf8Slice(nameEnd, valueEnd)]);
    offset = valueEnd;
  }
  return pairs;
}

// Every request brings the same few dozen names. Handing out one string per name saves making it
// (and upper-casing it) and, as a string keeps its hash, rehashing it in every Map it goes into.
// Bounded: a client chooses its header names.
interface InternedName {
  readonly name: string;
  readonly upperCase: string;
}
const internedNames = new Map<number, InternedName[]>();
let internedNameCount = 0;
const MAX_INTERNED_NAMES = 1024;
const MAX_INTERNED_NAME_LENGTH = 64;

/** The name in `bytes[start, end)` as latin1, the same string each time it comes. */
function internedName(bytes: Buffer & SliceDecoding, start: number, end: number, upperCase: boolean): string {
  const length = end - start;
  if (length === 0 || length > MAX_INTERNED_NAME_LENGTH) return caseOf(bytes.latin1Slice(start, end), upperCase);
  const key = (length << 16) | (bytes[start]! << 8) | bytes[end - 1]!;
  const candidates = internedNames.get(key);
  if (candidates !== undefined) {
    for (const candidate of candidates) {
      if (sameLatin1(candidate.name, bytes, start)) return upperCase ? candidate.upperCase : candidate.name;
    }
  }
  const name = bytes.latin1Slice(start, end);
  const interned = { name, upperCase: name.toUpperCase() };
  if (internedNameCount < MAX_INTERNED_NAMES) {
    internedNameCount++;
    if (candidates === undefined) internedNames.set(key, [interned]);
    else candidates.push(interned);
  }
  return upperCase ? interned.upperCase : name;
}

function caseOf(name: string, upperCase: boolean): string {
  return upperCase ? name.toUpperCase() : name;
}

function sameLatin1(text: string, bytes: Buffer, start: number): boolean {
  for (let index = 1; index < text.length - 1; index++) {
    if (text.charCodeAt(index) !== bytes[start + index]) return false;
  }
  return true;
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
