import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArgumentFinalizedError, Argument, type Cgi } from '@netcgi/core';
import { testRequest } from '@netcgi/connector-test';
import { useTempDirectory } from './helpers/temp-directory.js';

const tmp = useTempDirectory();

describe('finalize', () => {
  it('runs atExit callbacks last-registered first, after the response is complete', async () => {
    const order: string[] = [];
    await testRequest((cgi) => {
      cgi.atExit(() => { order.push('first registered'); });
      cgi.atExit(async () => { await new Promise((resolve) => setTimeout(resolve, 5)); order.push('second registered'); });
      cgi.out.write('body');
    }, { config: { tmpDirectory: tmp.path } });
    expect(order).toEqual(['second registered', 'first registered']);
  });

  it('deletes upload files also when the app throws', async () => {
    let path = '';
    const response = await testRequest((cgi) => {
      path = cgi.argument('f')!.path!;
      expect(existsSync(path)).toBe(true);
      throw new Error('app failure');
    }, { files: { f: { content: 'some data' } }, config: { tmpDirectory: tmp.path } });
    expect(response.status).toBe(500);
    expect(existsSync(path)).toBe(false);
  });

  it('runs once however often it is called, and leaves arguments unreadable', async () => {
    let calls = 0;
    let cgiSeen: Cgi | undefined;
    await testRequest(async (cgi) => {
      cgiSeen = cgi;
      cgi.atExit(() => { calls++; });
      await cgi.finalize();
      await cgi.finalize();
    }, { form: { a: 'value' }, config: { tmpDirectory: tmp.path } });
    expect(calls).toBe(1);
    expect(() => cgiSeen!.argument('a')!.value).toThrow(ArgumentFinalizedError);
  });

  it('an argument can be finalized early, deleting its file at once', async () => {
    await testRequest(async (cgi) => {
      const upload = cgi.argument('f')!;
      await upload.finalize();
      expect(existsSync(upload.path!)).toBe(false);
      await expect(upload.bytes()).rejects.toThrow(ArgumentFinalizedError);
    }, { files: { f: { content: 'x' } }, config: { tmpDirectory: tmp.path } });
  });

  it('Argument.simple makes a memory argument', async () => {
    const argument = Argument.simple('name', 'välue');
    expect([argument.store, argument.value, argument.size, argument.contentType, argument.oversized]).toEqual(['memory', 'välue', 6, 'text/plain', false]);
    expect((await argument.bytes()).toString()).toBe('välue');
  });
});
