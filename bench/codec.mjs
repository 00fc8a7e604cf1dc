// The FastCGI record codec alone (records encoded and decoded per second), and the hello request
// through the FastCGI connector in process (in a fresh Node: bench/hello-in-process.mjs), with the
// codec's share of its CPU profile: the codec must not be the bottleneck.
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { FcgiServer } from '@netcgi/connector-fcgi';
import {
  encodeBeginRequestBody, encodeNameValuePairs, encodeRecord, encodeStream, RecordDecoder, RecordType,
} from '@netcgi/connector-fcgi/protocol';
import { cleanEnvironment } from '../test-support/dist/processes.js';
import { median } from './lib/stats.mjs';

const MiB = 1024 * 1024;

function timeLoop(seconds, body) {
  let operations = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    operations += body();
    now = process.hrtime.bigint();
  }
  return operations / (Number(now - start) / 1e9);
}

/** Records per second for encoding and for decoding, at one content size. */
function codecAt(contentSize, seconds) {
  const content = Buffer.alloc(contentSize, 0x61);
  const batch = contentSize < 1024 ? 1000 : 50;
  const encodeRate = timeLoop(seconds, () => {
    const out = [];
    for (let index = 0; index < batch; index++) encodeStream(RecordType.Stdout, 1, content, out);
    return batch;
  });
  const stream = [];
  for (let index = 0; index < batch; index++) encodeStream(RecordType.Stdout, 1, content, stream);
  const bytes = Buffer.concat(stream);
  const decoder = new RecordDecoder();
  let decoded = 0;
  const count = () => { decoded++; };
  const decodeRate = timeLoop(seconds, () => {
    // In the 64 KiB pieces a socket read gives.
    for (let offset = 0; offset < bytes.length; offset += 64 * 1024) decoder.decode(bytes.subarray(offset, offset + 64 * 1024), count);
    return batch;
  });
  if (decoded === 0) throw new Error('nothing decoded');
  return { contentSize, encodePerSecond: encodeRate, decodePerSecond: decodeRate, encodeMiBps: (encodeRate * contentSize) / MiB, decodeMiBps: (decodeRate * contentSize) / MiB };
}

/** nginx's params for GET /hello, as the hello suite sends them. */
const helloParams = [
  ['QUERY_STRING', ''], ['REQUEST_METHOD', 'GET'], ['CONTENT_TYPE', ''], ['CONTENT_LENGTH', ''],
  ['SCRIPT_NAME', '/netcgi/tcp/keep/hello'], ['REQUEST_URI', '/netcgi/tcp/keep/hello'], ['DOCUMENT_URI', '/netcgi/tcp/keep/hello'],
  ['DOCUMENT_ROOT', '/usr/share/nginx/html'], ['SERVER_PROTOCOL', 'HTTP/1.1'], ['REQUEST_SCHEME', 'http'],
  ['GATEWAY_INTERFACE', 'CGI/1.1'], ['SERVER_SOFTWARE', 'nginx/1.22.1'], ['REMOTE_ADDR', '127.0.0.1'], ['REMOTE_PORT', '53122'],
  ['SERVER_ADDR', '127.0.0.1'], ['SERVER_PORT', '8080'], ['SERVER_NAME', ''], ['REDIRECT_STATUS', '200'],
  ['SCRIPT_FILENAME', '/srv/index.php'], ['HTTP_HOST', '127.0.0.1:8080'],
];

/** A socket stand-in: each response's END_REQUEST makes the next request arrive, a turn later. */
class LoopbackSocket extends EventEmitter {
  destroyed = false; writable = true; writableNeedDrain = false; writableEnded = false;
  constructor(request, onResponse) { super(); this.request = request; this.onResponse = onResponse; }
  cork() {} uncork() {} pause() {} resume() {} setTimeout() {} end() {} destroy() {}
  write(bytes) {
    // END_REQUEST (type 3) is the response's last record.
    if (bytes[bytes.length - 15] === RecordType.EndRequest && this.onResponse()) setImmediate(() => this.emit('data', this.request));
    return true;
  }
}

/** µs per hello request through FcgiServer.accept → Connection → FcgiRequest → core pipeline → records, 32 connections. */
export async function helloInProcess(app, options, requests) {
  const request = Buffer.concat([
    encodeRecord(RecordType.BeginRequest, 1, encodeBeginRequestBody(1, 1)),
    encodeRecord(RecordType.Params, 1, encodeNameValuePairs(helloParams)), encodeRecord(RecordType.Params, 1), encodeRecord(RecordType.Stdin, 1),
  ]);
  const server = new FcgiServer(app, options, {
    listen: undefined, allow: new Set(), maxConnections: 1024, maxRequests: 1024, multiplex: true, maxParamsSize: MiB, maxParamsTotal: 32 * MiB, maxRequestsPerConnection: 1024, readTimeout: 90_000,
    logError(line) { throw new Error(line); },
  });
  let answered = 0;
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  const onResponse = () => {
    if (++answered === requests) done();
    return answered + 32 <= requests;
  };
  const sockets = Array.from({ length: 32 }, () => new LoopbackSocket(request, onResponse));
  for (const socket of sockets) server.accept(socket);
  const start = process.hrtime.bigint();
  for (const socket of sockets) socket.emit('data', request);
  await finished;
  const microseconds = Number(process.hrtime.bigint() - start) / 1e3 / requests;
  for (const socket of sockets) socket.emit('close');
  return microseconds;
}

/** Self time of the profile's nodes whose script is in the codec (protocol/), over all busy time. */
export function codecShare(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  let busy = 0;
  let codec = 0;
  for (const id of profile.samples) {
    const frame = byId.get(id).callFrame;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
    busy++;
    if (frame.url.includes('/protocol/')) codec++;
  }
  return codec / busy;
}

export async function codecSuite({ seconds, rounds, log }) {
  const sizes = [14, 64 * 1024 - 8];
  const codec = sizes.map((size) => {
    const runs = Array.from({ length: rounds }, () => codecAt(size, seconds));
    const pick = (key) => median(runs.map((run) => run[key]));
    const result = { contentSize: size, encodePerSecond: pick('encodePerSecond'), decodePerSecond: pick('decodePerSecond'), encodeMiBps: pick('encodeMiBps'), decodeMiBps: pick('decodeMiBps') };
    log(`codec ${size} B: encode ${Math.round(result.encodePerSecond)}/s, decode ${Math.round(result.decodePerSecond)}/s`);
    return result;
  });

  const hello = helloInFreshProcess(process.execPath, { rounds, profile: true });
  log(`hello in process: ${hello.microsecondsPerRequest.toFixed(2)} µs/request, codec ${(hello.codecShare * 100).toFixed(1)}% of its profile`);
  return { codec, hello };
}

/**
 * The in-process hello measured by bench/hello-in-process.mjs in a fresh `node` (a path to the
 * binary of any Node line): `{ microsecondsPerRequest, codecShare? }`.
 */
export function helloInFreshProcess(node, { rounds = 5, profile = false } = {}) {
  const script = fileURLToPath(new URL('./hello-in-process.mjs', import.meta.url));
  const output = execFileSync(node, [script, '--rounds', String(rounds), ...(profile ? ['--profile'] : [])], { encoding: 'utf8', env: cleanEnvironment() });
  return JSON.parse(output);
}
