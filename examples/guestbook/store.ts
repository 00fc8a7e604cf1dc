// Where the guestbook keeps its entries: PostgreSQL when DATABASE_URL is set (several processes or
// machines share it), else SQLite in a file (no server to run). Both behind one small interface.
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NewEntry {
  readonly name: string;
  readonly message: string;
  readonly image?: Image;
  /**
   * The form's one-time key: a second POST of the same form (a double click, a retry by a proxy
   * or a user) stores nothing more.
   */
  readonly nonce: string;
}

export interface Image {
  readonly type: string;
  readonly bytes: Buffer;
}

export interface Entry {
  readonly id: number;
  readonly name: string;
  readonly message: string;
  readonly created: Date;
  readonly hasImage: boolean;
}

export interface GuestbookStore {
  /** Stores the entry unless one with its nonce exists; resolves to the entry's id either way. */
  add(entry: NewEntry): Promise<number>;
  /** The newest `limit` entries, newest first. */
  latest(limit: number): Promise<Entry[]>;
  image(id: number): Promise<Image | undefined>;
  /** How many entries there are, or have this nonce (0 or 1). */
  count(nonce?: string): Promise<number>;
  close(): Promise<void>;
}

/** The one store of this process, opened on first use: a server keeps it, a CGI program has one request. */
let opened: Promise<GuestbookStore> | undefined;

export function guestbookStore(): Promise<GuestbookStore> {
  opened ??= openStore().catch((error: unknown) => {
    opened = undefined; // the next request tries again (a database that was down may be up)
    throw error;
  });
  return opened;
}

async function openStore(): Promise<GuestbookStore> {
  const url = process.env['DATABASE_URL'];
  if (url !== undefined && url !== '') return (await import('./postgres-store.js')).openPostgresStore(url);
  const path = process.env['GUESTBOOK_SQLITE'] ?? join(tmpdir(), 'netcgi-guestbook.sqlite');
  return (await import('./sqlite-store.js')).openSqliteStore(path);
}
