// A CGI response read as a web server would turn it into an HTTP response (RFC 3875 §6).
import { parse as parseCookieHeader } from 'cookie';
import { parseCgiResponse as splitCgiResponse, type ResponseHead } from '@netcgi/core/connector';

/** A response, as the client of a web server would see it. */
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
  const { head, body } = splitCgiResponse(raw);
  return parsedResponse(head, body);
}

/** The response of a head and a body. */
export function parsedResponse(head: ResponseHead, body: Buffer): ParsedResponse {
  const headers = new Headers();
  for (const [name, value] of head.fields) headers.append(name, value);
  const cookies: Record<string, string> = {};
  for (const line of headers.getSetCookie()) {
    const pair = line.split(';', 1)[0]!;
    for (const [name, value] of Object.entries(parseCookieHeader(pair))) if (value !== undefined) cookies[name] = value;
  }
  return { status: head.status, headers, cookies, body };
}
