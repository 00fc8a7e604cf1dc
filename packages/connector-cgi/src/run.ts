// runCgi: one request from the process environment, stdin and stdout; a terminal runs it as a test.
import { RequestAbortedError } from '@netcgi/core';
import { processRequest, runCommandLine, type App, type RunOptions } from '@netcgi/core/connector';
import { isCgiEnvironment, readCgiEnvironment } from './environment.js';
import { limitedBody } from './stdin-body.js';
import { StdoutOutput } from './stdout-output.js';
import { abortOnEndingSignals } from './termination.js';

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
  let stdinOpened = false;
  const body = limitedBody(() => { stdinOpened = true; return process.stdin; }, contentLength);
  const controller = new AbortController();
  const reason = (): RequestAbortedError => new RequestAbortedError('the web server ended the CGI program (the client went away, or a time-out)');
  // An abort destroys it with its reason; unread, that must not be an uncaught error.
  body.on('error', () => {});
  const termination = abortOnEndingSignals(controller, reason);
  controller.signal.addEventListener('abort', () => body.destroy(reason()), { once: true });
  try {
    await processRequest(app, {
      variables,
      body,
      output: new StdoutOutput(),
      logError: (line) => process.stderr.write(`${line}\n`),
      signal: controller.signal,
      // The pipeline removes the temp files at once, whatever the app does.
      onAbort: (listener) => {
        if (controller.signal.aborted) listener();
        else controller.signal.addEventListener('abort', listener, { once: true });
      },
    }, options);
  } finally {
    termination.stop();
    body.destroy();
    // An open stdin would keep the process alive after the response.
    if (stdinOpened) process.stdin.destroy();
  }
  // The temp files are gone (the pipeline removed them): now end as the signal asked.
  termination.exitIfSignalled();
}
