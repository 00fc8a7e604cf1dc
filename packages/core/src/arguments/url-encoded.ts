// Arguments of a query string or an application/x-www-form-urlencoded body.
import { HttpError } from '../errors.js';
import type { Argument } from './argument.js';
import { checkArgumentName, storeValue, type ArgumentContext } from './argument-store.js';

/**
 * Parses `name=value&…` with the WHATWG urlencoded parser (lenient: `a&b=1` is `a=""`, `b="1"`;
 * bad `%` escapes stay as they are; `+` is a space; bytes are UTF-8). Netcgi answered 500 instead.
 * @throws HttpError 413 when there are too many arguments or a name is too long.
 */
export function parseUrlEncoded(context: ArgumentContext, text: string): Argument[] {
  const argumentList: Argument[] = [];
  if (text === '') return argumentList;
  for (const [name, value] of new URLSearchParams(text)) {
    checkArgumentName(context, name);
    const argument = storeValue(context, { name }, value);
    if (argument !== undefined) argumentList.push(argument);
  }
  return argumentList;
}

/** The arguments of QUERY_STRING. @throws HttpError 414 when it is longer than `maxUrlencodedSize`. */
export function parseQueryString(context: ArgumentContext, queryString: string): Argument[] {
  if (queryString.length > context.env.config.maxUrlencodedSize) {
    throw new HttpError(414, `the query string is longer than ${context.env.config.maxUrlencodedSize} bytes`);
  }
  return parseUrlEncoded(context, queryString);
}
