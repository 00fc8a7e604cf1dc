// runCgi: one request from the process environment, stdin and stdout; a terminal runs it as a test.
import type { Readable } from 'node:stream';
import { RequestAbortedError } from '@netcgi/core';
import { processRequest, runCommandLine, type App, type ConnectorRequest, type RunOptions } from '@netcgi/core/connector';
import { isCgiEnvironment, readCgiEnvironment } from './environment.js';
import { StdinBody } from './stdin-body.js';
import { StdoutOutput } from './stdout-output.js';
import { BROKEN_PIPE_STATUS, endRequestEarly } from './termination.js';

/** Options of {@link runCgi}: the core's. */
export type CgiOptions = RunOptions;

/** True when this process runs as a CGI program (GATEWAY_INTERFACE and REQUEST_METHOD are set). */
export function isCgi(): boolean {
  return isCgiEnvironment(process.env);
}

/**
 * Runs `app` for the request in the process environment and resolves when the response is
 * flushed to stdout; the exit status is left to the process (0 unless something failed). Outside
 * CGI (a terminal) it runs the app on a request built from the command line, as `netcgi-test`
 * does: `node app.js -post name=value`.
 * @throws what the app threw, only when `config.defaultErrorHandler` is false.
 */
export async function runCgi(app: App, options: CgiOptions = {}): Promise<void> {
  if (!isCgi()) {
    process.exitCode = await runCommandLine(app, process.argv.slice(2), options);
    return;
  }
  const { variables, contentLength } = readCgiEnvironment(process.env);
  // httpoxy: a client's `Proxy:` request header arrives as HTTP_PROXY, which HTTP clients in the
  // app would take as their proxy. The app still sees it as the request header `proxy`.
  delete process.env['HTTP_PROXY'];
  const body = new StdinBody(contentLength);
  const controller = new AbortController();
  const logError = (line: string): void => { process.stderr.write(`${line}\n`); };
  const reason = (): RequestAbortedError => new RequestAbortedError('the web server ended the CGI program (the client went away, or a time-out)');
  const ending = endRequestEarly(controller, reason, logError);
  const output = new StdoutOutput(1, undefined, (failure) => {
    logError(`the request is aborted: ${failure.message}`);
    ending.abort(BROKEN_PIPE_STATUS, failure);
  });
  controller.signal.addEventListener('abort', () => {
    body.abort(controller.signal.reason as Error);
    output.abort(controller.signal.reason as Error);
  }, { once: true });
  let running = true;
  // Node ends a process whose every handle is gone with status 13 while an app still awaits: say
  // why. (After an abort, a timer holds the process and its exit says why itself.)
  const onExit = (status: number): void => {
    if (running && !controller.signal.aborted) logError(`the process exits (status ${status}) while the request is still running: the app awaits something nothing will settle`);
  };
  process.once('exit', onExit);
  try {
    await processRequest(app, new CgiRequest(variables, body, output, logError, controller.signal), options);
  } finally {
    running = false;
    process.off('exit', onExit);
    ending.stop();
    body.close();
  }
  // The temp files are gone (the pipeline removed them): now end as the signal asked.
  ending.exitIfAborted();
}

/**
 * The program's one request as the pipeline reads it. A class, as docs/architecture.md's connector
 * contract asks; its body stream is made on first read (a GET reads none).
 */
class CgiRequest implements ConnectorRequest {
  readonly #body: StdinBody;

  constructor(
    readonly variables: ConnectorRequest['variables'],
    body: StdinBody,
    readonly output: StdoutOutput,
    readonly logError: (line: string) => void,
    readonly signal: AbortSignal,
  ) {
    this.#body = body;
  }

  get body(): Readable {
    return this.#body.stream();
  }

  /** The pipeline removes the temp files at once, whatever the app does. */
  onAbort(listener: () => void): void {
    if (this.signal.aborted) listener();
    else this.signal.addEventListener('abort', listener, { once: true });
  }
}
