// Parses a CGI response (header lines, blank line, body) as a web server would (RFC 3875 §6).
import { parse as parseCookieHeader } from 'cookie';

/** A CGI response, as a web server would turn it into an HTTP response. */
export interface ParsedResponse {
  /** From `Status`; 302 for a `Location` without one; else 200. */
  readonly status: number;
  /** The header fields but `Status`; `getSetCookie()` lists every `Set-Cookie`. */
  readonly headers: Headers;
  /** Cookie name to value, from the `Set-Cookie` fields. */
  readonly cookies: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * Splits `raw` at the first empty line and reads the header lines (CRLF or LF).
 * @throws Error when there is no end of header or a line is not `Name: value`.
 */
export function parseCgiResponse(raw: Buffer): ParsedResponse {
  const { headerEnd, bodyStart } = findHeaderEnd(raw);
  const headers = new Headers();
  let status: number | undefined;
  for (const line of raw.subarray(0, headerEnd).toString('latin1').split(/\r?\n/)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed CGI header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else headers.append(name, value);
  }
  status ??= headers.has('location') ? 302 : 200;
  const cookies: Record<string, string> = {};
  for (const line of headers.getSetCookie()) {
    const pair = line.split(';', 1)[0]!;
    for (const [name, value] of Object.entries(parseCookieHeader(pair))) if (value !== undefined) cookies[name] = value;
  }
  return { status, headers, cookies, body: raw.subarray(bodyStart) };
}

function findHeaderEnd(raw: Buffer): { headerEnd: number; bodyStart: number } {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf === -1 && lf === -1) throw new Error('the CGI response has no end of header (an empty line)');
  if (lf === -1 || (crlf !== -1 && crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  return { headerEnd: lf, bodyStart: lf + 2 };
}
