// The response head as connectors receive it, and its CGI text form both ways (RFC 3875 §6).
import { reasonPhrase } from '../lazy.js';
import type { HeaderField } from './header-fields.js';

/** What a connector sends before the body: a status and the header fields. */
export interface ResponseHead {
  /** The HTTP status: the app's `Status`, else 302 with a `Location`, else 200 (RFC 3875 §6.3). */
  readonly status: number;
  /** The reason phrase: the app's, else the standard one (`Unknown` for a code without one). */
  readonly statusText: string;
  /** Every header field but `Status`, in order; `Set-Cookie` fields stay apart. */
  readonly fields: readonly HeaderField[];
  /**
   * RFC 3875 §6.2.2, a local redirect: the app set a `Location` that is a path and no status, so a
   * CGI web server answers with that resource instead. A connector without a web server behind it
   * sends the 302 and `Location` as they are.
   */
  readonly localRedirect: boolean;
}

/**
 * The head of a response whose header fields are `fields` (a `Status` field among them, as
 * Netcgi keeps it). @throws RangeError when a `Status` field does not start with a code 100–599.
 */
export function responseHead(fields: readonly HeaderField[]): ResponseHead {
  let statusField: string | undefined;
  let location: string | undefined;
  let withoutStatus: HeaderField[] | undefined;
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index]!;
    const lower = field[0].length === 6 || field[0].length === 8 ? field[0].toLowerCase() : '';
    if (lower === 'status') {
      statusField ??= field[1];
      withoutStatus ??= fields.slice(0, index);
      continue;
    }
    if (lower === 'location') location ??= field[1];
    withoutStatus?.push(field);
  }
  if (statusField === undefined) {
    const status = location === undefined ? 200 : 302;
    return { status, statusText: reasonPhrase(status)!, fields, localRedirect: location?.startsWith('/') === true && !location.startsWith('//') };
  }
  const { status, statusText } = parseStatus(statusField);
  return { status, statusText, fields: withoutStatus!, localRedirect: false };
}

/** `404 Not Found` → code and reason. @throws RangeError on a value without a code 100–599. */
export function parseStatus(value: string): { status: number; statusText: string } {
  const match = /^\s*(\d{3})(?:\s+(.*?))?\s*$/.exec(value);
  const status = match === null ? Number.NaN : Number(match[1]);
  if (!(status >= 100 && status <= 599)) throw new RangeError(`a Status field must start with a code from 100 to 599, got ${JSON.stringify(value)}`);
  return { status, statusText: match![2] || (reasonPhrase(status) ?? 'Unknown') };
}

/**
 * The CGI response header block of `head` (RFC 3875 §6.3): `Status` first, the fields, an empty
 * line. `Status` is left out where the web server's default is the same (`200 OK` without a
 * `Location`), and for a local redirect, which the web server makes only when there is none.
 */
export function serializeCgiHead(head: ResponseHead): string {
  let block = '';
  let location = false;
  for (const [name, value] of head.fields) {
    block += `${name}: ${value}\r\n`;
    if (name.length === 8 && name.toLowerCase() === 'location') location = true;
  }
  const statusImplied = head.localRedirect || (head.status === 200 && head.statusText === 'OK' && !location);
  return statusImplied ? `${block}\r\n` : `Status: ${head.status} ${head.statusText}\r\n${block}\r\n`;
}

/**
 * Splits a CGI response (header lines ended by CRLF or LF, an empty line, the body) as a web
 * server reads it.
 * @throws Error when there is no empty line or a line is not `Name: value`; RangeError on a bad `Status`.
 */
export function parseCgiResponse(raw: Buffer): { head: ResponseHead; body: Buffer } {
  const { headerEnd, bodyStart } = findHeaderEnd(raw);
  const fields: HeaderField[] = [];
  for (const line of raw.subarray(0, headerEnd).toString('latin1').split(/\r?\n/)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed CGI header line: ${JSON.stringify(line)}`);
    fields.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { head: responseHead(fields), body: raw.subarray(bodyStart) };
}

function findHeaderEnd(raw: Buffer): { headerEnd: number; bodyStart: number } {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf === -1 && lf === -1) throw new Error('the CGI response has no end of header (an empty line)');
  if (lf === -1 || (crlf !== -1 && crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  return { headerEnd: lf, bodyStart: lf + 2 };
}
