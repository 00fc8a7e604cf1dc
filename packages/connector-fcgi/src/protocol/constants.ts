// The numbers of the FastCGI 1.0 specification (§8, "Types and constants"), in the spec's words.

/** FastCGI §3.3: the only protocol version. */
export const VERSION_1 = 1;

/** FastCGI §3.3: every record starts with this many header bytes. */
export const HEADER_LENGTH = 8;

/** FastCGI §3.3: contentLength is 16 bits. */
export const MAX_CONTENT_LENGTH = 0xffff;

/** The request id of management records (FastCGI §3.3). */
export const NULL_REQUEST_ID = 0;

/** FastCGI §8: record types. */
export const RecordType = {
  BeginRequest: 1,
  AbortRequest: 2,
  EndRequest: 3,
  Params: 4,
  Stdin: 5,
  Stdout: 6,
  Stderr: 7,
  Data: 8,
  GetValues: 9,
  GetValuesResult: 10,
  UnknownType: 11,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/** FastCGI §5.1: the role in FCGI_BeginRequestBody. */
export const Role = {
  Responder: 1,
  Authorizer: 2,
  Filter: 3,
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/** FastCGI §5.1: the flags bit of FCGI_BeginRequestBody. */
export const BeginRequestFlag = {
  KeepConnection: 1,
} as const;

/** FastCGI §5.5: protocolStatus of FCGI_EndRequestBody. */
export const ProtocolStatus = {
  RequestComplete: 0,
  CantMultiplexConnection: 1,
  Overloaded: 2,
  UnknownRole: 3,
} as const;
export type ProtocolStatus = (typeof ProtocolStatus)[keyof typeof ProtocolStatus];

/** FastCGI §4.1: the variables FCGI_GET_VALUES may ask for. */
export const ValueName = {
  MaxConnections: 'FCGI_MAX_CONNS',
  MaxRequests: 'FCGI_MAX_REQS',
  MultiplexesConnections: 'FCGI_MPXS_CONNS',
} as const;
