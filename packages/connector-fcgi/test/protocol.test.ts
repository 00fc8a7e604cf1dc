// The pure codec against byte vectors derived from the FastCGI 1.0 spec, checked both ways.
import { describe, expect, it } from 'vitest';
import {
  decodeBeginRequestBody,
  decodeNameValueList,
  decodeNameValuePairs,
  encodeBeginRequestBody,
  encodeEndRequest,
  encodeNameValuePairs,
  encodeRecord,
  encodeResponseEnd,
  encodeStream,
  encodeUnknownType,
  MAX_STREAM_CHUNK,
  ProtocolError,
  ProtocolStatus,
  RecordDecoder,
  RecordType,
  Role,
  type FcgiRecord,
} from '@netcgi/connector-fcgi/protocol';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** Records: [type, id, content, the whole record's bytes]. §3.3: version, type, id (2), length (2), padding, reserved. */
const recordVectors: [string, RecordType, number, Buffer, Buffer][] = [
  ['empty STDOUT ends a stream', RecordType.Stdout, 1, hex(''), hex('01 06 0001 0000 00 00')],
  ['3 bytes padded to 8', RecordType.Stdout, 1, Buffer.from('abc'), hex('01 06 0001 0003 05 00  616263  0000000000')],
  ['8 bytes need no padding', RecordType.Stdin, 0x0102, Buffer.from('12345678'), hex('01 05 0102 0008 00 00  3132333435363738')],
  ['request id 65535', RecordType.Stderr, 0xffff, Buffer.from('e'), hex('01 07 ffff 0001 07 00  65 00000000000000')],
  ['management GET_VALUES_RESULT', RecordType.GetValuesResult, 0, hex('0e01') , hex('01 0a 0000 0002 06 00  0e01 000000000000')],
];

/** Name-value pairs (§3.4): lengths below 128 in one byte, from 128 in four with the top bit set. */
const pairVectors: [string, [string, string][], Buffer][] = [
  ['short name, short value', [['AB', 'xyz']], hex('02 03 4142 78797a')],
  ['empty value', [['Q', '']], hex('01 00 51')],
  ['value of 127 bytes: one-byte length', [['V', 'v'.repeat(127)]], Buffer.concat([hex('01 7f 56'), Buffer.from('v'.repeat(127))])],
  ['value of 128 bytes: four-byte length', [['V', 'v'.repeat(128)]], Buffer.concat([hex('01 80000080 56'), Buffer.from('v'.repeat(128))])],
  ['name of 200 bytes: four-byte length', [['N'.repeat(200), '1']], Buffer.concat([hex('800000c8 01'), Buffer.from('N'.repeat(200)), Buffer.from('1')])],
  ['two pairs', [['A', '1'], ['B', '22']], hex('01 01 41 31  01 02 42 3232')],
  ['UTF-8 value', [['U', 'é']], hex('01 02 55 c3a9')],
];

describe('records', () => {
  it.each(recordVectors)('%s: encodes to the exact bytes', (_name, type, id, content, bytes) => {
    expect(encodeRecord(type, id, content).toString('hex')).toBe(bytes.toString('hex'));
  });

  it.each(recordVectors)('%s: decodes from the bytes split at every offset', (_name, type, id, content, bytes) => {
    for (let split = 0; split <= bytes.length; split++) {
      const decoded = decodeAll([bytes.subarray(0, split), bytes.subarray(split)]);
      expect(decoded).toEqual([{ type, requestId: id, content }]);
    }
  });

  it('decodes a run of records fed one byte at a time', () => {
    const records = recordVectors.map(([, type, id, content]) => encodeRecord(type, id, content));
    const bytes = Buffer.concat(records);
    const decoded = decodeAll([...bytes].map((byte) => Buffer.of(byte)));
    expect(decoded.map((record) => [record.type, record.requestId, record.content.toString('hex')])).toEqual(
      recordVectors.map(([, type, id, content]) => [type, id, content.toString('hex')]),
    );
  });

  it('skips padding it did not ask for (255 bytes of it)', () => {
    const bytes = Buffer.concat([hex('01 05 0001 0002 ff 00 6869'), Buffer.alloc(255, 0xaa), encodeRecord(RecordType.Stdin, 1)]);
    expect(decodeAll([bytes]).map((record) => record.content.toString())).toEqual(['hi', '']);
  });

  it('rejects a version other than 1 with a ProtocolError', () => {
    expect(() => decodeAll([hex('02 01 0001 0008 00 00 0001010000000000')])).toThrow(ProtocolError);
  });

  it('refuses content over 65535 bytes and request ids over 65535', () => {
    expect(() => encodeRecord(RecordType.Stdout, 1, Buffer.alloc(65536))).toThrow(RangeError);
    expect(() => encodeRecord(RecordType.Stdout, 65536)).toThrow(RangeError);
  });

  it('knows when a peer stopped inside a record', () => {
    const decoder = new RecordDecoder();
    decoder.decode(hex('01 06 0001'), () => {});
    expect(decoder.hasPartialRecord).toBe(true);
  });
});

describe('streams', () => {
  it.each([0, 1, 7, 8, 4095, 4096, MAX_STREAM_CHUNK, MAX_STREAM_CHUNK + 1, 200_000])('%i bytes: records of at most %i bytes, padded, that decode back', (size) => {
    const data = Buffer.alloc(size, 0x61);
    const out: Buffer[] = [];
    encodeStream(RecordType.Stdout, 3, data, out);
    const bytes = Buffer.concat(out);
    expect(bytes.length % 8).toBe(0);
    const decoded = decodeAll([bytes]);
    expect(decoded.length).toBe(Math.ceil(size / MAX_STREAM_CHUNK));
    expect(decoded.every((record) => record.content.length <= MAX_STREAM_CHUNK && record.requestId === 3)).toBe(true);
    expect(Buffer.concat(decoded.map((record) => record.content)).equals(data)).toBe(true);
  });
});

describe('name-value pairs', () => {
  it.each(pairVectors)('%s: encodes to the exact bytes', (_name, pairs, bytes) => {
    expect(encodeNameValuePairs(pairs).toString('hex')).toBe(bytes.toString('hex'));
  });

  it.each(pairVectors)('%s: decodes from the bytes', (_name, pairs, bytes) => {
    expect(decodeNameValuePairs(bytes)).toEqual(pairs);
  });

  it('upper-cases names on request, ASCII or not, and leaves values alone', () => {
    const bytes = encodeNameValuePairs([['Request_Method', 'get'], ['HTTP_X_é', 'é'], ['N'.repeat(100), 'long']]);
    expect(decodeNameValuePairs(bytes, true)).toEqual([['REQUEST_METHOD', 'get'], ['HTTP_X_É', 'é'], ['N'.repeat(100), 'long']]);
    expect(decodeNameValuePairs(bytes)).toEqual([['Request_Method', 'get'], ['HTTP_X_é', 'é'], ['N'.repeat(100), 'long']]);
    // All ASCII (the names upper-cased in one call over the whole stream): values keep their case.
    const ascii = encodeNameValuePairs([['query_string', 'a=b'], ['Script_Name', '/Mixed/Case'], ['HTTP_HOST', 'Example.org']]);
    expect(decodeNameValueList(ascii, true)).toEqual(['QUERY_STRING', 'a=b', 'SCRIPT_NAME', '/Mixed/Case', 'HTTP_HOST', 'Example.org']);
    // Upper-casing that changes a name's length ('ß' → 'SS') does not shift the names after it.
    const latin1 = Buffer.concat([hex('06 01'), Buffer.from('straße', 'latin1'), Buffer.from('v'), encodeNameValuePairs([['next', 'w']])]);
    expect(decodeNameValueList(latin1, true)).toEqual(['STRASSE', 'v', 'NEXT', 'w']);
    // Names alike but for their middle bytes are told apart.
    const twins = encodeNameValuePairs([['HTTP_AB_X', '1'], ['HTTP_BA_X', '2'], ['HTTP_AB_X', '3']]);
    expect(decodeNameValuePairs(twins)).toEqual([['HTTP_AB_X', '1'], ['HTTP_BA_X', '2'], ['HTTP_AB_X', '3']]);
  });

  it.each([
    ['a name length with nothing after it', hex('05')],
    ['a value running past the end', hex('01 05 41 3132')],
    ['a four-byte length cut off', hex('01 80 00')],
    ['a name longer than the content', hex('80000100 00 41')],
  ])('rejects %s with a ProtocolError', (_name, bytes) => {
    expect(() => decodeNameValuePairs(bytes)).toThrow(ProtocolError);
  });
});

describe('bodies', () => {
  it('BEGIN_REQUEST: role, flags, five reserved bytes (§5.1)', () => {
    const bytes = hex('0003 01 0000000000');
    expect(encodeBeginRequestBody(Role.Filter, 1).toString('hex')).toBe(bytes.toString('hex'));
    expect(decodeBeginRequestBody(bytes)).toEqual({ role: Role.Filter, flags: 1 });
    expect(() => decodeBeginRequestBody(hex('0001 01'))).toThrow(ProtocolError);
  });

  it('END_REQUEST: appStatus in four bytes, protocolStatus, three reserved (§5.5)', () => {
    expect(encodeEndRequest(2, 0x01020304, ProtocolStatus.Overloaded).toString('hex')).toBe(hex('01 03 0002 0008 00 00  01020304 02 000000').toString('hex'));
  });

  it('the end of a response in one buffer: the last STDOUT content, the ends of STDERR and STDOUT, END_REQUEST', () => {
    const withContent = encodeResponseEnd(3, { stdout: ['Status: 200\r\n\r\n', Buffer.from('hé')], stdoutBytes: 18 }, true, 1, ProtocolStatus.RequestComplete);
    expect(withContent.toString('hex')).toBe(Buffer.concat([
      encodeRecord(RecordType.Stdout, 3, Buffer.from('Status: 200\r\n\r\nhé')), encodeRecord(RecordType.Stderr, 3), encodeRecord(RecordType.Stdout, 3),
      encodeEndRequest(3, 1, ProtocolStatus.RequestComplete),
    ]).toString('hex'));
    const empty = encodeResponseEnd(0xffff, { stdout: [], stdoutBytes: 0 }, false, 0, ProtocolStatus.RequestComplete);
    expect(empty.toString('hex')).toBe(Buffer.concat([encodeRecord(RecordType.Stdout, 0xffff), encodeEndRequest(0xffff, 0, ProtocolStatus.RequestComplete)]).toString('hex'));
    // The byte count must be the pieces' own (UTF-8), and fit one record.
    expect(() => encodeResponseEnd(1, { stdout: ['é'], stdoutBytes: 1 }, false, 0, ProtocolStatus.RequestComplete)).toThrow(RangeError);
    expect(() => encodeResponseEnd(1, { stdout: [], stdoutBytes: MAX_STREAM_CHUNK + 1 }, false, 0, ProtocolStatus.RequestComplete)).toThrow(RangeError);
  });

  it('UNKNOWN_TYPE: the type, seven reserved bytes, on request id 0 (§4.2)', () => {
    expect(encodeUnknownType(42).toString('hex')).toBe(hex('01 0b 0000 0008 00 00  2a 00000000000000').toString('hex'));
  });
});

function decodeAll(chunks: Buffer[]): FcgiRecord[] {
  const decoder = new RecordDecoder();
  const records: FcgiRecord[] = [];
  for (const chunk of chunks) decoder.decode(chunk, (record) => records.push({ ...record, content: Buffer.from(record.content) }));
  return records;
}
