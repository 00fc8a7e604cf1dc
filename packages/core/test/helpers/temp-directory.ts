// A fresh temp directory per test, checked to be empty afterwards: no request may leave a file.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import type { Cgi } from '@netcgi/core';
import { testRequest, type TestRequestOptions, type TestResponse } from '@netcgi/connector-test';

/** The current test's temp directory, what is in it, and a way to run requests that use it. */
export interface TempDirectory {
  readonly path: string;
  files(): string[];
  /** testRequest() with this directory as `config.tmpDirectory`. */
  request(app: (cgi: Cgi) => unknown, options?: TestRequestOptions): Promise<TestResponse>;
}

/** Registers hooks giving each test its own directory, and failing a test that leaves a file in it. */
export function useTempDirectory(): TempDirectory {
  let path = '';
  beforeEach(() => {
    path = mkdtempSync(join(tmpdir(), 'netcgi-test-'));
  });
  afterEach(() => {
    const left = readdirSync(path);
    rmSync(path, { recursive: true, force: true });
    expect(left, 'temp files left behind by the request').toEqual([]);
  });
  return {
    get path() {
      return path;
    },
    files: () => readdirSync(path),
    request: (app, options = {}) =>
      testRequest(async (cgi) => { await app(cgi); }, { ...options, config: { tmpDirectory: path, ...options.config } }),
  };
}
