// Prints the plain closing line CI reads ("tests: N passed, N failed, N skipped") after vitest's own.
// Every failure counts: failed tests, errors of a test file or suite outside any test (a beforeAll
// that cannot start a web server leaves its tests "skipped"), and unhandled errors of the run.
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError> = []): void {
    process.stdout.write(`\n${summaryLine(testModules, unhandledErrors.length)}\n`);
  }
}

/** The closing line for these modules, with `unhandledErrors` counted as failures. */
export function summaryLine(testModules: ReadonlyArray<TestModule>, unhandledErrors: number): string {
  let passed = 0;
  let failed = unhandledErrors;
  let skipped = 0;
  for (const testModule of testModules) {
    for (const test of testModule.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') passed++;
      else if (state === 'failed') failed++;
      else skipped++;
    }
    // Set-up failures: errors of the file itself, or of a suite's hooks, belong to no test.
    let setupErrors = testModule.errors().length;
    for (const suite of testModule.children.allSuites()) setupErrors += suite.errors().length;
    // A file that failed with no error recorded anywhere (e.g. it could not be imported) still counts.
    if (setupErrors === 0 && testModule.state() === 'failed' && !hasFailedTest(testModule)) setupErrors = 1;
    failed += setupErrors;
  }
  return `tests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
}

function hasFailedTest(testModule: TestModule): boolean {
  for (const test of testModule.children.allTests()) if (test.result().state === 'failed') return true;
  return false;
}
