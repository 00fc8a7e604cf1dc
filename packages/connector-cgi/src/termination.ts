// A CGI program's request ends early when its web server gives up on it: the client went away,
// or a time-out. The web server says so with a signal (lighttpd and Apache send SIGTERM) or by
// closing the pipe the response goes to (EPIPE).

/** The signals a web server ends a CGI program with. */
const ENDING_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/** How long an app that ignores its aborted signal may take to clean up before the process exits anyway. */
export const GRACE_MS = 2000;

/** The exit status of a request whose response pipe was closed: what SIGPIPE's default action gives (128 + 13). */
export const BROKEN_PIPE_STATUS = 141;

export interface RequestEnding {
  /** Aborts the request (once): `controller` with `reason`; the process is to exit with `status`. */
  abort(status: number, reason: Error): void;
  /** Stops listening for the signals (the request is over). */
  stop(): void;
  /** Exits with the abort's status if the request was aborted. */
  exitIfAborted(): void;
}

/**
 * Until `stop()`: an ending signal, or `abort()`, aborts `controller` (so the app's `cgi.signal`
 * and its body reads fail with the reason, and the pipeline removes the request's temp files at
 * once), and the process exits with the given status once the request is over, or after
 * {@link GRACE_MS} if the app does not end. That timer holds the process: an app stuck on a
 * promise nothing settles (a `drain` that will not come) would otherwise end with Node's exit
 * status 13 and no word.
 */
export function endRequestEarly(controller: AbortController, signalReason: () => Error, logError: (line: string) => void): RequestEnding {
  let status: number | undefined;
  const abort = (exitStatus: number, reason: Error): void => {
    if (status !== undefined) return;
    status = exitStatus;
    controller.abort(reason);
    setTimeout(() => {
      logError(`the app did not end within ${GRACE_MS} ms of its abort (${reason.message}); exiting with status ${exitStatus}`);
      process.exit(exitStatus);
    }, GRACE_MS);
  };
  const onSignal = (signal: NodeJS.Signals): void => abort(signalStatus(signal), signalReason());
  for (const signal of ENDING_SIGNALS) process.on(signal, onSignal);
  return {
    abort,
    stop() {
      for (const signal of ENDING_SIGNALS) process.off(signal, onSignal);
    },
    exitIfAborted() {
      if (status !== undefined) process.exit(status);
    },
  };
}

function signalStatus(signal: NodeJS.Signals): number {
  return 128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as Record<string, number>)[signal]!;
}
