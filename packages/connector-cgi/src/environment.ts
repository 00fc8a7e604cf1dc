// The CGI request in a process environment (RFC 3875 §4.1), read without touching the process.

/** What a CGI program's environment says of its request. */
export interface CgiEnvironment {
  /** Every environment variable, as the core's variables (`HTTP_*` become request headers). */
  readonly variables: (readonly [string, string])[];
  /**
   * CONTENT_LENGTH, or undefined when the server sent none (a chunked upload under Apache) or sent
   * something that is not a length (the pipeline answers that with a 400 before reading a byte).
   */
  readonly contentLength: number | undefined;
}

/**
 * True when the environment is that of a CGI request: the web server sets GATEWAY_INTERFACE
 * (`CGI/1.1`, RFC 3875 §4.1.4) and REQUEST_METHOD. Netcgi asked for nine variables; servers differ
 * in the optional ones (SERVER_SOFTWARE, REMOTE_ADDR), these two are the ones every server sets.
 */
export function isCgiEnvironment(env: NodeJS.ProcessEnv): boolean {
  return (env['GATEWAY_INTERFACE'] ?? '').toUpperCase().startsWith('CGI/') && env['REQUEST_METHOD'] !== undefined;
}

/**
 * The request's variables: the whole environment, as Netcgi took it (servers add useful ones
 * beyond RFC 3875: REQUEST_URI, HTTPS, SCRIPT_FILENAME, DOCUMENT_ROOT).
 */
export function readCgiEnvironment(env: NodeJS.ProcessEnv): CgiEnvironment {
  const variables: (readonly [string, string])[] = [];
  for (const [name, value] of Object.entries(env)) if (value !== undefined) variables.push([name, value]);
  const length = env['CONTENT_LENGTH'] ?? '';
  return { variables, contentLength: /^\d{1,15}$/.test(length) ? Number(length) : undefined };
}
