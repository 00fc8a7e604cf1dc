// A CGI program's request ends early when its web server gives up on it: the client went away,
// or a time-out. The web server says so with a signal (lighttpd and Apache send SIGTERM).

/** The signals a web server ends a CGI program with. */
const ENDING_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/** How long an app that ignores its aborted signal may take to clean up before the process exits anyway. */
export const GRACE_MS = 2000;

/**
 * Until `stop()`: an ending signal aborts `controller` (so the app's `cgi.signal` and its body
 * reads fail with `reason`, and the pipeline removes the request's temp files as it ends), and
 * the process exits with 128 + the signal's number once the request is over, or after
 * {@link GRACE_MS} if the app does not end.
 */
export function abortOnEndingSignals(controller: AbortController, reason: () => Error): { stop(): void; exitIfSignalled(): void } {
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) return;
    received = signal;
    controller.abort(reason());
    setTimeout(() => process.exit(exitStatus(signal)), GRACE_MS).unref();
  };
  for (const signal of ENDING_SIGNALS) process.on(signal, onSignal);
  return {
    stop() {
      for (const signal of ENDING_SIGNALS) process.off(signal, onSignal);
    },
    exitIfSignalled() {
      if (received !== undefined) process.exit(exitStatus(received));
    },
  };
}

function exitStatus(signal: NodeJS.Signals): number {
  return 128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as Record<string, number>)[signal]!;
}
