// A 256 MiB multipart upload (fields and files) through the core pipeline vs busboy alone writing
// the same files: what the pipeline (argument store, temp files, limits) costs over the parser.
import busboy from 'busboy';
import { createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { processRequest } from '@netcgi/core/connector';
import { median, pairedRatio } from './lib/stats.mjs';

const MiB = 1024 * 1024;
const BOUNDARY = '----netcgi-bench-boundary-7MA4YWxkTrZu0gW';

/** 1024 small fields and 16 files of 16 MiB, as one body; returns it and what it holds. */
function multipartBody() {
  const parts = [];
  for (let index = 0; index < 1024; index++) {
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="field${index}"\r\n\r\n${'v'.repeat(64)}${index}\r\n`));
  }
  const file = Buffer.alloc(16 * MiB);
  for (let index = 0; index < file.length; index++) file[index] = (index * 131 + 17) & 0xff;
  for (let index = 0; index < 16; index++) {
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file${index}"; filename="f${index}.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`), file, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return { body: Buffer.concat(parts), fields: 1024, files: 16, fileSize: file.length };
}

/** The body in 64 KiB chunks, as a connector delivers it. */
function chunksOf(body) {
  return Readable.from((function* () {
    for (let offset = 0; offset < body.length; offset += 64 * 1024) yield body.subarray(offset, offset + 64 * 1024);
  })(), { objectMode: false });
}

const discardingOutput = { writable: true, write() {}, writeHead() {}, end() {} };

async function throughPipeline(body, expected, directory) {
  let seen;
  const outcome = await processRequest((cgi) => {
    const files = cgi.arguments.filter((argument) => argument.filename !== undefined);
    seen = { fields: cgi.arguments.length - files.length, files: files.length, sizes: files.every((file) => file.size === expected.fileSize && file.store === 'file') };
  }, {
    variables: [['REQUEST_METHOD', 'POST'], ['CONTENT_TYPE', `multipart/form-data; boundary=${BOUNDARY}`], ['CONTENT_LENGTH', String(body.length)], ['SCRIPT_NAME', '/upload'], ['SERVER_NAME', 'localhost'], ['SERVER_PORT', '80']],
    body: chunksOf(body),
    output: discardingOutput,
    logError: (line) => { throw new Error(line); },
  }, { config: { tmpDirectory: directory, maxArguments: 4096 } });
  if (outcome !== 'complete' || seen?.fields !== expected.fields || seen.files !== expected.files || !seen.sizes) {
    throw new Error(`the pipeline saw ${JSON.stringify(seen)} (${outcome})`);
  }
  if (readdirSync(directory).length !== 0) throw new Error('the pipeline left temp files behind');
}

async function throughBusboy(body, expected, directory) {
  const parser = busboy({ headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, limits: { fields: 4096 } });
  const fields = [];
  const written = [];
  let count = 0;
  parser.on('field', (name, value) => fields.push([name, value]));
  parser.on('file', (_name, stream) => {
    const output = createWriteStream(join(directory, `file-${count++}`), { mode: 0o600 });
    stream.pipe(output);
    written.push(finished(output));
  });
  await pipeline(chunksOf(body), parser);
  await Promise.all(written);
  if (fields.length !== expected.fields || written.length !== expected.files) throw new Error(`busboy saw ${fields.length} fields, ${written.length} files`);
  for (const name of readdirSync(directory)) rmSync(join(directory, name));
}

export async function multipartSuite({ rounds, scratch, log }) {
  // A directory of its own: both sides must leave it empty.
  const directory = join(scratch, 'multipart');
  mkdirSync(directory, { recursive: true });
  const expected = multipartBody();
  const sizeMiB = expected.body.length / MiB;
  const times = { pipeline: [], busboy: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['pipeline', 'busboy'] : ['busboy', 'pipeline'];
    for (const which of order) {
      const start = process.hrtime.bigint();
      if (which === 'pipeline') await throughPipeline(expected.body, expected, directory);
      else await throughBusboy(expected.body, expected, directory);
      times[which].push(Number(process.hrtime.bigint() - start) / 1e9);
    }
    log(`multipart round ${round + 1}/${rounds}: pipeline ${(sizeMiB / times.pipeline.at(-1)).toFixed(0)} MiB/s, busboy ${(sizeMiB / times.busboy.at(-1)).toFixed(0)} MiB/s`);
  }
  const rate = (seconds) => seconds.map((value) => sizeMiB / value);
  return {
    sizeMiB,
    fields: expected.fields,
    files: expected.files,
    pipelineMiBps: median(rate(times.pipeline)),
    busboyMiBps: median(rate(times.busboy)),
    ratio: pairedRatio(rate(times.pipeline), rate(times.busboy)),
  };
}
