// A 64 MiB raw body through the core pipeline in process, kept by each argument store and read
// back by the app: what the file store costs over memory, and what streaming saves.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buildRequest, MemoryOutput, processRequest } from '@netcgi/core/connector';
import { median, pairedRatio } from './lib/stats.mjs';

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
const CHUNK = Buffer.alloc(64 * 1024, 0x5a);

/** The store and the way the app reads the body back, per variant. */
const variants = [
  { name: 'memory/bytes', store: 'memory', read: 'bytes' },
  { name: 'file/bytes', store: 'file', read: 'bytes' },
  { name: 'memory/open', store: 'memory', read: 'open' },
  { name: 'file/open', store: 'file', read: 'open' },
  { name: 'stream/open', store: 'stream', read: 'open' },
];

/** One PUT of SIZE bytes in 64 KiB chunks, as a connector delivers it; resolves to seconds. */
async function once(variant, directory) {
  const { variables } = buildRequest({ method: 'PUT', body: 'x' });
  variables.set('CONTENT_LENGTH', String(SIZE));
  const body = Readable.from((function* () { for (let sent = 0; sent < SIZE; sent += CHUNK.length) yield CHUNK; })(), { objectMode: true });
  let received = 0;
  const start = process.hrtime.bigint();
  const outcome = await processRequest(async (cgi) => {
    if (variant.read === 'bytes') received = (await cgi.body.bytes()).length;
    else for await (const piece of cgi.body.open()) received += piece.length;
  }, { variables, body, output: new MemoryOutput(), logError: (line) => { throw new Error(line); } }, {
    argStore: () => ({ store: variant.store, maxSize: 2 * SIZE }),
    config: { tmpDirectory: directory, maxMemoryArgumentSize: 2 * SIZE },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (outcome !== 'complete' || received !== SIZE) throw new Error(`${variant.name}: ${received} bytes read back (${outcome})`);
  if (readdirSync(directory).length !== 0) throw new Error(`${variant.name} left temp files behind`);
  return seconds;
}

export async function storesSuite({ rounds, scratch, log }) {
  const directory = join(scratch, 'stores');
  mkdirSync(directory, { recursive: true });
  const times = Object.fromEntries(variants.map((variant) => [variant.name, []]));
  for (let round = 0; round < rounds; round++) {
    // Rotated, so that no variant always runs right after another's garbage.
    for (const variant of [...variants.slice(round % variants.length), ...variants.slice(0, round % variants.length)]) {
      times[variant.name].push(await once(variant, directory));
    }
    log(`stores round ${round + 1}/${rounds}: ${variants.map((variant) => `${variant.name} ${(SIZE / MiB / times[variant.name].at(-1)).toFixed(0)} MiB/s`).join(', ')}`);
  }
  const rate = (name) => times[name].map((seconds) => SIZE / MiB / seconds);
  return {
    sizeMiB: SIZE / MiB,
    variants: variants.map((variant) => ({
      ...variant,
      mibPerSecond: median(rate(variant.name)),
      // Time against the memory store read the same way: the issue's "within 2x" is this <= 2.
      timeRatioToMemory: variant.store === 'memory' ? 1 : pairedRatio(rate(`memory/${variant.read}`), rate(variant.name)),
    })),
  };
}
