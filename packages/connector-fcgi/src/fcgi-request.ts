// One FastCGI request: its params, its input streams, the core pipeline, its END_REQUEST.
import { Readable } from 'node:stream';
import { RequestAbortedError } from '@netcgi/core';
import { CgiVariableList, processRequest, type App, type ConnectorRequest, type RequestOutcome, type RunOptions, type TurnLoad } from '@netcgi/core/connector';
import { FcgiRequestCgi, roleNames, type FcgiCgi } from './fcgi-cgi.js';
import { InputStream, type InputFlowControl } from './input-stream.js';
import { StdoutOutput } from './stdout-output.js';
import { decodeNameValueList, encodeResponseEnd, encodeStream, ProtocolError, ProtocolStatus, RecordType, Role, type LastContent } from './protocol/index.js';
import type { RecordSink } from './record-sink.js';

/** What a request needs of its connection. */
export interface RequestHost extends InputFlowControl {
  /** Where the request's records go. */
  readonly records: RecordSink;
  /** END_REQUEST went out (or the connection is gone): the request id is free again. */
  requestEnded(request: FcgiRequest): void;
  /** The pipeline has finished and freed everything the request held. */
  requestSettled(request: FcgiRequest): void;
  /** The process's log, for what cannot go to the request's FCGI_STDERR. */
  logError(line: string): void;
}

/** The settings every request of a server shares. */
export interface RequestSettings {
  readonly app: App<FcgiCgi>;
  readonly runOptions: RunOptions;
  /** Bound on the PARAMS stream of one request, in bytes. */
  readonly maxParamsSize: number;
  /** The PARAMS bytes every unfinished request of the server holds, under one bound. */
  readonly paramsBudget: ParamsBudget;
  /** The server's requests per turn: a response's end leaves at once only when not under load. */
  readonly load: TurnLoad;
}

/**
 * The bytes of PARAMS streams not yet ended, over every request of a server: each request's own
 * bound times the number of requests would still let a few connections hold gigabytes.
 */
export class ParamsBudget {
  held = 0;
  constructor(readonly limit: number) {}

  /** Takes `bytes` if the bound allows; false when it does not. */
  take(bytes: number): boolean {
    if (this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.held -= bytes;
  }
}

type RequestState = 'params' | 'running' | 'ended';

const NOTHING_HELD: LastContent = { stdout: [], stdoutBytes: 0 };

/** One request id on one connection, from BEGIN_REQUEST to END_REQUEST. */
export class FcgiRequest {
  readonly id: number;
  readonly role: number;
  readonly keepConnection: boolean;
  readonly #host: RequestHost;
  readonly #settings: RequestSettings;
  /** Made when first asked for (most apps never read cgi.signal); #abortReason says if it fired. */
  #controller: AbortController | undefined;
  #abortReason: Error | undefined;
  #state: RequestState = 'params';
  #params: Buffer[] = [];
  #paramsSize = 0;
  #stdin: InputStream | undefined;
  /** The empty STDIN record came before any stream was made. */
  #stdinEnded = false;
  /** The pipeline is over or the request aborted: STDIN is dropped. */
  #stdinDone = false;
  #data: InputStream | undefined;
  #output: StdoutOutput | undefined;
  /** The empty record that ends the input (STDIN, or a Filter's DATA) has come. */
  #inputEnded = false;
  /** The pipeline's abort listener (see ConnectorRequest.onAbort). */
  #onAbort: (() => void) | undefined;
  /** The server was told this request no longer holds a slot (once: see #settle). */
  #settled = false;
  #appStatus = 0;
  #stderrUsed = false;

  constructor(host: RequestHost, settings: RequestSettings, id: number, role: number, keepConnection: boolean) {
    this.#host = host;
    this.#settings = settings;
    this.id = id;
    this.role = role;
    this.keepConnection = keepConnection;
    settings.load.requestCame();
    // A Filter's DATA follows its STDIN (§6.4). STDIN's stream is made when first needed.
    if (role === Role.Filter) this.#data = new InputStream(host, 'bytes');
  }

  /**
   * Takes a PARAMS record; the empty one ends the stream and starts the app.
   * @throws ProtocolError when the params are not valid name-value pairs.
   */
  onParams(content: Buffer): void {
    if (this.#state !== 'params') return;
    if (content.length > 0) {
      if (this.#paramsSize + content.length > this.#settings.maxParamsSize) {
        this.#refuseParams(431, `the request's FastCGI params exceed ${this.#settings.maxParamsSize} bytes`);
      } else if (!this.#settings.paramsBudget.take(content.length)) {
        this.#refuseParams(503, `the server holds ${this.#settings.paramsBudget.limit} bytes of unfinished FastCGI params already (maxParamsTotal)`);
      } else {
        this.#paramsSize += content.length;
        this.#params.push(content);
      }
      return;
    }
    this.#releaseParams();
    // The seed upper-cases names: CGI/1.1 meta-variable names are case-insensitive.
    const variables = new CgiVariableList(decodeNameValueList(this.#params.length === 1 ? this.#params[0]! : Buffer.concat(this.#params), true));
    this.#params = [];
    this.#state = 'running';
    void this.#run(variables);
  }

  /** @throws ProtocolError for body bytes before the end of PARAMS (see #checkParamsEnded). */
  onStdin(content: Buffer): void {
    // The Authorizer role gets no body (FastCGI §6.3).
    if (this.role === Role.Authorizer || this.#stdinDone) return;
    this.#checkParamsEnded('STDIN', content);
    if (content.length === 0 && this.role !== Role.Filter) this.#inputEnded = true;
    // A GET's STDIN is one empty record: remember the end rather than make a stream for it.
    if (this.#stdin === undefined && content.length === 0) this.#stdinEnded = true;
    else this.#stdinStream().deliver(content);
  }

  /** The request body as the pipeline reads it (an Authorizer gets none, FastCGI §6.3). */
  bodyStream(): Readable {
    return this.role === Role.Authorizer ? Readable.from([]) : this.#stdinStream();
  }

  /** The pipeline's outcome, for END_REQUEST's appStatus. */
  setOutcome(outcome: RequestOutcome): void {
    this.#appStatus = appStatusOf(outcome);
  }

  /** The pipeline's abort listener (see ConnectorRequest.onAbort): told at once if already aborted. */
  listenForAbort(listener: () => void): void {
    if (this.#abortReason !== undefined) listener();
    else this.#onAbort = listener;
  }

  /** The body stream, made on first use: by a STDIN record with data, or by the pipeline reading. */
  #stdinStream(): InputStream {
    if (this.#stdin === undefined) {
      this.#stdin = new InputStream(this.#host, 'records');
      if (this.#stdinEnded) this.#stdin.deliver(Buffer.alloc(0));
      if (this.#stdinDone) this.#stdin.destroy(this.#abortReason);
    }
    return this.#stdin;
  }

  /** @throws ProtocolError for DATA bytes before the end of PARAMS. */
  onData(content: Buffer): void {
    this.#checkParamsEnded('DATA', content);
    if (content.length === 0) this.#inputEnded = true;
    this.#data?.deliver(content);
  }

  /**
   * A body before the end of its PARAMS is refused: no web server sends one (they send PARAMS,
   * then STDIN, FastCGI §6.2), and there is no app yet to read it. Held, it would fill its stream
   * and pause the socket, and with the socket the end of PARAMS, an abort and the peer's close:
   * the connection and its slots wedged for good.
   */
  #checkParamsEnded(stream: string, content: Buffer): void {
    if (this.#state === 'params' && content.length > 0) throw new ProtocolError(`${stream} for request ${this.id} before the end of its PARAMS`);
  }

  /** Still waiting for records from the web server: the rest of PARAMS, STDIN or DATA. */
  get receiving(): boolean {
    if (this.#state === 'params') return true;
    return this.#state === 'running' && !this.#stdinDone && !this.#inputEnded && this.role !== Role.Authorizer;
  }

  /** FCGI_ABORT_REQUEST: stop the app, answer END_REQUEST (FastCGI §5.4). */
  abort(): void {
    if (this.#state === 'ended') return;
    this.#abortWork(new RequestAbortedError('the web server aborted the request (FCGI_ABORT_REQUEST)'));
    this.#end(1);
    // The slot is free with END_REQUEST, whether or not the app ever returns.
    this.#settle();
  }

  /** The connection is gone: stop the app; nothing can be sent. */
  connectionLost(): void {
    if (this.#state === 'ended') return;
    this.#abortWork(new RequestAbortedError('the connection to the web server is gone'));
    this.#state = 'ended';
    this.#host.requestEnded(this);
    this.#settle();
  }

  async #run(variables: CgiVariableList): Promise<void> {
    const output = new StdoutOutput(this.#host.records, this.id, (last) => this.#end(this.#appStatus, last));
    this.#output = output;
    const role = roleNames.get(this.role) ?? 'responder';
    try {
      await processRequest(this.#settings.app, new PipelineRequest(this, variables, output, role), this.#settings.runOptions, (init) => new FcgiRequestCgi(init, role, this.#data));
    } catch (error) {
      // config.defaultErrorHandler is false: the app asked for its errors; the response is cut.
      this.logError(`the app threw: ${error instanceof Error ? error.stack : String(error)}`);
    } finally {
      this.#onAbort = undefined;
      // Discard what the app left unread: later STDIN / DATA records are dropped, not held.
      this.#stdinDone = true;
      this.#stdin?.destroy();
      this.#data?.destroy();
      this.#settle();
    }
  }

  /**
   * Sends the response's last STDOUT content (what its output held), the end of STDERR (if used)
   * and of STDOUT, then END_REQUEST, in one buffer, and writes it out with what is queued.
   */
  #end(appStatus: number, last: LastContent = NOTHING_HELD): void {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    this.#host.records.send([encodeResponseEnd(this.id, last, this.#stderrUsed, appStatus, ProtocolStatus.RequestComplete)]);
    // The response is whole: out with it now, or under load at the end of the turn (the flush
    // send() asked for), with the other responses of the turn.
    if (!this.#settings.load.underLoad) this.#host.records.flush();
    this.#host.requestEnded(this);
  }

  /** Frees the request's slot, once: at its abort, or when the pipeline is done. */
  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#host.requestSettled(this);
  }

  /** The request's signal, made when first asked for. */
  signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  #abortWork(reason: Error): void {
    this.#abortReason ??= reason;
    if (this.#state === 'params') {
      this.#releaseParams();
      this.#params = [];
    }
    this.#controller?.abort(reason);
    const listener = this.#onAbort;
    this.#onAbort = undefined;
    listener?.();
    this.#output?.destroy();
    this.#stdinDone = true;
    // With the reason, so that an app reading the body live sees why it ended.
    this.#stdin?.destroy(reason);
    this.#data?.destroy(reason);
  }

  /** A line for the web server's error log: the request's FCGI_STDERR while it is open. */
  logError(line: string): void {
    if (this.#state === 'ended' || !this.#host.records.open) {
      this.#host.logError(`request ${this.id}: ${line}`);
      return;
    }
    const records: Buffer[] = [];
    encodeStream(RecordType.Stderr, this.id, Buffer.from(`${line}\n`), records);
    this.#host.records.send(records);
    this.#stderrUsed = true;
  }

  /** The PARAMS bytes this request held go back to the server's budget. */
  #releaseParams(): void {
    this.#settings.paramsBudget.give(this.#paramsSize);
    this.#paramsSize = 0;
  }

  /** Params over a limit: answer `status` without running the app, and forget the rest. */
  #refuseParams(status: 431 | 503, message: string): void {
    this.#releaseParams();
    this.#params = [];
    this.#state = 'running';
    this.logError(message);
    const line = status === 431 ? '431 Request Header Fields Too Large' : '503 Service Unavailable';
    const response = Buffer.from(`Status: ${line}\r\nContent-Type: text/plain\r\n\r\n${message}\n`);
    const records: Buffer[] = [];
    encodeStream(RecordType.Stdout, this.id, response, records);
    this.#host.records.send(records);
    this.#stdinDone = true;
    this.#stdin?.destroy();
    this.#data?.destroy();
    this.#end(1);
    this.#settle();
  }
}

/** The Responder's appStatus, like a CGI program's exit status: 0 for a complete response. */
function appStatusOf(outcome: RequestOutcome): number {
  return outcome === 'complete' ? 0 : 1;
}

/**
 * What the pipeline reads of an {@link FcgiRequest}. A class, not an object literal with
 * `get body()` and `get signal()`: V8 allocates a literal's accessor pairs in the old generation,
 * and everything their getters close over then survives young collections until a full one
 * (connector-http's HttpExchange says what that cost).
 */
class PipelineRequest implements ConnectorRequest {
  readonly #request: FcgiRequest;
  readonly logError: (line: string) => void;

  constructor(request: FcgiRequest, readonly variables: CgiVariableList, readonly output: StdoutOutput, readonly role: string) {
    this.#request = request;
    this.logError = (line) => request.logError(line);
  }

  get body(): Readable {
    return this.#request.bodyStream();
  }

  get signal(): AbortSignal {
    return this.#request.signal();
  }

  onOutcome(outcome: RequestOutcome): void {
    this.#request.setOutcome(outcome);
  }

  onAbort(listener: () => void): void {
    this.#request.listenForAbort(listener);
  }
}
