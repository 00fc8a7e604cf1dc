// The conformance cases as a vitest suite: one test per case, a skip only with a written reason.
import { describe, it } from 'vitest';
import { conformanceCases, type ConformanceDriver } from './cases.js';

/** Options of {@link describeConformance}. */
export interface ConformanceSuiteOptions {
  /** Case name to the reason it cannot pass through this connector. */
  readonly skip?: Readonly<Record<string, string>>;
  /** Per-test timeout in milliseconds. */
  readonly timeout?: number;
}

/**
 * Declares the conformance suite for one connector.
 * @throws Error when `skip` names a case that does not exist or gives no reason.
 */
export function describeConformance(name: string, driver: ConformanceDriver, options: ConformanceSuiteOptions = {}): void {
  const skip = options.skip ?? {};
  for (const [caseName, reason] of Object.entries(skip)) {
    if (!conformanceCases.some((conformanceCase) => conformanceCase.name === caseName)) throw new Error(`no conformance case "${caseName}" to skip`);
    if (reason.trim() === '') throw new Error(`skipping "${caseName}" needs a reason`);
  }
  describe(name, () => {
    for (const conformanceCase of conformanceCases) {
      const reason = skip[conformanceCase.name];
      if (reason !== undefined) {
        it.skip(`${conformanceCase.name} (skipped: ${reason})`, () => {});
        continue;
      }
      it(conformanceCase.name, async () => conformanceCase.check(await driver(conformanceCase.request)), options.timeout);
    }
  });
}
