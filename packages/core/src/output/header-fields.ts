// The response header as an ordered list of fields, with names matched case-insensitively.
import { reasonPhrase } from '../lazy.js';
import { InvalidHeaderError } from '../errors.js';
import { parseStatus } from './response-head.js';

/** One header field line: name and value, in the order they go out. */
export type HeaderField = readonly [name: string, value: string];

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Obsolete line folding is gone (RFC 9112 §5.2): a CR, LF or NUL would split the response.
/**
 * What RFC 9110 §5.5 does not allow in a field value: control characters (CR, LF and NUL would
 * split the response), and characters beyond U+00FF, which no byte encodes (node:http refuses
 * them; a FastCGI or CGI head would mangle them).
 */
const FORBIDDEN_IN_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * @throws InvalidHeaderError when `name` is not a token or `value` holds a control character
 *   (CR, LF, NUL…) or one beyond U+00FF;
 *   RangeError for a `Status` field that does not start with a code from 100 to 599.
 */
export function checkHeaderField(name: string, value: string): void {
  if (!TOKEN.test(name)) throw new InvalidHeaderError(`invalid header name "${name}"`);
  if (FORBIDDEN_IN_VALUE.test(value)) {
    throw new InvalidHeaderError(`header "${name}" has a value with a character HTTP does not allow (a control character such as CR, LF or NUL, or one beyond U+00FF): ${JSON.stringify(value)}`);
  }
  if (name.length === 6 && name.toLowerCase() === 'status') parseStatus(value);
}

/** The value of a CGI `Status` field for `status`: code and reason phrase (RFC 3875 §6.3.3). */
export function statusLine(status: number): string {
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new RangeError(`http status must be an integer from 100 to 599, got ${status}`);
  }
  return `${status} ${reasonPhrase(status) ?? 'Unknown'}`;
}
