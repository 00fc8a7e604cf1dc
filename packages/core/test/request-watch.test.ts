// requestTimeout and onRequestEnd: the pipeline's deadline for an app, and each request's summary.
import { describe, expect, it } from 'vitest';
import { testRequest } from '@netcgi/connector-test';
import type { RequestSummary } from '@netcgi/core';

describe('requestTimeout', () => {
  it('answers 504, aborts the signal and cleans up without waiting for an app that never ends', async () => {
    let signal: AbortSignal | undefined;
    const started = Date.now();
    const response = await testRequest((cgi) => {
      signal = cgi.signal;
      return new Promise(() => undefined);
    }, { requestTimeout: 100 });
    expect(response.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(signal?.aborted).toBe(true);
    expect(response.log.join('\n')).toMatch(/^GET \/: the request ran longer than its 100 ms/);
  });

  it('cuts off a response already under way, and leaves a quick app alone', async () => {
    const cut = await testRequest(async (cgi) => {
      cgi.out.write('begun');
      await cgi.out.commit();
      await new Promise((resolve) => setTimeout(resolve, 5_000).unref());
    }, { requestTimeout: 100 });
    expect([cut.status, cut.outcome]).toEqual([200, 'cut-off']);
    const quick = await testRequest((cgi) => { cgi.out.write('ok'); }, { requestTimeout: 100 });
    expect([quick.status, quick.text(), quick.log]).toEqual([200, 'ok', []]);
  });
});

describe('onRequestEnd', () => {
  it('tells method, path, status, body bytes, duration and outcome', async () => {
    const summaries: RequestSummary[] = [];
    await testRequest((cgi) => { cgi.setHeader({ status: 201 }); cgi.out.write('héllo'); }, { url: '/app/x?secret=1', scriptName: '/app', onRequestEnd: (summary) => summaries.push(summary) });
    await testRequest(() => { throw new Error('boom'); }, { method: 'POST', url: '/y', onRequestEnd: (summary) => summaries.push(summary) });
    expect(summaries).toEqual([
      { method: 'GET', path: '/app/x', status: 201, bytes: 6, durationMs: expect.any(Number), outcome: 'complete', role: 'responder' },
      { method: 'POST', path: '/y', status: 500, bytes: expect.any(Number), durationMs: expect.any(Number), outcome: 'complete', role: 'responder' },
    ]);
  });
});
