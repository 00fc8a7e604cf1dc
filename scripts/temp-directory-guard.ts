// vitest global setup: every test process gets a fresh TMPDIR, and the run fails if a request left
// anything in it (each core test also checks its own directory; this covers every other test).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let directory = '';

export function setup(): void {
  directory = mkdtempSync(join(tmpdir(), 'netcgi-run-'));
  process.env.TMPDIR = directory;
}

export function teardown(): void {
  const left = readdirSync(directory).filter((name) => name.startsWith('netcgi'));
  rmSync(directory, { recursive: true, force: true });
  if (left.length > 0) {
    // vitest reports an error thrown here but still exits 0: set the exit code ourselves.
    process.stderr.write(`\nFAIL: the tests left temp files behind in TMPDIR: ${left.join(', ')}\n`);
    process.exitCode = 1;
  }
}
