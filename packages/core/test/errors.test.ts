import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HttpError, NetcgiError, RequestAbortedError, type ExceptionHandler } from '@netcgi/core';
import { useTempDirectory } from './helpers/temp-directory.js';

const tmp = useTempDirectory();

const request = tmp.request;

describe('error pages', () => {
  it('an HttpError becomes its status with the message HTML-escaped; a 4xx is not logged, a 5xx is', async () => {
    const response = await request(() => { throw new HttpError(404, 'no <script>alert(1)</script> here'); }, { url: '/app/x', scriptName: '/app' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.text()).toContain('<h1>404 Not Found</h1>');
    expect(response.text()).toContain('no &lt;script&gt;alert(1)&lt;/script&gt; here');
    expect(response.text()).not.toContain('<script>');
    expect(response.log).toEqual([]);
    const unavailable = await request(() => { throw new HttpError(503, 'the database is resting'); }, { url: '/app/x', scriptName: '/app' });
    expect(unavailable.log).toEqual(['GET /app/x: the database is resting (status 503)']);
  });

  it('keeps real statuses (Netcgi turned 409 to 412 into 400)', async () => {
    for (const status of [409, 410, 411, 412, 422, 429, 503]) {
      const response = await request(() => { throw new HttpError(status, 'because'); });
      expect(response.status).toBe(status);
    }
  });

  it('any other exception is a 500 that hides its message; the log has the stack', async () => {
    const response = await request(() => { throw new TypeError('database password is hunter2'); });
    expect(response.status).toBe(500);
    expect(response.text()).not.toContain('hunter2');
    expect(response.text()).toContain('The application failed');
    expect(response.log[0]).toMatch(/^GET \/: TypeError: database password is hunter2\n\s+at /);
  });

  it('a non-Error thrown is a 500 too', async () => {
    const response = await request(() => { throw 'a string'; });
    expect(response.status).toBe(500);
    expect(response.log[0]).toContain('non-error thrown: a string');
  });

  it('the extra headers of an HttpError go out: 401 with WWW-Authenticate', async () => {
    const response = await request(() => {
      throw new HttpError(401, 'log in first', { headers: { 'WWW-Authenticate': 'Basic realm="netcgi"' } });
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="netcgi"');
  });

  it('an HttpError below 400 ends the request early with that status and no body', async () => {
    const response = await request((cgi) => {
      cgi.out.write('dropped');
      throw new HttpError(304);
    }, { outputType: 'transactional' });
    expect(response.status).toBe(304);
    expect(response.body.length).toBe(0);
    expect(response.log).toEqual([]);
  });

  it('an error page for HEAD has no body', async () => {
    const response = await request(() => { throw new HttpError(403, 'forbidden'); }, { method: 'HEAD' });
    expect(response.status).toBe(403);
    expect(response.body.length).toBe(0);
  });

  it('HttpError rejects a status outside 100 to 599', () => {
    expect(() => new HttpError(42)).toThrow(RangeError);
    expect(new HttpError(400)).toBeInstanceOf(NetcgiError);
  });
});

describe('errors in each phase', () => {
  it('in argument parsing: the app does not run and the page says why', async () => {
    let ran = false;
    const response = await request(() => { ran = true; }, { body: 'x', headers: { 'content-type': 'text/csv' }, config: { permittedInputContentTypes: ['application/json'] } });
    expect(response.status).toBe(415);
    expect(ran).toBe(false);
  });

  it('in the app before output: transactional output written so far is dropped', async () => {
    const response = await request((cgi) => {
      cgi.setHeader({ contentType: 'text/plain', fields: { 'X-App': 'yes' } });
      cgi.out.write('half a page');
      throw new HttpError(409, 'conflict');
    }, { outputType: 'transactional' });
    expect(response.status).toBe(409);
    expect(response.headers.get('x-app')).toBeNull();
    expect(response.text()).not.toContain('half a page');
  });

  it('in the app before any write in direct mode: the error page replaces the header the app set', async () => {
    const response = await request((cgi) => {
      cgi.setHeader({ contentType: 'text/plain' });
      throw new Error('before any write');
    });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('after partial direct output: the response is cut off and the cut-off logged', async () => {
    const response = await request(async (cgi) => {
      cgi.setHeader({ contentType: 'text/plain' });
      await new Promise((resolve) => cgi.out.write('partial', resolve));
      throw new Error('too late for a page');
    });
    expect(response.outcome).toBe('cut-off');
    expect(response.status).toBe(200);
    expect(response.text()).toBe('partial');
    expect(response.log.join('\n')).toContain('the response was cut off');
  });

  it('after a transactional commit: the committed part stays, the rest is dropped, cut-off logged', async () => {
    const response = await request(async (cgi) => {
      cgi.out.write('committed');
      await cgi.out.commit();
      cgi.out.write(' uncommitted');
      throw new Error('late');
    }, { outputType: 'transactional' });
    expect(response.outcome).toBe('cut-off');
    expect(response.text()).toBe('committed');
  });

  it('in the commit after the app: an invalid header value is a 500, not a split response', async () => {
    const response = await request((cgi) => {
      cgi.environment.setOutputHeader('X-Injected', 'a\r\nSet-Cookie: evil=1');
    });
    expect(response.status).toBe(500);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.log[0]).toContain('InvalidHeaderError');
  });

  it('in the error response itself: a plain 500 goes out instead, and both are logged', async () => {
    const response = await request(() => {
      throw new HttpError(401, 'denied', { headers: { 'WWW-Authenticate': 'Basic\r\nSet-Cookie: evil=1' } });
    });
    expect(response.status).toBe(500);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.log.join('\n')).toContain('the error response failed too: InvalidHeaderError');
  });

  it('in an atExit callback: logged, and the response is already complete', async () => {
    const response = await request((cgi) => {
      cgi.out.write('fine');
      cgi.atExit(() => { throw new Error('clean-up failed'); });
    });
    expect(response.status).toBe(200);
    expect(response.text()).toBe('fine');
    expect(response.log.join('\n')).toContain('an atExit callback threw: Error: clean-up failed');
  });
});

describe('exception handlers', () => {
  it('a custom exnHandler wraps the whole run and may map exceptions to HttpErrors', async () => {
    class NotFound extends Error {}
    const calls: string[] = [];
    const exnHandler: ExceptionHandler = async (env, run) => {
      calls.push(`before ${env.requestMethod}`);
      try {
        await run();
      } catch (error) {
        if (error instanceof NotFound) throw new HttpError(404, 'mapped');
        throw error;
      } finally {
        calls.push('after');
      }
    };
    const response = await request(() => { throw new NotFound(); }, { exnHandler });
    expect(response.status).toBe(404);
    expect(response.text()).toContain('mapped');
    expect(calls).toEqual(['before GET', 'after']);
  });

  it('an exnHandler that swallows the error still gets a well-formed answer: its header, no body', async () => {
    const response = await request((cgi) => {
      cgi.out.write('uncommitted');
      throw new Error('swallowed');
    }, {
      outputType: 'transactional',
      exnHandler: async (env, run) => {
        try { await run(); } catch { env.setStatus(503); env.setOutputHeader('Retry-After', '5'); }
      },
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.body.length).toBe(0);
  });

  it('the exnHandler also sees errors of argument parsing', async () => {
    let seen: unknown;
    await request(() => {}, {
      url: '/?a=1&b=2',
      config: { maxArguments: 1 },
      exnHandler: async (_env, run) => { try { await run(); } catch (error) { seen = error; throw error; } },
    });
    expect((seen as HttpError).status).toBe(413);
  });

  it('with defaultErrorHandler off, the error reaches the connector after every temp file is gone', async () => {
    let path = '';
    const promise = request((cgi) => {
      path = cgi.argument('f')!.path!;
      throw new Error('escapes');
    }, { files: { f: { content: 'data' } }, config: { defaultErrorHandler: false } });
    await expect(promise).rejects.toThrow('escapes');
    expect(path).not.toBe('');
    expect(existsSync(path)).toBe(false);
  });
});

describe('aborts', () => {
  it('a request aborted by the web server aborts cgi.signal and fails the app writes', async () => {
    const controller = new AbortController();
    let signalAborted = false;
    let writeError: unknown;
    const response = await request(async (cgi) => {
      cgi.signal.addEventListener('abort', () => { signalAborted = true; });
      cgi.out.write('first');
      controller.abort();
      await new Promise<void>((resolve) => cgi.out.write('second', (error) => { writeError = error; resolve(); }));
    }, { signal: controller.signal });
    expect(response.outcome).toBe('aborted');
    expect(response.text()).not.toContain('second');
    expect(signalAborted).toBe(true);
    expect(writeError).toBeInstanceOf(RequestAbortedError);
  });
});
