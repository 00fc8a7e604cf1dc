// Turning what a request threw into a response: an error page, an early end, or a logged cut-off.
import type { Environment } from './environment.js';
import { renderErrorPage } from './error-page.js';
import { HttpError, RequestAbortedError } from './errors.js';
import { statusLine, type HeaderField } from './output/header-fields.js';
import type { OutChannel } from './output/output-channel.js';
import type { ResponseOutput } from './output/response-output.js';
import { fieldsOf } from './output/response-header.js';

/** How a request ended, for the connector. */
export type RequestOutcome =
  /** The whole response went out (an error page counts). */
  | 'complete'
  /** An error came after the header went out: the response is truncated. */
  | 'cut-off'
  /** The web server aborted the request or went away. */
  | 'aborted';

/**
 * Answers for `error`. Before the header went out: drops uncommitted output and sends an error
 * page (4xx, 5xx) or an empty response with the status (below 400). After: logs the cut-off.
 * Any exception is a 500 whose page says nothing of it; the log has the stack.
 */
export async function respondToError(
  env: Environment,
  raw: ResponseOutput,
  out: OutChannel | undefined,
  error: unknown,
): Promise<RequestOutcome> {
  // Uncommitted output, and direct output still queued in the channel, must not follow the page.
  out?.destroy();
  if (error instanceof RequestAbortedError || !raw.writable) return 'aborted';
  const httpError = error instanceof HttpError ? error : undefined;
  const status = httpError?.status ?? 500;
  // A 4xx is the client's mistake, answered as such: an error log full of them would hide the
  // server's own failures (an access log shows them).
  if (status >= 500) env.logError(`${requestLine(env)}: ${describe(error)} (status ${status})`);
  if (env.headerSent) {
    env.logError(`${requestLine(env)}: the response was cut off: the error came after its header was sent`);
    return 'cut-off';
  }
  env.setOutputHeaderFields(errorHeader(status, httpError?.headers ?? {}));
  env.sendOutputHeader();
  if (status >= 400 && env.requestMethod !== 'HEAD') {
    const message = httpError?.message ?? 'The application failed. The error log says why.';
    await raw.write(renderErrorPage(status, message));
  }
  return 'complete';
}

function errorHeader(status: number, extra: HttpError['headers']): HeaderField[] {
  const fields: HeaderField[] = [['Status', statusLine(status)]];
  if (status >= 400) fields.push(['Content-Type', 'text/html; charset=utf-8'], ['Cache-Control', 'no-store']);
  return [...fields, ...fieldsOf(extra)];
}

function describe(error: unknown): string {
  if (error instanceof HttpError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : `non-error thrown: ${String(error)}`;
}

/** `METHOD /script/path` for log lines, so that an operator knows which request failed. */
export function requestLine(env: Environment): string {
  return `${env.requestMethod || '(no method)'} ${`${env.scriptName}${env.pathInfo}` || '/'}`;
}
