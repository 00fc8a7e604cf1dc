// testRequest itself: what a test can rely on when it drives an app in memory.
import { describe, expect, it } from 'vitest';
import { RequestAbortedError } from '@netcgi/core';
import { testRequest } from '@netcgi/connector-test';

describe('testRequest', () => {
  it('re-throws an expectation that fails inside the app instead of answering 500', async () => {
    const run = testRequest(() => {
      expect(1 + 1).toBe(3);
    });
    await expect(run).rejects.toThrow(/expected 2 to be 3/);
  });

  it('re-throws a node:assert failure inside the app too', async () => {
    const assert = await import('node:assert/strict');
    await expect(testRequest(() => assert.equal('a', 'b'))).rejects.toMatchObject({ name: 'AssertionError' });
  });

  it('still answers 500 for any other error the app throws', async () => {
    const response = await testRequest(() => {
      throw new Error('an app bug');
    });
    expect(response.status).toBe(500);
    expect(response.log.join('\n')).toMatch(/an app bug/);
  });

  it('a signal aborted before the request starts aborts it at once', async () => {
    let writeError: unknown;
    let signalAborted: boolean | undefined;
    const response = testRequest(async (cgi) => {
      signalAborted = cgi.signal.aborted;
      try {
        cgi.environment.sendOutputHeader();
      } catch (error) {
        writeError = error;
        throw error;
      }
    }, { signal: AbortSignal.abort() });
    await expect(response).rejects.toThrow(/without a response \(aborted\)/);
    expect(signalAborted).toBe(true);
    expect(writeError).toBeInstanceOf(RequestAbortedError);
  });

  it('a path with a malformed escape reaches the app as sent, without a URIError', async () => {
    let pathInfo = '';
    const response = await testRequest((cgi) => { pathInfo = cgi.environment.pathInfo; }, { url: '/%zz/%C3%A9' });
    expect(response.status).toBe(200);
    expect(pathInfo).toBe('/%zz/é');
  });

  it('a file given in form instead of files says where it belongs', async () => {
    const run = testRequest(() => {}, { form: { photo: { content: 'bytes' } as unknown as string } });
    await expect(run).rejects.toThrow(/form field "photo" is not a string: pass uploads in `files`/);
  });

  it('form goes into the query string for GET and HEAD, into the body for every other method', async () => {
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      let seen: { query: string; type: string; arguments: number; body: boolean } | undefined;
      await testRequest((cgi) => {
        seen = { query: cgi.environment.queryString, type: cgi.environment.inputContentType, arguments: cgi.arguments.length, body: cgi.body !== undefined };
      }, { method, form: { a: '1' } });
      const inQuery = method === 'GET' || method === 'HEAD';
      expect(seen?.query, method).toBe(inQuery ? 'a=1' : '');
      expect(seen?.type, method).toBe(inQuery ? '' : 'application/x-www-form-urlencoded');
    }
  });
});
