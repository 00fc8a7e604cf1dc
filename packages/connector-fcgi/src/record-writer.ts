// Batched record writes to one socket: what every request of a connection sends in one turn of
// the event loop leaves in one write.
import type { Socket } from 'node:net';
import type { RecordSink } from './record-sink.js';

/** Queued records are written at once past this many bytes (the socket's backpressure then applies). */
const FLUSH_AT_BYTES = 64 * 1024;
/** Up to this many bytes, queued records are copied into one buffer rather than written as a vector. */
const COPY_INTO_ONE_BUFFER_BYTES = 16 * 1024;

/** The RecordSink of one connection's socket. */
export class RecordWriter implements RecordSink {
  readonly #socket: Socket;
  readonly #writableWaiters: (() => void)[] = [];
  /** Records sent in this turn of the event loop, not yet written to the socket. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** The end-of-turn flush, cancelled when a response's end flushes first (most responses). */
  #scheduledFlush: NodeJS.Immediate | undefined;
  #flushing = false;
  readonly #beforeFlush: (() => void)[] = [];

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('drain', () => this.#runWritableWaiters());
    // Writers waiting for a drain that will never come are woken to find the sink closed.
    socket.on('close', () => this.#runWritableWaiters());
  }

  get open(): boolean {
    return !this.#socket.destroyed && this.#socket.writable;
  }

  send(records: readonly Buffer[]): void {
    if (!this.open) return;
    for (const record of records) {
      this.#pending.push(record);
      this.#pendingBytes += record.length;
    }
    // Everything queued in this turn of the event loop (header, body, end of stream,
    // END_REQUEST of every request) leaves in one write, unless there is enough to go now.
    if (this.#flushing) return; // the flush under way writes it
    if (this.#pendingBytes >= FLUSH_AT_BYTES) this.flush();
    else this.#scheduleFlush();
  }

  beforeNextFlush(callback: () => void): void {
    this.#beforeFlush.push(callback);
    this.#scheduleFlush();
  }

  get needsDrain(): boolean {
    return this.#socket.writableNeedDrain;
  }

  whenWritable(callback: () => void): void {
    if (!this.#socket.writableNeedDrain || !this.open) callback();
    else this.#writableWaiters.push(callback);
  }

  readonly flush = (): void => {
    if (this.#scheduledFlush !== undefined) {
      // A pending immediate keeps the event loop from blocking in its poll: cancel it when unneeded.
      clearImmediate(this.#scheduledFlush);
      this.#scheduledFlush = undefined;
    }
    if (this.#beforeFlush.length > 0) {
      // Streams queue what they held back; their sends must not start a flush of their own.
      this.#flushing = true;
      for (const callback of this.#beforeFlush.splice(0)) callback();
      this.#flushing = false;
    }
    const pending = this.#pending;
    const bytes = this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (pending.length === 0 || this.#socket.destroyed) return;
    if (bytes <= COPY_INTO_ONE_BUFFER_BYTES) {
      // A response's small records copied into one buffer: one write, one iovec.
      this.#socket.write(pending.length === 1 ? pending[0]! : Buffer.concat(pending, bytes));
      return;
    }
    // Large bodies are referenced, not copied: one vectored write.
    this.#socket.cork();
    for (const record of pending) this.#socket.write(record);
    this.#socket.uncork();
  };

  #scheduleFlush(): void {
    this.#scheduledFlush ??= setImmediate(this.flush);
  }

  #runWritableWaiters(): void {
    for (const callback of this.#writableWaiters.splice(0)) callback();
  }
}
