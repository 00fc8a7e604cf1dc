// testRequest(): runs an app on a built request through the core pipeline, all in memory.
import { runInMemory, serializeCgiHead, type App, type InMemoryRequest, type RequestOutcome } from '@netcgi/core/connector';
import { parsedResponse, type ParsedResponse } from './response-parser.js';

/** A test request: what to send, and the options a connector's `run…` takes. */
export type TestRequestOptions = InMemoryRequest;

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
 *
 * An assertion that fails inside the app (an `AssertionError` of node:assert, vitest or chai) is
 * re-thrown once the request is over, so that it fails the test instead of becoming a 500 that
 * nobody checks.
 * @throws the app's AssertionError; what the app threw, only with `config.defaultErrorHandler` false.
 */
export async function testRequest(app: App, options: TestRequestOptions = {}): Promise<TestResponse> {
  let assertion: unknown;
  const checkedApp: App = async (cgi) => {
    try {
      await app(cgi);
    } catch (error) {
      if (isAssertionError(error)) assertion ??= error;
      throw error;
    }
  };
  const { head, body, log, outcome } = await runInMemory(checkedApp, options);
  if (assertion !== undefined) throw assertion;
  if (head === undefined) throw new Error(`the request ended without a response (${outcome})`);
  const parsed = parsedResponse(head, body);
  return {
    ...parsed,
    log,
    raw: Buffer.concat([Buffer.from(serializeCgiHead(head)), body]),
    outcome,
    text: () => body.toString('utf8'),
    json: <T>() => JSON.parse(body.toString('utf8')) as T,
  };
}

function isAssertionError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AssertionError' || error.constructor.name === 'AssertionError');
}
