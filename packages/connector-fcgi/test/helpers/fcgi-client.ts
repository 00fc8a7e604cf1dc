// A FastCGI client that plays the web server over a real socket, for the raw-socket tests.
import { connect, type Socket } from 'node:net';
import {
  decodeNameValuePairs,
  encodeBeginRequestBody,
  encodeNameValuePairs,
  encodeRecord,
  BeginRequestFlag,
  RecordDecoder,
  RecordType,
  Role,
  type FcgiRecord,
} from '@netcgi/connector-fcgi/protocol';

/** What the application sent for one request id. */
export interface FcgiResponse {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly appStatus: number;
  readonly protocolStatus: number;
  /** Every record of this id, in order (to check stream ends and ordering). */
  readonly records: FcgiRecord[];
}

export interface BeginOptions {
  readonly role?: number;
  readonly keepConnection?: boolean;
}

/** Records for one whole request: BEGIN_REQUEST, PARAMS, an empty PARAMS, STDIN, an empty STDIN. */
export function requestRecords(id: number, params: Record<string, string>, stdin: Buffer = Buffer.alloc(0), options: BeginOptions = {}): Buffer[] {
  const flags = options.keepConnection ?? true ? BeginRequestFlag.KeepConnection : 0;
  const records = [encodeRecord(RecordType.BeginRequest, id, encodeBeginRequestBody(options.role ?? Role.Responder, flags))];
  const paramBytes = encodeNameValuePairs(Object.entries(params));
  for (let start = 0; start < paramBytes.length; start += 65535) records.push(encodeRecord(RecordType.Params, id, paramBytes.subarray(start, start + 65535)));
  records.push(encodeRecord(RecordType.Params, id));
  for (let start = 0; start < stdin.length; start += 65535) records.push(encodeRecord(RecordType.Stdin, id, stdin.subarray(start, start + 65535)));
  records.push(encodeRecord(RecordType.Stdin, id));
  return records;
}

/** A GET's params, with what the conformance and core need. */
export function getParams(path: string, extra: Record<string, string> = {}): Record<string, string> {
  const [scriptPath, query = ''] = path.split('?', 2) as [string, string?];
  return { REQUEST_METHOD: 'GET', SCRIPT_NAME: scriptPath, QUERY_STRING: query, REQUEST_URI: path, SERVER_PROTOCOL: 'HTTP/1.1', SERVER_NAME: 'localhost', SERVER_PORT: '80', ...extra };
}

/** One connection to the application, collecting what comes back per request id. */
export class FcgiClient {
  readonly socket: Socket;
  readonly managementRecords: FcgiRecord[] = [];
  readonly #decoder = new RecordDecoder();
  readonly #records = new Map<number, FcgiRecord[]>();
  readonly #waiters: (() => void)[] = [];
  #closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#decoder.decode(chunk, (record) => {
        const content = Buffer.from(record.content);
        const copy = { ...record, content };
        if (record.requestId === 0) this.managementRecords.push(copy);
        else {
          const list = this.#records.get(record.requestId) ?? [];
          list.push(copy);
          this.#records.set(record.requestId, list);
        }
      });
      this.#wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
  }

  /** Connects to a TCP port on loopback or a unix socket path. */
  static connect(address: number | string): Promise<FcgiClient> {
    return new Promise((resolve, reject) => {
      const socket = typeof address === 'number' ? connect(address, '127.0.0.1') : connect(address);
      socket.once('connect', () => resolve(new FcgiClient(socket))).once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(records: readonly Buffer[]): void {
    this.socket.write(Buffer.concat(records));
  }

  /** Sends a whole request and waits for its END_REQUEST. */
  async request(id: number, params: Record<string, string>, stdin?: Buffer, options?: BeginOptions): Promise<FcgiResponse> {
    this.write(requestRecords(id, params, stdin, options));
    return this.response(id);
  }

  /** Waits for END_REQUEST of `id`. @throws Error when the connection closes first. */
  async response(id: number): Promise<FcgiResponse> {
    await this.until(() => this.#records.get(id)?.some((record) => record.type === RecordType.EndRequest) ?? false, `END_REQUEST of request ${id}`);
    const records = this.#records.get(id)!;
    this.#records.delete(id);
    const end = records.find((record) => record.type === RecordType.EndRequest)!;
    const stream = (type: number): Buffer => Buffer.concat(records.filter((record) => record.type === type).map((record) => record.content));
    return { stdout: stream(RecordType.Stdout), stderr: stream(RecordType.Stderr), appStatus: end.content.readUInt32BE(0), protocolStatus: end.content[4]!, records };
  }

  /** Waits for the next management record. */
  async managementRecord(): Promise<FcgiRecord> {
    await this.until(() => this.managementRecords.length > 0, 'a management record');
    return this.managementRecords.shift()!;
  }

  /** Records received so far for `id` (without waiting). */
  recordsOf(id: number): readonly FcgiRecord[] {
    return this.#records.get(id) ?? [];
  }

  /** Resolves when the application has closed the connection. */
  async whenClosed(): Promise<void> {
    await this.until(() => this.#closed, 'the connection to close', true);
  }

  /** Resolves when `condition` holds; rejects when the connection closes first (unless awaited). */
  until(condition: () => boolean, what: string, closeIsTheGoal = false): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (condition()) return resolve();
        if (this.#closed && !closeIsTheGoal) return reject(new Error(`the connection closed before ${what}`));
        this.#waiters.push(check);
      };
      check();
    });
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}

export { decodeNameValuePairs };
