// The closing line CI reads must count set-up failures, not only failed tests.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const vitest = join(here, '../../node_modules/vitest/vitest.mjs');

it('counts a failing beforeAll and a file that fails on import as failures', () => {
  const fixture = join(here, 'fixtures/setup-failure');
  const result = spawnSync(process.execPath, [vitest, 'run', '--root', fixture], { encoding: 'utf8', timeout: 60_000 });
  const line = result.stdout.split('\n').find((text) => text.startsWith('tests: '));
  // One passing test; the hook's error and the import error are two failures; the test the hook kept from running is skipped.
  expect(line, result.stdout + result.stderr).toBe('tests: 1 passed, 2 failed, 1 skipped');
  expect(result.status).not.toBe(0);
}, 60_000);
