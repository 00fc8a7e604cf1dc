// The one request pipeline every connector runs: checks, arguments, the app, commit, errors, clean-up.
import type { Readable } from 'node:stream';
import { defaultArgStore, type ArgStore, type ArgumentContext } from './arguments/argument-store.js';
import { readArguments } from './arguments/read-arguments.js';
import { RequestCgi, type Cgi, type CgiInit } from './cgi.js';
import { makeConfig, type Config } from './config.js';
import { Environment } from './environment.js';
import { HttpError } from './errors.js';
import { requestLine, respondToError, type RequestOutcome } from './handle-error.js';
import { BufferedOutput } from './output/buffered-output.js';
import { DirectOutput, DiscardingOutput } from './output/direct-output.js';
import { OutChannel } from './output/output-channel.js';
import type { OutputSink } from './output/output-sink.js';
import type { ResponseOutput, WritableOutput } from './output/response-output.js';
import { isCgiVariables, splitCgiVariables, type CgiVariables } from './properties.js';
import { MeteredOutput, RequestDeadline, type RequestSummary } from './request-watch.js';
import { TempFiles } from './temp-files.js';

/** An application: called once per request. */
export type App<C extends Cgi = Cgi> = (cgi: C) => void | Promise<void>;

/**
 * How the response body is held: `direct` writes through; `transactional` keeps it in memory
 * until `commit()`; `transactional-tempfile` too, moving it to a temp file past
 * `config.outputSpillThreshold` bytes.
 */
export type OutputType = 'direct' | 'transactional' | 'transactional-tempfile';

/** Wraps the whole run of a request (argument parsing included), e.g. to map exceptions. */
export type ExceptionHandler = (env: Environment, run: () => Promise<void>) => Promise<void>;

/** The options every connector's `run…(app, options)` takes. */
export interface RunOptions {
  /** Overrides of {@link defaultConfig}. */
  config?: Partial<Config>;
  /** Default `direct`. */
  outputType?: OutputType;
  /** Default: {@link defaultArgStore}. */
  argStore?: ArgStore;
  exnHandler?: ExceptionHandler;
  /**
   * The longest an app may run, in ms: past it the request's signal aborts and the pipeline
   * answers 504 (or cuts a response already begun) and cleans up, without waiting for the app.
   * Default: no limit.
   */
  requestTimeout?: number;
  /** Told each request's summary when it is over (an access log, counters). */
  onRequestEnd?: (summary: RequestSummary) => void;
}

/** What a connector supplies for one request; see docs/architecture.md, "The connector contract". */
export interface ConnectorRequest {
  /**
   * The CGI meta-variables (RFC 3875 §4.1), `HTTP_*` request headers included; or already
   * `CgiVariables`: a `CgiVariableList` over the variables as decoded (FastCGI's PARAMS), or a
   * `CgiVariableMap` from a connector that reads HTTP itself (`httpRequestVariables`), which spares
   * making `HTTP_*` names only to split them again.
   */
  readonly variables: Iterable<readonly [string, string]> | CgiVariables;
  /**
   * The request body. The pipeline reads at most CONTENT_LENGTH bytes, may stop early and may
   * destroy the stream; the connector discards whatever is left. Read only when there is a body
   * to read, so a connector may make the stream on first read (a GET needs none).
   */
  readonly body: Readable;
  /**
   * The raw CGI response: header block, then body. The pipeline ends it when the response is
   * complete. A stream goes in a {@link WritableOutput}.
   */
  readonly output: ResponseOutput;
  /** A line for the web server's error log. */
  readonly logError: (message: string) => void;
  /**
   * Aborted when the request is aborted or the peer is gone; the connector also destroys `output`.
   * Read only when the app reads `cgi.signal` or the request failed, so a connector may make it
   * on first read (an AbortController per request is a measurable cost).
   */
  readonly signal?: AbortSignal;
  /**
   * Told the outcome just before `output` is ended, so that the connector's `_final` can report it
   * (FastCGI's appStatus). An error re-thrown to the connector counts as `cut-off`.
   */
  readonly onOutcome?: (outcome: RequestOutcome) => void;
  /** The FastCGI role, for {@link RunOptions.onRequestEnd}; default `responder`. */
  readonly role?: string;
  /**
   * Takes the one listener the pipeline registers before it runs the app, to hear of an abort
   * without making `signal` (an AbortController per request is a cost): the connector calls it
   * once when the request is aborted or its peer is gone (at once if that already happened), and
   * frees its own slot for the request then, without waiting for `processRequest` to settle. The
   * listener removes the request's temp files at once and logs an app still running 10 s later:
   * an app waiting for a 'drain' that will never come holds neither the slot nor the files.
   */
  readonly onAbort?: (listener: () => void) => void;
}

const configs = new WeakMap<RunOptions, Config>();

/**
 * Runs `app` for one request: method and content-type checks, arguments, the app, the commit,
 * error responses, then the end of `request.output` and the clean-up of every temp file and
 * `atExit` callback. `makeCgi` lets a connector add its own powers to the Cgi (`FcgiCgi`) by
 * constructing a subclass of {@link RequestCgi}.
 * @throws what the app threw, only when `config.defaultErrorHandler` is false (after clean-up).
 */
export async function processRequest<C extends Cgi = Cgi>(
  app: App<C>,
  request: ConnectorRequest,
  options: RunOptions = {},
  makeCgi?: (init: CgiInit) => C & RequestCgi,
): Promise<RequestOutcome> {
  const config = configOf(options);
  const started = options.onRequestEnd === undefined ? 0 : performance.now();
  const metered = options.onRequestEnd === undefined ? undefined : new MeteredOutput(request.output);
  const raw = metered ?? request.output;
  const variables = isCgiVariables(request.variables) ? request.variables : splitCgiVariables(request.variables);
  const env = new Environment({ variables, config, output: raw, logError: request.logError });
  const tempFiles = new TempFiles(config.tmpDirectory, config.tmpPrefix);
  const deadline = options.requestTimeout === undefined ? undefined : new RequestDeadline(options.requestTimeout, () => request.signal);
  // A connector without a signal (CGI, in memory) still gives each request a signal of its own:
  // one shared signal would collect every request's abort listeners (a Fetch Request adds one).
  const signalOf = deadline === undefined ? (): AbortSignal => request.signal ?? new AbortController().signal : () => deadline.signal();
  let cgi: RequestCgi | undefined;

  const run = async (): Promise<void> => {
    const method = checkMethod(env);
    const context = argumentContext(env, options.argStore ?? defaultArgStore, tempFiles);
    // Each step awaits only what is pending: a GET answered synchronously makes no promise here.
    const parsed = readArguments(context, method, () => request.body);
    const { arguments: argumentList, body, parts } = parsed instanceof Promise ? await parsed : parsed;
    const out = makeOutChannel(env, raw, method, options.outputType ?? 'direct', tempFiles);
    const init: CgiInit = { environment: env, method, arguments: argumentList, body, parts, out, signalOf, tempFiles };
    const requestCgi = makeCgi === undefined ? (new RequestCgi(init) as C & RequestCgi) : makeCgi(init);
    cgi = requestCgi;
    let running: Promise<void> | void = undefined;
    request.onAbort?.(() => abandon(env, tempFiles, running));
    running = app(requestCgi);
    if (running !== undefined) await (deadline === undefined ? running : deadline.race(running));
    if (!out.commitAndEndAtOnce()) {
      await out.commit();
      out.end();
    }
  };

  let outcome: RequestOutcome = 'cut-off';
  try {
    await (options.exnHandler ?? runDirectly)(env, run);
    if (!env.headerSent) answerWithHeaderOnly(env, cgi);
    outcome = 'complete';
  } catch (error) {
    const aborted = request.signal?.aborted === true;
    if (!config.defaultErrorHandler && !aborted) throw error;
    outcome = aborted ? 'aborted' : await respondSafely(env, raw, cgi, error);
  } finally {
    deadline?.clear();
    request.onOutcome?.(outcome);
    const ending = raw.end();
    if (ending !== undefined) await ending;
    const finalizing = cgi === undefined ? tempFiles.removeAll() : cgi.finalizeAtOnce();
    if (finalizing !== undefined) await finalizing;
    if (metered !== undefined) {
      options.onRequestEnd!({
        method: env.requestMethod, path: env.scriptName + env.pathInfo, status: metered.status, bytes: metered.bytes,
        durationMs: performance.now() - started, outcome, role: request.role ?? 'responder',
      });
    }
  }
  return outcome;
}

const runDirectly: ExceptionHandler = (_env, run) => run();

/** How long an app may go on after its request was aborted before a log line says so. */
const STILL_RUNNING_MS = 10_000;

/**
 * The request was aborted: its temp files go now, whatever the app does (an app stuck on a
 * 'drain' that will never come would hold them for ever); an app still running 10 s later is
 * logged. The pipeline's own clean-up, when the app returns, finds nothing left to remove.
 */
function abandon(env: Environment, tempFiles: TempFiles, running: Promise<void> | void): void {
  void tempFiles.removeAll();
  if (running === undefined) return;
  let settled = false;
  const timer = setTimeout(() => {
    if (!settled) env.logError(`${requestLine(env)}: the app is still running ${STILL_RUNNING_MS / 1000} s after its request was aborted (its temp files and slot were freed without it)`);
  }, STILL_RUNNING_MS);
  timer.unref();
  const done = (): void => { settled = true; clearTimeout(timer); };
  running.then(done, done);
}

/**
 * An exnHandler returned without rethrowing what the run threw, so nothing was committed: answer
 * with the header as it stands and no body, rather than with no response at all.
 */
function answerWithHeaderOnly(env: Environment, cgi: RequestCgi | undefined): void {
  cgi?.out.destroy();
  env.sendOutputHeader();
}

function configOf(options: RunOptions): Config {
  let config = configs.get(options);
  if (config === undefined) {
    config = makeConfig(options.config);
    configs.set(options, config);
  }
  return config;
}

function checkMethod(env: Environment): string {
  const method = env.requestMethod;
  if (method === '') {
    throw new HttpError(400, 'the request has no REQUEST_METHOD: run the app through a connector (netcgi-test from a shell)');
  }
  const permitted = env.config.permittedHttpMethods;
  if (!permitted.includes(method)) {
    throw new HttpError(405, `the request method ${method} is not allowed`, { headers: { Allow: permitted.join(', ') } });
  }
  return method;
}

function argumentContext(env: Environment, argStore: ArgStore, tempFiles: TempFiles): ArgumentContext {
  let count = 0;
  const { maxArguments } = env.config;
  return {
    env,
    argStore,
    tempFiles,
    countArgument() {
      if (++count > maxArguments) throw new HttpError(413, `the request has more than ${maxArguments} arguments`);
    },
  };
}

function makeOutChannel(env: Environment, raw: ResponseOutput, method: string, outputType: OutputType, tempFiles: TempFiles): OutChannel {
  const sendHeader = (): void => env.sendOutputHeader();
  let sink: OutputSink;
  if (method === 'HEAD') sink = new DiscardingOutput();
  else if (outputType === 'direct') sink = new DirectOutput(raw, sendHeader);
  else if (outputType === 'transactional') sink = new BufferedOutput(raw);
  else sink = new BufferedOutput(raw, tempFiles, env.config.outputSpillThreshold);
  return new OutChannel(sink, sendHeader);
}

async function respondSafely(env: Environment, raw: ResponseOutput, cgi: RequestCgi | undefined, error: unknown): Promise<RequestOutcome> {
  try {
    return await respondToError(env, raw, cgi?.out, error);
  } catch (pageError) {
    env.logError(`${requestLine(env)}: the error response failed too: ${String(pageError)}`);
  }
  if (env.headerSent) return 'cut-off';
  // E.g. an HttpError with a header value holding a line break: answer a plain 500 instead.
  try {
    return await respondToError(env, raw, undefined, new HttpError(500));
  } catch {
    return 'cut-off';
  }
}
