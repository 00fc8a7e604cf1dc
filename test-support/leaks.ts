// What a request may leave behind in the test's own process: descriptors, timers, request slots,
// temp files. A fault test takes a baseline, injects its fault, then expects all of it back.
import { readdirSync } from 'node:fs';

export interface ProcessResources {
  readonly descriptors: number;
  /** Active timers (setTimeout, setInterval, socket time-outs), by process.getActiveResourcesInfo. */
  readonly timers: number;
}

export function processResources(): ProcessResources {
  return {
    descriptors: readdirSync('/proc/self/fd').length,
    timers: process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length,
  };
}

export interface LeakCheck {
  /** Resolves once everything is back to the baseline; rejects with what is not, after `timeoutMs`. */
  settled(what: string, timeoutMs?: number): Promise<void>;
}

/**
 * Takes the baseline now. `activeRequests` is the server's slot count, `tempDirectory` the
 * directory its requests' temp files go to (empty at the baseline).
 */
export function leakCheck(activeRequests: () => number, tempDirectory: string): LeakCheck {
  const baseline = processResources();
  const leftOver = (): string[] => {
    const now = processResources();
    const problems: string[] = [];
    if (now.descriptors > baseline.descriptors) problems.push(`${now.descriptors - baseline.descriptors} descriptors more than before`);
    if (now.timers > baseline.timers) problems.push(`${now.timers - baseline.timers} timers more than before`);
    if (activeRequests() > 0) problems.push(`${activeRequests()} request slots held`);
    const files = readdirSync(tempDirectory);
    if (files.length > 0) problems.push(`temp files left: ${files.join(', ')}`);
    return problems;
  };
  return {
    async settled(what, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const problems = leftOver();
        if (problems.length === 0) return;
        if (Date.now() > deadline) throw new Error(`${what}: ${problems.join('; ')}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}
