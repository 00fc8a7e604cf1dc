import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testRequest } from '@netcgi/connector-test';
import { useTempDirectory } from './helpers/temp-directory.js';

const tmp = useTempDirectory();
const MiB = 1024 * 1024;

/** Bytes that differ chunk to chunk, so that a lost or repeated chunk changes the checksum. */
function chunkOf(index: number, size: number): Buffer {
  return Buffer.alloc(size, `chunk ${index} `);
}

describe('a 10 MB multipart upload', () => {
  it('streams to disk as it arrives: the file never lags more than 3 MiB behind the body sent', async () => {
    const chunkSize = 64 * 1024;
    const chunkCount = (10 * MiB) / chunkSize;
    const expected = createHash('sha256');
    let maxLag = 0;
    let sent = 0;
    async function* upload(): AsyncGenerator<Buffer> {
      for (let index = 0; index < chunkCount; index++) {
        // What the parser stored so far: sent minus that is what is held in memory on the way.
        const files = tmp.files();
        const stored = files.length === 1 ? statSync(join(tmp.path, files[0]!)).size : 0;
        maxLag = Math.max(maxLag, sent - stored);
        const chunk = chunkOf(index, chunkSize);
        expected.update(chunk);
        sent += chunk.length;
        yield chunk;
      }
    }
    let result: { size: number; sha256: string; store: string } | undefined;
    const response = await testRequest(async (cgi) => {
      const file = cgi.argument('big')!;
      const hash = createHash('sha256');
      for await (const chunk of file.open()) hash.update(chunk as Buffer);
      result = { size: file.size, sha256: hash.digest('hex'), store: file.store };
    }, {
      form: { before: 'field' },
      files: { big: { content: { stream: upload(), size: 10 * MiB }, filename: 'big.bin' } },
      config: { tmpDirectory: tmp.path },
    });
    expect(response.status).toBe(200);
    expect(result).toEqual({ size: 10 * MiB, sha256: expected.digest('hex'), store: 'file' });
    expect(maxLag).toBeGreaterThan(0);
    // The file store holds two write batches of 1 MiB at most; the streams on the way a few chunks.
    expect(maxLag).toBeLessThanOrEqual(3 * MiB);
  });

  it('an upload over its limit stops being stored at the limit and leaves no file', async () => {
    let oversized: boolean | undefined;
    let filesWhileRunning: string[] = ['unset'];
    const response = await testRequest((cgi) => {
      oversized = cgi.argument('big')?.oversized;
      filesWhileRunning = tmp.files();
    }, {
      files: { big: { content: Buffer.alloc(10 * MiB, 1) } },
      argStore: () => ({ store: 'file', maxSize: MiB }),
      config: { tmpDirectory: tmp.path },
    });
    expect(response.status).toBe(200);
    expect(oversized).toBe(true);
    expect(filesWhileRunning).toEqual([]);
  });
});
