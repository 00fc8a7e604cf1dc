// @netcgi/connector-fcgi/protocol: the pure FastCGI 1.0 codec (no sockets, no streams).
export * from './constants.js';
export { encodeRecord, encodeStream, paddingLength, writeHeader, MAX_STREAM_CHUNK, type FcgiRecord } from './record.js';
export { RecordDecoder } from './record-decoder.js';
export { decodeNameValueList, decodeNameValuePairs, encodeNameValuePairs, type NameValuePair } from './name-value-pairs.js';
export { decodeBeginRequestBody, encodeBeginRequestBody, encodeEndRequest, encodeResponseEnd, encodeUnknownType, type BeginRequestBody, type LastContent } from './bodies.js';
export { ProtocolError } from './protocol-error.js';
