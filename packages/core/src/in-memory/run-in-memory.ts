// Runs an app on a described request, all in memory: the engine of testRequest() and the command line.
import { RequestAbortedError } from '../errors.js';
import type { RequestOutcome } from '../handle-error.js';
import type { ResponseHead } from '../output/response-head.js';
import { processRequest, type App, type RunOptions } from '../process-request.js';
import { MemoryOutput } from './memory-output.js';
import { buildRequest, type TestRequestInit } from './request-builder.js';

/** A request to run in memory: what to send, and the options a connector's `run…` takes. */
export interface InMemoryRequest extends TestRequestInit, RunOptions {
  /** Aborts the request as a web server that goes away would (already aborted: at once). */
  readonly signal?: AbortSignal;
}

/** What the app answered, as a connector received it. */
export interface InMemoryResponse {
  /** The head the pipeline sent; every completed request has one. */
  readonly head: ResponseHead | undefined;
  readonly body: Buffer;
  /** The lines logged through `logError`. */
  readonly log: string[];
  readonly outcome: RequestOutcome;
}

/**
 * Runs `app` once on the request `request` describes, through the one pipeline, in memory.
 * @throws what the app threw, only with `config.defaultErrorHandler` false; TypeError for a
 *   malformed description (a file given as a form field).
 */
export async function runInMemory(app: App, request: InMemoryRequest = {}): Promise<InMemoryResponse> {
  const { variables, body } = buildRequest(request);
  const output = new MemoryOutput();
  const log: string[] = [];
  const { signal } = request;
  // As a real connector: an abort makes the output refuse writes and fails the body's reads.
  const abort = (): void => {
    output.abort();
    body.on('error', () => {}).destroy(new RequestAbortedError());
  };
  if (signal?.aborted === true) abort();
  else signal?.addEventListener('abort', abort, { once: true });
  let outcome: RequestOutcome;
  try {
    outcome = await processRequest(app, {
      variables,
      body,
      output,
      logError: (message) => log.push(message),
      ...(signal === undefined ? {} : { signal }),
    }, request);
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  return { head: output.head, body: output.body, log, outcome };
}
