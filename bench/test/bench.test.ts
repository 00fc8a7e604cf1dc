// The benchmark harness must not rot between benchmark runs: its suites run here in their quick
// form, the ones behind web servers for netcgi, the floor and node:http only (PHP-FPM and Go are
// installed by bench/install-peers for `pnpm bench`, not by CI), and its statistics are checked.
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
    const scratch = mkdtempSync(join(tmpdir(), 'netcgi-bench-test-'));
    let out = scratch;
    try {
      // A directory that does not exist yet: the run makes it before it starts, not after.
      await run(process.execPath, ['bench/run.mjs', '--quick', '--suites', 'codec,multipart,stores', '--out', join(out, 'new')], { timeout: 120_000 });
      out = join(out, 'new');
      const report = readFileSync(join(out, 'benchmarks.md'), 'utf8');
      expect(report).toMatch(/^# Benchmarks/);
      expect(report).toContain('## Multipart through the core pipeline');
      expect(report).toContain('## The FastCGI codec');
      expect(report).toContain('## Analysis');
      const results = JSON.parse(readFileSync(join(out, 'benchmarks.json'), 'utf8'));
      expect(results.multipart.pipelineMiBps).toBeGreaterThan(0);
      expect(Number.isFinite(results.multipart.ratio)).toBe(true);
      expect(results.codec.codec).toHaveLength(2);
      expect(results.stores.variants.map((variant: { name: string }) => variant.name)).toEqual(['memory/bytes', 'file/bytes', 'memory/open', 'file/open', 'stream/open']);
      for (const variant of results.stores.variants) expect(variant.mibPerSecond).toBeGreaterThan(0);
      expect(report).toContain('## Argument stores in process');
      expect(results.codec.hello.microsecondsPerRequest).toBeGreaterThan(0);
      expect(results.codec.hello.codecShare).toBeGreaterThan(0);
      expect(results.codec.hello.codecShare).toBeLessThan(1);
      expect(readFileSync(join(out, 'benchmarks.svg'), 'utf8')).toMatch(/^<svg /);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 150_000);

  it('runs the suites behind real web servers (nginx, lighttpd, wrk, curl) for netcgi, the floor and node:http', async () => {
    const out = mkdtempSync(join(tmpdir(), 'netcgi-bench-test-'));
    try {
      await run(process.execPath, [
        'bench/run.mjs', '--quick', '--suites', 'hello,direct,bodies,cgi', '--backends', 'netcgi,raw-fcgi,node-http',
        '--connections', '4', '--sizes', '1', '--out', out,
      ], { timeout: 150_000 });
      const results = JSON.parse(readFileSync(join(out, 'benchmarks.json'), 'utf8'));
      expect(results.failures).toBeUndefined();
      // 1 connection count × 2 transports × 2 keep-alive modes, each with the three backends and nginx.
      expect(results.hello).toHaveLength(4);
      for (const cell of results.hello) {
        expect(cell.variants.map((variant: { name: string }) => variant.name)).toEqual(['netcgi', 'raw-fcgi', 'node-http', 'nginx']);
        for (const variant of cell.variants) {
          expect(variant.requestsPerSecond).toBeGreaterThan(0);
          expect(variant.failures).toBe(0);
        }
      }
      // Bodies skip the floor (it answers hello only): 1 MiB each way, two backends; uploads also
      // through netcgi's default store.
      expect(results.bodies.map((cell: { direction: string }) => cell.direction)).toEqual(['upload', 'download']);
      expect(results.bodies[0].backends.map((backend: { name: string; path?: string }) => backend.path ?? backend.name)).toEqual(['netcgi', 'upload-stored', 'node-http']);
      expect(results.bodies[1].backends.map((backend: { name: string }) => backend.name)).toEqual(['netcgi', 'node-http']);
      for (const cell of results.bodies) {
        for (const backend of cell.backends) expect(backend.mibPerSecond).toBeGreaterThan(0);
      }
      expect(results.direct.flatMap((cell: { variants: { name: string; requestsPerSecond: number }[] }) => cell.variants.map((variant) => variant.name))).toContain('netcgi-http');
      for (const cell of results.direct) for (const variant of cell.variants) expect(variant.requestsPerSecond).toBeGreaterThan(0);
      expect(results.cgi.programs.map((program: { name: string }) => program.name)).toEqual(['raw', 'hello']);
      expect(results.cgi.nodeE0Ms).toBeGreaterThan(0);
      expect(readFileSync(join(out, 'benchmarks.md'), 'utf8')).toContain('## Hello world through nginx');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
