// testRequest(): runs an app on a built request through the core pipeline, all in memory.
import { Writable } from 'node:stream';
import { RequestAbortedError } from '@netcgi/core';
import { processRequest, WritableOutput, type App, type RequestOutcome, type RunOptions } from '@netcgi/core/connector';
import { buildRequest, type TestRequestInit } from './request-builder.js';
import { parseCgiResponse, type ParsedResponse } from './response-parser.js';

/** A test request: what to send, and the options a connector's `run…` takes. */
export interface TestRequestOptions extends TestRequestInit, RunOptions {
  /** Aborts the request as a web server that goes away would. */
  readonly signal?: AbortSignal;
}

/** What the app answered. */
export interface TestResponse extends ParsedResponse {
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON. @throws SyntaxError */
  json<T = unknown>(): T;
  /** The lines the app and the pipeline logged through `logError`. */
  readonly log: readonly string[];
  /** The raw CGI response, header block included. */
  readonly raw: Buffer;
  /** How the pipeline ended the request. */
  readonly outcome: RequestOutcome;
}

/**
 * Runs `app` on the request `options` describes and returns its response. The request is real:
 * forms and uploads are encoded into a body, so every check of the pipeline runs.
 * @throws what the app threw, only with `config.defaultErrorHandler` false.
 */
export async function testRequest(app: App, options: TestRequestOptions = {}): Promise<TestResponse> {
  const raw = await runRequest(app, options);
  const parsed = parseCgiResponse(raw.output);
  return {
    ...parsed,
    log: raw.log,
    raw: raw.output,
    outcome: raw.outcome,
    text: () => parsed.body.toString('utf8'),
    json: <T>() => JSON.parse(parsed.body.toString('utf8')) as T,
  };
}

/** @internal Runs a request and returns the raw CGI output, for testRequest and the command line. */
export async function runRequest(
  app: App,
  options: TestRequestOptions,
): Promise<{ output: Buffer; log: string[]; outcome: RequestOutcome }> {
  const { variables, body } = buildRequest(options);
  const chunks: Buffer[] = [];
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  const log: string[] = [];
  // As a real connector: an abort destroys both streams, so the app's reads and writes fail.
  const abort = (): void => {
    body.on('error', () => {}).destroy(new RequestAbortedError());
    output.destroy(new RequestAbortedError());
  };
  options.signal?.addEventListener('abort', abort, { once: true });
  let outcome: RequestOutcome;
  try {
    outcome = await processRequest(app, {
      variables,
      body,
      output: new WritableOutput(output),
      logError: (message) => log.push(message),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    }, options);
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  return { output: Buffer.concat(chunks), log, outcome };
}
