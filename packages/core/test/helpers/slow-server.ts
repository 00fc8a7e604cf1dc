// A web server that takes 16 KiB per millisecond, behind the pipeline: for backpressure tests.
import { Writable } from 'node:stream';
import type { Cgi } from '@netcgi/core';
import { buildRequest, processRequest, WritableOutput, type RunOptions } from '@netcgi/core/connector';

/** What a slow web server got of `app`'s response, and the longest queue in front of it. */
export interface SlowServerResult {
  /** The raw CGI response: header block, then body. */
  readonly raw: Buffer;
  readonly maxQueued: number;
}

/**
 * Runs `app` for a GET against a web server that takes 16 KiB per millisecond.
 * @throws what the app threw (an `expect` inside it, say), once the request is over: the pipeline
 *   would otherwise make it a 500 and the test would not see it.
 */
export async function throughSlowServer(app: (cgi: Cgi) => Promise<void>, options: RunOptions = {}): Promise<SlowServerResult> {
  const received: Buffer[] = [];
  let maxQueued = 0;
  const slowServer = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      maxQueued = Math.max(maxQueued, this.writableLength);
      received.push(chunk);
      setTimeout(callback, 1);
    },
  });
  let thrown: { error: unknown } | undefined;
  const recorded = async (cgi: Cgi): Promise<void> => {
    try {
      await app(cgi);
    } catch (error) {
      thrown ??= { error };
      throw error;
    }
  };
  await processRequest(recorded, { ...buildRequest({}), output: new WritableOutput(slowServer), logError: () => {} }, options);
  if (thrown !== undefined) throw thrown.error;
  return { raw: Buffer.concat(received), maxQueued };
}
