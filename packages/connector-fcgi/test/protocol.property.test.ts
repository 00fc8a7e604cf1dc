// Property tests of the FastCGI codec (fast-check): any records, cut anywhere, come back whole;
// any name-value pairs round-trip; any bytes at all give records or a ProtocolError, nothing else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeNameValuePairs,
  encodeNameValuePairs,
  encodeRecord,
  ProtocolError,
  RecordDecoder,
  RecordType,
  type FcgiRecord,
} from '@netcgi/connector-fcgi/protocol';

/** `bytes` cut at `cuts` (offsets, any order), fed to a fresh decoder. */
function decodeInPieces(bytes: Buffer, cuts: number[]): { type: number; requestId: number; content: string }[] {
  const decoder = new RecordDecoder();
  const records: { type: number; requestId: number; content: string }[] = [];
  const onRecord = (record: FcgiRecord): void => { records.push({ type: record.type, requestId: record.requestId, content: Buffer.from(record.content).toString('hex') }); };
  const offsets = [...new Set([0, ...cuts.map((cut) => cut % (bytes.length + 1)), bytes.length])].sort((a, b) => a - b);
  for (let index = 1; index < offsets.length; index++) decoder.decode(bytes.subarray(offsets[index - 1], offsets[index]), onRecord);
  return records;
}

const recordArbitrary = fc.record({
  type: fc.constantFrom(RecordType.Params, RecordType.Stdin, RecordType.Stdout, RecordType.Stderr, RecordType.Data),
  requestId: fc.integer({ min: 1, max: 65535 }),
  content: fc.uint8Array({ maxLength: 3000 }),
});

describe('the record codec', () => {
  it('decodes any records, cut into any pieces, to what was encoded', () => {
    fc.assert(fc.property(fc.array(recordArbitrary, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (records, cuts) => {
      const bytes = Buffer.concat(records.map((record) => encodeRecord(record.type, record.requestId, record.content)));
      expect(decodeInPieces(bytes, cuts)).toEqual(records.map((record) => ({ type: record.type, requestId: record.requestId, content: Buffer.from(record.content).toString('hex') })));
    }), { numRuns: 300 });
  });

  it('gives records or a ProtocolError for any bytes, and nothing else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
      try {
        decodeInPieces(Buffer.from(bytes), cuts);
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolError);
      }
    }), { numRuns: 500 });
  });
});

describe('name-value pairs', () => {
  // Lengths past 127 bytes take the 4-byte form (FastCGI §3.4): both forms, both sides. Names are
  // ASCII (CGI meta-variable names, HTTP header names: the decoder reads them as latin1); values
  // are any UTF-8.
  const name = fc.oneof(fc.string({ minLength: 1, maxLength: 20, unit: 'binary-ascii' }), fc.string({ minLength: 120, maxLength: 300, unit: 'binary-ascii' }));
  const value = fc.oneof(fc.string({ maxLength: 20, unit: 'grapheme' }), fc.string({ minLength: 60, maxLength: 400, unit: 'grapheme' }));

  it('round-trip for any names and values, one-byte and four-byte lengths alike', () => {
    fc.assert(fc.property(fc.array(fc.tuple(name, value), { maxLength: 20 }), (pairs) => {
      expect(decodeNameValuePairs(encodeNameValuePairs(pairs))).toEqual(pairs);
    }), { numRuns: 300 });
  });

  it('decode any bytes to pairs or a ProtocolError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      try {
        decodeNameValuePairs(Buffer.from(bytes));
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolError);
      }
    }), { numRuns: 1000 });
  });
});
