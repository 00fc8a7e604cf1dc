// One transport connection: records in, requests by id, management records; out via its RecordWriter.
import type { Socket } from 'node:net';
import { FcgiRequest, type RequestHost, type RequestSettings } from './fcgi-request.js';
import type { InputStream } from './input-stream.js';
import { RecordWriter } from './record-writer.js';
import {
  decodeBeginRequestBody,
  decodeNameValuePairs,
  encodeEndRequest,
  encodeNameValuePairs,
  encodeRecord,
  encodeUnknownType,
  BeginRequestFlag,
  ProtocolError,
  ProtocolStatus,
  RecordDecoder,
  RecordType,
  Role,
  ValueName,
  type FcgiRecord,
} from './protocol/index.js';

/** What a connection needs of its server. */
export interface ConnectionHost {
  readonly settings: RequestSettings;
  readonly maxConnections: number;
  readonly maxRequests: number;
  readonly multiplex: boolean;
  /** Requests whose pipeline runs, over every connection. */
  readonly activeRequests: number;
  /** The server is shutting down: new requests are refused as overloaded. */
  readonly closing: boolean;
  /** Requests one connection may have at once (a share of maxRequests). */
  readonly maxRequestsPerConnection: number;
  /** How long a connection may stay silent (see FcgiOptions.readTimeout), in ms. */
  readonly readTimeout: number;
  requestStarted(): void;
  requestSettled(): void;
  connectionClosed(connection: Connection): void;
  logError(line: string): void;
}

/** How long a closed connection waits for the web server to close its side before resetting it. */
const LINGER_TIMEOUT_MS = 10_000;
/** How long a connection beyond maxConnections may stay silent before it is closed. */
const OVER_CAPACITY_TIMEOUT_MS = 2_000;

/** Serves the records of one socket (Go's `child`, the seed's `handle_connection`). */
export class Connection implements RequestHost {
  readonly #socket: Socket;
  readonly #server: ConnectionHost;
  /** Accepted beyond maxConnections: every request is answered FCGI_OVERLOADED. */
  readonly #overCapacity: boolean;
  readonly #decoder = new RecordDecoder();
  readonly #requests = new Map<number, FcgiRequest>();
  readonly #pausedBy = new Set<InputStream>();
  /** Where this connection's requests send their records. */
  readonly records: RecordWriter;
  /** Close once no request is active: a request without FCGI_KEEP_CONN, a shutdown, or the peer's end. */
  #closeWhenIdle = false;
  /** Requests taken on this connection so far. */
  #requestsTaken = 0;
  /** Our side is ended; waiting for the peer's close (LINGER_TIMEOUT_MS). */
  #lingering = false;

  constructor(socket: Socket, server: ConnectionHost, overCapacity: boolean) {
    this.#socket = socket;
    this.#server = server;
    this.#overCapacity = overCapacity;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#onPeerEnd());
    // ECONNRESET and the like: 'close' follows, which is where requests are aborted.
    socket.on('error', () => {});
    socket.on('close', () => this.#onClose());
    // One timer for the connection's life, refreshed by Node on every read and write.
    socket.on('timeout', () => this.#onSilence());
    socket.setTimeout(overCapacity ? OVER_CAPACITY_TIMEOUT_MS : server.readTimeout);
    // After the 'close' listener above: requests learn of the loss before their writers wake.
    this.records = new RecordWriter(socket);
  }

  /**
   * Stops taking requests and closes once the active ones have ended (graceful shutdown). A
   * connection that has not brought its first request yet is left to bring it, and that request
   * is served: the web server opened it to send one (nginx without keep-conn opens one per
   * request), and closing it now would lose that request. The shutdown's deadline bounds the wait.
   */
  close(): void {
    this.#closeWhenIdle = true;
    if (this.#requestsTaken > 0) this.#closeIfIdle();
  }

  /** Closes at once, aborting every active request. */
  destroy(): void {
    this.#socket.destroy();
  }

  pauseFor(stream: InputStream): void {
    this.#pausedBy.add(stream);
    this.#socket.pause();
  }

  resumeFor(stream: InputStream): void {
    if (this.#pausedBy.delete(stream) && this.#pausedBy.size === 0) this.#socket.resume();
  }

  requestEnded(request: FcgiRequest): void {
    if (this.#requests.get(request.id) === request) this.#requests.delete(request.id);
    if (!request.keepConnection) this.#closeWhenIdle = true;
    this.#closeIfIdle();
  }

  requestSettled(): void {
    this.#server.requestSettled();
  }

  logError(line: string): void {
    this.#server.logError(line);
  }

  #onData(chunk: Buffer): void {
    try {
      this.#decoder.decode(chunk, this.#onRecord);
    } catch (error) {
      // A ProtocolError is the peer's fault; anything else would be ours, and still must not
      // take the process (and every other connection) down.
      const reason = error instanceof ProtocolError ? error.message : `internal error: ${error instanceof Error ? error.stack : String(error)}`;
      this.#server.logError(`closing a FastCGI connection from ${this.#peerName()}: ${reason}`);
      this.#socket.destroy();
    }
  }

  readonly #onRecord = (record: FcgiRecord): void => {
    if (this.#socket.destroyed) return;
    if (record.requestId === 0) return this.#onManagementRecord(record);
    const request = this.#requests.get(record.requestId);
    switch (record.type) {
      case RecordType.BeginRequest: return this.#onBeginRequest(record);
      case RecordType.AbortRequest: return request?.abort();
      case RecordType.Params: return request?.onParams(record.content);
      case RecordType.Stdin: return request?.onStdin(record.content);
      case RecordType.Data: return request?.onData(record.content);
      // FastCGI §3.3: records of inactive ids are ignored; so are types a web server never sends.
      default: return;
    }
  };

  /** FastCGI §4: GET_VALUES is answered with the real settings, anything else is an unknown type. */
  #onManagementRecord(record: FcgiRecord): void {
    if (record.type !== RecordType.GetValues) {
      this.records.send([encodeUnknownType(record.type)]);
      return;
    }
    const values = new Map([
      [ValueName.MaxConnections, String(this.#server.maxConnections)],
      [ValueName.MaxRequests, String(this.#server.maxRequests)],
      [ValueName.MultiplexesConnections, this.#server.multiplex ? '1' : '0'],
    ]);
    // §4.1: the reply holds the asked-for variables the application knows, and no others.
    const answer: [string, string][] = [];
    for (const [name] of decodeNameValuePairs(record.content)) {
      const value = values.get(name as (typeof ValueName)[keyof typeof ValueName]);
      if (value !== undefined) answer.push([name, value]);
    }
    this.records.send([encodeRecord(RecordType.GetValuesResult, 0, encodeNameValuePairs(answer))]);
  }

  #onBeginRequest(record: FcgiRecord): void {
    const { role, flags } = decodeBeginRequestBody(record.content);
    const id = record.requestId;
    // Go's fcgi does the same: a second BEGIN_REQUEST for a live id is a broken peer.
    if (this.#requests.has(id)) throw new ProtocolError(`BEGIN_REQUEST for request ${id}, which is already active`);
    const keepConnection = (flags & BeginRequestFlag.KeepConnection) !== 0;
    const refusal = this.#refusal(role);
    if (refusal !== undefined) {
      this.records.send([encodeEndRequest(id, 0, refusal)]);
      // A connection beyond maxConnections is answered, then closed: descriptors stay bounded.
      if (!keepConnection || this.#overCapacity) this.#closeWhenIdle = true;
      this.#closeIfIdle();
      return;
    }
    this.#requests.set(id, new FcgiRequest(this, this.#server.settings, id, role, keepConnection));
    this.#requestsTaken++;
    this.#server.requestStarted();
  }

  /** FastCGI §5.5: why a new request cannot be taken, or undefined when it can. */
  #refusal(role: number): ProtocolStatus | undefined {
    if (role !== Role.Responder && role !== Role.Authorizer && role !== Role.Filter) return ProtocolStatus.UnknownRole;
    if (!this.#server.multiplex && this.#requests.size > 0) return ProtocolStatus.CantMultiplexConnection;
    // A closing server still serves the first request of a connection it accepted (see close()).
    const firstOfClosing = this.#requestsTaken === 0 && !this.#overCapacity;
    if (this.#overCapacity || ((this.#server.closing || this.#closeWhenIdle) && !firstOfClosing)) return ProtocolStatus.Overloaded;
    if (this.#server.activeRequests >= this.#server.maxRequests) return ProtocolStatus.Overloaded;
    if (this.#requests.size >= this.#server.maxRequestsPerConnection) return ProtocolStatus.Overloaded;
    return undefined;
  }

  /**
   * The socket was silent for the read timeout. A request still waiting for its PARAMS, STDIN or
   * DATA will not get them: its connection is closed, which aborts it and frees its slot. A
   * connection without requests is idle: closed quietly. One whose requests have all they need
   * waits for its apps (their own deadline is --request-timeout).
   */
  #onSilence(): void {
    if (this.#lingering || this.#overCapacity) {
      this.#socket.destroy();
      return;
    }
    if (this.#requests.size === 0) {
      this.#closeWhenIdle = true;
      this.#closeIfIdle();
      return;
    }
    const waiting = [...this.#requests.values()].filter((request) => request.receiving).map((request) => request.id);
    if (waiting.length === 0) return;
    this.#server.logError(`closing a FastCGI connection from ${this.#peerName()}: nothing received for ${this.#server.readTimeout} ms while request${waiting.length === 1 ? '' : 's'} ${waiting.join(', ')} waited for records (readTimeout)`);
    this.#socket.destroy();
  }

  /**
   * The web server closed its side. No web server half-closes while it waits for responses (nginx
   * closes on a client abort; Go and the seed treat EOF the same way): the requests are aborted.
   */
  #onPeerEnd(): void {
    this.#socket.destroy();
  }

  /** Ends our side once idle; the peer's close then frees the socket (or the linger timeout does). */
  #closeIfIdle(): void {
    if (!this.#closeWhenIdle || this.#requests.size > 0 || this.#socket.destroyed) return;
    this.records.flush();
    if (!this.#socket.writableEnded) this.#socket.end();
    // Keep reading (and dropping) what the web server still sends: closing a socket with unread
    // data resets it, and a reset can lose the tail of the response (the seed's lingering close).
    this.#socket.resume();
    this.#lingering = true;
    this.#socket.setTimeout(LINGER_TIMEOUT_MS);
  }

  #onClose(): void {
    for (const request of [...this.#requests.values()]) request.connectionLost();
    this.#requests.clear();
    this.#server.connectionClosed(this);
  }

  #peerName(): string {
    const { remoteAddress, remotePort } = this.#socket;
    return remoteAddress === undefined ? 'a unix socket' : `${remoteAddress}:${remotePort}`;
  }
}
