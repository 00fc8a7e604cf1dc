#!/usr/bin/env node
// A bounded live fuzzer for the FastCGI connector: mutated and random record streams sent to a
// running netcgi-fcgi, each followed by a normal request that must be answered. Seeded, so that a
// failing case can be replayed. Not in every CI run: `npx --yes pnpm@12.4.2 fuzz [--cases N] [--seed S]`.
// It fails (exit 1) on a crash, a hang (the normal request unanswered), or a leak: descriptors,
// temp files or requests still held once the cases are over.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeBeginRequestBody, encodeNameValuePairs, encodeRecord, RecordDecoder, RecordType } from '@netcgi/connector-fcgi/protocol';

// `pnpm fuzz -- --cases N` passes the `--` on.
const { values: args } = parseArgs({ args: process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === '--')), options: { cases: { type: 'string', default: '5000' }, seed: { type: 'string', default: String(Date.now() % 1e9) } } });
const cases = Number(args.cases);
const seed = Number(args.seed);
const root = fileURLToPath(new URL('..', import.meta.url));

/** mulberry32: a small seeded generator, the same cases for the same seed. */
function generator(state) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = generator(seed);
const pick = (list) => list[Math.floor(random() * list.length)];
const int = (max) => Math.floor(random() * max);

/** A valid request's records: GET or a POST with a urlencoded or multipart body. */
function validRequest(id) {
  const post = random() < 0.5;
  const body = post ? (random() < 0.5 ? Buffer.from('a=1&b=2') : Buffer.from('--x\r\nContent-Disposition: form-data; name="f"; filename="f.txt"\r\n\r\nhello\r\n--x--\r\n')) : Buffer.alloc(0);
  const params = { REQUEST_METHOD: post ? 'POST' : 'GET', SCRIPT_NAME: '/app', PATH_INFO: '/echo', QUERY_STRING: 'q=1', SERVER_PROTOCOL: 'HTTP/1.1', SERVER_NAME: 'localhost', ...(post ? { CONTENT_LENGTH: String(body.length), CONTENT_TYPE: body[0] === 0x2d ? 'multipart/form-data; boundary=x' : 'application/x-www-form-urlencoded' } : {}) };
  return Buffer.concat([
    encodeRecord(RecordType.BeginRequest, id, encodeBeginRequestBody(pick([1, 1, 1, 2, 3, 9]), int(2))),
    encodeRecord(RecordType.Params, id, encodeNameValuePairs(Object.entries(params))), encodeRecord(RecordType.Params, id),
    ...(body.length > 0 ? [encodeRecord(RecordType.Stdin, id, body)] : []), encodeRecord(RecordType.Stdin, id),
  ]);
}

/** One case: a valid stream mutated, random records, or random bytes. */
function fuzzCase() {
  const kind = pick(['flip', 'truncate', 'splice', 'records', 'bytes', 'abort', 'interleave']);
  let bytes;
  switch (kind) {
    case 'flip': bytes = Buffer.from(validRequest(1 + int(3))); for (let n = 1 + int(8); n > 0; n--) bytes[int(bytes.length)] ^= 1 << int(8); break;
    case 'truncate': bytes = validRequest(1).subarray(0, int(200)); break;
    case 'splice': { const a = validRequest(1); const b = validRequest(2); bytes = Buffer.concat([a.subarray(0, int(a.length)), b.subarray(int(b.length))]); break; }
    case 'records': bytes = Buffer.concat(Array.from({ length: 1 + int(12) }, () => encodeRecord(1 + int(11), int(4), Buffer.from(Array.from({ length: int(300) }, () => int(256)))))); break;
    case 'bytes': bytes = Buffer.from(Array.from({ length: int(600) }, () => int(256))); break;
    case 'abort': bytes = Buffer.concat([validRequest(1).subarray(0, 40 + int(120)), encodeRecord(RecordType.AbortRequest, 1)]); break;
    default: bytes = Buffer.concat([validRequest(1), validRequest(2), validRequest(3)].map((request) => request.subarray(0, int(request.length) + 8)));
  }
  return { kind, bytes };
}

/** Sends `bytes` in random pieces, then leaves the connection (closing it, or not, at random). */
function send(port, bytes) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    // A refused or reset connection ends the case too (the health check says whether that was wrong).
    socket.on('error', () => resolve());
    socket.on('data', () => {});
    socket.once('connect', async () => {
      for (let offset = 0; offset < bytes.length;) {
        const piece = 1 + int(200);
        socket.write(bytes.subarray(offset, offset + piece));
        offset += piece;
        if (random() < 0.2) await new Promise((next) => setImmediate(next));
      }
      setTimeout(() => { random() < 0.8 ? socket.destroy() : socket.end(); resolve(); }, int(20));
    });
  });
}

/** A normal GET on a fresh connection; resolves true when its END_REQUEST comes within 3 s. */
function healthy(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const decoder = new RecordDecoder();
    const timer = setTimeout(() => { socket.destroy(); resolve(false); }, 3000);
    socket.on('error', () => { clearTimeout(timer); resolve(false); });
    socket.on('data', (chunk) => decoder.decode(chunk, (record) => {
      if (record.type === RecordType.EndRequest) { clearTimeout(timer); socket.destroy(); resolve(true); }
    }));
    socket.once('connect', () => socket.write(Buffer.concat([
      encodeRecord(RecordType.BeginRequest, 1, encodeBeginRequestBody(1, 0)),
      encodeRecord(RecordType.Params, 1, encodeNameValuePairs([['REQUEST_METHOD', 'GET'], ['SCRIPT_NAME', '/app'], ['SERVER_PROTOCOL', 'HTTP/1.1']])),
      encodeRecord(RecordType.Params, 1), encodeRecord(RecordType.Stdin, 1),
    ])));
  });
}

const scratch = mkdtempSync(join(tmpdir(), 'netcgi-fuzz-'));
const port = 20000 + int(20000);
const server = spawn(process.execPath, [join(root, 'packages/connector-fcgi/dist/cli.js'), join(root, 'packages/connector-fcgi/test/fixtures/integration-app.mjs'),
  '--listen', String(port), '--no-supervisor', '--read-timeout', '2000'], { env: { ...process.env, TMPDIR: scratch }, stdio: ['ignore', 'ignore', 'pipe'] });
let stderrLines = 0;
server.stderr.on('data', (chunk) => { stderrLines += chunk.toString().split('\n').length - 1; });
let crashed = false;
server.once('exit', (code, signal) => { crashed = true; console.error(`netcgi-fcgi exited (${signal ?? code})`); });
const descriptors = () => readdirSync(`/proc/${server.pid}/fd`).length;

for (let attempt = 0; !(await healthy(port)); attempt++) {
  if (attempt > 100 || crashed) throw new Error('netcgi-fcgi did not start');
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const baseline = descriptors();
const counts = {};
const failures = [];
console.log(`fuzzing netcgi-fcgi (pid ${server.pid}) with ${cases} cases, seed ${seed}`);
for (let index = 0; index < cases && !crashed; index++) {
  const { kind, bytes } = fuzzCase();
  counts[kind] = (counts[kind] ?? 0) + 1;
  await send(port, bytes);
  if (index % 10 === 9 && !(await healthy(port))) failures.push(`case ${index} (${kind}): a normal request went unanswered`);
}
// Connections still lingering close by the read timeout (2 s); then nothing may be left.
await new Promise((resolve) => setTimeout(resolve, 4000));
if (!crashed && !(await healthy(port))) failures.push('after the cases: a normal request went unanswered');
const leakedDescriptors = crashed ? 0 : descriptors() - baseline;
const leftFiles = readdirSync(scratch);
if (crashed) failures.push('netcgi-fcgi crashed');
if (leakedDescriptors > 2) failures.push(`${leakedDescriptors} descriptors more than before the cases`);
if (leftFiles.length > 0) failures.push(`${leftFiles.length} temp files left: ${leftFiles.slice(0, 5).join(', ')}`);
server.kill('SIGTERM');
rmSync(scratch, { recursive: true, force: true });
console.log(`cases: ${JSON.stringify(counts)}; stderr lines: ${stderrLines}; descriptors: ${baseline} before, ${baseline + leakedDescriptors} after`);
console.log(failures.length === 0 ? `fuzz: ${cases} cases, seed ${seed}: no crash, no hang, no leak` : `fuzz: FAILED (seed ${seed}):\n  ${failures.join('\n  ')}`);
process.exit(failures.length === 0 ? 0 : 1);
