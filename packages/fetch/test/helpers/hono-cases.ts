// One table of checks for the Hono app, run through every connector by its test file.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MiB = 1024 * 1024;

/** How a connector's test reaches the app, and what it can measure. */
export interface HonoTarget {
  /** The app's base URL, without a trailing slash. */
  readonly base: () => string;
  /** The process serving it, to measure its memory; none for CGI (a process per request). */
  readonly pid?: () => number;
  /** Check name to the reason it cannot pass here. */
  readonly skip?: Readonly<Record<string, string>>;
}

/** The app process's memory: peak since the last reset, and now, in KiB (/proc/PID/status). */
function memoryOf(pid: number): { peak: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { peak: field('VmHWM'), rss: field('VmRSS') };
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0: "5" into clear_refs). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** A streamed request with node:http: the body from a generator, the response hashed as it comes. */
function stream(url: string, method: string, body?: { size: number; chunks: () => Generator<Buffer> }, signal?: AbortSignal): Promise<{ status: number; size: number; sha256: string; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.size) };
    const outgoing = httpRequest(url, { method, signal, headers }, (response) => {
      const hash = createHash('sha256');
      let size = 0;
      const head: Buffer[] = [];
      response.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
        if (size < 4096) head.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, size, sha256: hash.digest('hex'), text: Buffer.concat(head).toString() }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    if (body === undefined) return void outgoing.end();
    const chunks = body.chunks();
    const pump = (): void => {
      for (let next = chunks.next(); !next.done; next = chunks.next()) {
        if (!outgoing.write(next.value)) return void outgoing.once('drain', pump);
      }
      outgoing.end();
    };
    pump();
  });
}

function* pattern(size: number): Generator<Buffer> {
  const block = Buffer.alloc(MiB);
  for (let index = 0; index < block.length; index++) block[index] = (index * 7 + 3) & 0xff;
  for (let sent = 0; sent < size; sent += block.length) yield block.subarray(0, Math.min(block.length, size - sent));
}

function sha256OfPattern(size: number): string {
  const hash = createHash('sha256');
  for (const chunk of pattern(size)) hash.update(chunk);
  return hash.digest('hex');
}

/** Declares the checks against the Hono app behind `target`. */
export function describeHonoApp(name: string, target: HonoTarget): void {
  const check = (title: string, body: () => Promise<void>, timeout = 30_000): void => {
    const reason = target.skip?.[title];
    if (reason !== undefined) it.skip(`${title} (skipped: ${reason})`, () => {});
    else it(title, body, timeout);
  };
  describe(name, () => {
    check('routes with params', async () => {
      const response = await fetch(`${target.base()}/hello/Ada`);
      expect([response.status, await response.text()]).toEqual([200, 'Hello, Ada!']);
      expect((await fetch(`${target.base()}/nowhere`)).status).toBe(404);
    });

    check('JSON in and out, with POST, PUT and DELETE', async () => {
      const posted = await fetch(`${target.base()}/json`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ a: [1, 'é'] }) });
      expect(posted.status).toBe(201);
      expect(await posted.json()).toEqual({ method: 'POST', received: { a: [1, 'é'] } });
      const put = await fetch(`${target.base()}/items/42`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"name":"x"}' });
      expect(await put.json()).toEqual({ id: '42', item: { name: 'x' } });
      expect((await fetch(`${target.base()}/items/42`, { method: 'DELETE' })).status).toBe(204);
    });

    check('form and multipart bodies, parsed by Hono', async () => {
      const urlencoded = await fetch(`${target.base()}/form`, { method: 'POST', body: new URLSearchParams({ name: 'Ada', city: 'Zürich' }) });
      expect(await urlencoded.json()).toEqual({ name: 'Ada', city: 'Zürich' });
      const form = new FormData();
      form.append('title', 'T');
      const file = Buffer.alloc(300_000, 9);
      form.append('upload', new Blob([file]), 'data.bin');
      const multipart = await fetch(`${target.base()}/form`, { method: 'POST', body: form });
      expect(await multipart.json()).toEqual({ title: 'T', upload: { name: 'data.bin', size: file.length, sha256: createHash('sha256').update(file).digest('hex') } });
    });

    check('two Set-Cookie headers stay apart', async () => {
      const response = await fetch(`${target.base()}/cookies`);
      expect(response.headers.getSetCookie()).toEqual(['first=one; Path=/', 'second=two; HttpOnly']);
    });

    check('the Request has the URL the client used', async () => {
      const url = `${target.base()}/url?q=a%20b`;
      expect(await (await fetch(url)).text()).toBe(url);
    });

    check('a 100 MB upload and download stream through with bounded memory', async () => {
      const size = 100 * 1000 * 1000;
      const pid = target.pid?.();
      // Warmed up first. A cold Node process's first ~40 MiB of socket reads stay as garbage until
      // V8 reaches its external-memory limit and collects (bare node:http shows the same +40 MiB
      // on its first large upload, ~15 MiB on later ones): that is Node's, not the app's.
      if (pid !== undefined) {
        await stream(`${target.base()}/upload`, 'POST', { size: 64 * MiB, chunks: () => pattern(64 * MiB) });
        await stream(`${target.base()}/download?size=${64 * MiB}`, 'GET');
        resetPeak(pid);
      }
      const before = pid === undefined ? undefined : memoryOf(pid).rss;
      const upload = await stream(`${target.base()}/upload`, 'POST', { size, chunks: () => pattern(size) });
      expect(upload.status).toBe(200);
      expect(JSON.parse(upload.text)).toEqual({ size, sha256: sha256OfPattern(size) });
      const download = await stream(`${target.base()}/download?size=${size}`, 'GET');
      expect([download.status, download.size]).toEqual([200, size]);
      if (pid !== undefined && before !== undefined) expect((memoryOf(pid).peak - before) / 1024).toBeLessThanOrEqual(32);
    }, 120_000);

    check("an aborted request reaches the handler's request.signal", async () => {
      const marker = join(tmpdir(), `hono-abort-${process.pid}-${Date.now()}`);
      const controller = new AbortController();
      const waiting = stream(`${target.base()}/wait-abort?marker=${encodeURIComponent(marker)}`, 'GET', undefined, controller.signal).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 300));
      controller.abort();
      await waiting;
      // Polled for its content: the file exists, empty, a moment before it is written.
      await expect.poll(() => (existsSync(marker) ? readFileSync(marker, 'utf8') : ''), { timeout: 10_000 }).toBe('RequestAbortedError');
      rmSync(marker);
    });
  });
}
