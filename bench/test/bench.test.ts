// The benchmark harness must not rot between benchmark runs: its in-process suites run here, in
// their quick form, and its statistics are checked. The suites that need nginx, PHP-FPM, Go and wrk
// run with `pnpm bench` only (bench/README.md).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without types
import { median, pairedRatio, rotated } from '../lib/stats.mjs';

const run = promisify(execFile);

describe('bench statistics', () => {
  it('median of odd and even counts, ignoring failed (NaN) runs', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, Number.NaN, 1])).toBe(3);
  });

  it('paired ratio: the median of per-round ratios, not the ratio of medians', () => {
    // Round 2 is slow for both sides: pairing cancels it.
    expect(pairedRatio([100, 10, 120], [100, 10, 100])).toBe(1);
    expect(pairedRatio([200, 20, 240], [100, 10, 100])).toBe(2);
  });

  it('rotates the order each round', () => {
    expect(rotated(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotated(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotated(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
  });
});

describe('bench/run.mjs', () => {
  it('runs the in-process suites and writes the report, chart and numbers', async () => {
    const out = mkdtempSync(join(tmpdir(), 'netcgi-bench-test-'));
    try {
      await run(process.execPath, ['bench/run.mjs', '--quick', '--suites', 'codec,multipart', '--out', out], { timeout: 120_000 });
      const report = readFileSync(join(out, 'benchmarks.md'), 'utf8');
      expect(report).toMatch(/^# Benchmarks/);
      expect(report).toContain('## Multipart through the core pipeline');
      expect(report).toContain('## The FastCGI codec');
      expect(report).toContain('## Analysis');
      const results = JSON.parse(readFileSync(join(out, 'benchmarks.json'), 'utf8'));
      expect(results.multipart.pipelineMiBps).toBeGreaterThan(0);
      expect(Number.isFinite(results.multipart.ratio)).toBe(true);
      expect(results.codec.codec).toHaveLength(2);
      expect(results.codec.hello.microsecondsPerRequest).toBeGreaterThan(0);
      expect(results.codec.hello.codecShare).toBeGreaterThan(0);
      expect(results.codec.hello.codecShare).toBeLessThan(1);
      expect(readFileSync(join(out, 'benchmarks.svg'), 'utf8')).toMatch(/^<svg /);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 150_000);
});
