// At most so many connection-level log lines a second: a peer that sends garbage on every
// connection (a scanner, a fuzzer) must not turn the error log into its echo.

/** Lines a second written as they come; the rest are counted and summed up in one line. */
const LINES_PER_SECOND = 20;

export class LogThrottle {
  readonly #write: (line: string) => void;
  #windowStart = 0;
  #written = 0;
  #suppressed = 0;
  #summary: NodeJS.Timeout | undefined;

  constructor(write: (line: string) => void) {
    this.#write = write;
  }

  log(line: string, now = Date.now()): void {
    if (now - this.#windowStart >= 1000) {
      this.#flushSuppressed();
      this.#windowStart = now;
      this.#written = 0;
    }
    if (this.#written < LINES_PER_SECOND) {
      this.#written++;
      this.#write(line);
      return;
    }
    this.#suppressed++;
    // The summary comes when the second is over even if nothing else is logged after.
    this.#summary ??= setTimeout(() => {
      this.#summary = undefined;
      this.#flushSuppressed();
    }, 1000 - (now - this.#windowStart)).unref();
  }

  #flushSuppressed(): void {
    if (this.#suppressed === 0) return;
    this.#write(`${this.#suppressed} more connection-level line${this.#suppressed === 1 ? '' : 's'} suppressed (more than ${LINES_PER_SECOND} a second)`);
    this.#suppressed = 0;
  }
}
