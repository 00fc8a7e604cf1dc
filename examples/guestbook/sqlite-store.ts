// The guestbook in a SQLite file: Node's own node:sqlite where it has one (22.13 and later), else
// better-sqlite3 (built at install, for the Node that installed it). Both are synchronous and take
// the same SQL. WAL lets several processes (CGI, --workers) read while one writes.
import type { Entry, GuestbookStore, Image, NewEntry } from './store.js';

/** What the store uses of either driver. */
interface Database {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  close(): void;
}
interface Statement {
  run(...values: unknown[]): unknown;
  get(...values: unknown[]): unknown;
  all(...values: unknown[]): unknown[];
}

async function openDatabase(path: string): Promise<Database> {
  // A Node older than 22.13 has no node:sqlite (or only behind a flag); the types of Node 20,
  // which this project compiles against, do not know it: hence the specifier in a variable.
  const specifier = 'node:sqlite';
  const builtIn = await (import(specifier) as Promise<{ DatabaseSync: new (path: string) => Database }>).catch(() => undefined);
  if (builtIn !== undefined) return new builtIn.DatabaseSync(path);
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  return new BetterSqlite3(path) as Database;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  nonce TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  message TEXT NOT NULL,
  created TEXT NOT NULL,
  image_type TEXT,
  image BLOB
)`;

export async function openSqliteStore(path: string): Promise<GuestbookStore> {
  const db = await openDatabase(path);
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(SCHEMA);
  const insert = db.prepare('INSERT INTO entries (nonce, name, message, created, image_type, image) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (nonce) DO NOTHING');
  const byNonce = db.prepare('SELECT id FROM entries WHERE nonce = ?');
  const latest = db.prepare('SELECT id, name, message, created, image_type IS NOT NULL AS has_image FROM entries ORDER BY id DESC LIMIT ?');
  const image = db.prepare('SELECT image_type, image FROM entries WHERE id = ? AND image IS NOT NULL');
  const count = db.prepare('SELECT count(*) AS n FROM entries WHERE ? IS NULL OR nonce = ?');
  return {
    async add(entry: NewEntry) {
      insert.run(entry.nonce, entry.name, entry.message, new Date().toISOString(), entry.image?.type ?? null, entry.image?.bytes ?? null);
      return Number((byNonce.get(entry.nonce) as { id: number | bigint }).id);
    },
    async latest(limit: number) {
      return (latest.all(limit) as { id: number; name: string; message: string; created: string; has_image: number }[]).map((row): Entry => ({
        id: Number(row.id), name: row.name, message: row.message, created: new Date(row.created), hasImage: Number(row.has_image) === 1,
      }));
    },
    async image(id: number): Promise<Image | undefined> {
      const row = image.get(id) as { image_type: string; image: Uint8Array } | undefined;
      return row === undefined ? undefined : { type: row.image_type, bytes: Buffer.from(row.image) };
    },
    async count(nonce?: string) {
      return Number((count.get(nonce ?? null, nonce ?? null) as { n: number | bigint }).n);
    },
    async close() {
      db.close();
    },
  };
}
