// Transactional output spilled to a file keeps every byte, whatever the file system's writes take.
import type { FileHandle } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MemoryOutput } from '@netcgi/core/connector';
import { BufferedOutput } from '../src/output/buffered-output.js';
import type { TempFiles } from '../src/temp-files.js';

/** A temp file whose writes take at most 7 bytes each, as a write(2) may. */
function shortWritingTempFiles(): { tempFiles: TempFiles; content: () => Buffer } {
  let stored = Buffer.alloc(0);
  const handle = {
    async write(buffer: Buffer, offset: number, length: number, position: number) {
      const taken = Math.min(length, 7);
      const end = position + taken;
      if (stored.length < end) stored = Buffer.concat([stored, Buffer.alloc(end - stored.length)]);
      buffer.copy(stored, position, offset, offset + taken);
      return { bytesWritten: taken, buffer };
    },
    async read(buffer: Buffer, offset: number, length: number, position: number) {
      const bytesRead = stored.copy(buffer, offset, position, Math.min(position + length, stored.length));
      return { bytesRead, buffer };
    },
  } as unknown as FileHandle;
  const tempFiles = { create: async () => ({ path: '/nowhere', handle }), remove: async () => {} } as unknown as TempFiles;
  return { tempFiles, content: () => stored };
}

describe('BufferedOutput', () => {
  it('a short write of the spill file is continued, so no tail is lost', async () => {
    const { tempFiles, content } = shortWritingTempFiles();
    const raw = new MemoryOutput();
    const output = new BufferedOutput(raw, tempFiles, 10);
    const chunks = [Buffer.from('0123456789abcdef'), Buffer.from('ghijklmnopqrstuvwxyz')];
    for (const chunk of chunks) await output.write(chunk);
    expect(content().toString()).toBe('0123456789abcdefghijklmnopqrstuvwxyz');
    await output.commit();
    expect(raw.body.toString()).toBe('0123456789abcdefghijklmnopqrstuvwxyz');
  });
});
