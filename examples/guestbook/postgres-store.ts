// The guestbook in PostgreSQL (node-postgres): what several processes or machines share.
import pg from 'pg';
import type { Entry, GuestbookStore, Image, NewEntry } from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  id BIGSERIAL PRIMARY KEY,
  nonce TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  message TEXT NOT NULL,
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  image_type TEXT,
  image BYTEA
)`;

export async function openPostgresStore(url: string): Promise<GuestbookStore> {
  // allowExitOnIdle: a CGI program (one request per process) exits when it is done instead of
  // waiting for its idle connection to time out.
  const pool = new pg.Pool({ connectionString: url, max: 4, idleTimeoutMillis: 10_000, allowExitOnIdle: true, connectionTimeoutMillis: 5_000 });
  // Several processes may start at once: the schema is made under a lock, once.
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(4242)');
    await client.query(SCHEMA);
  } finally {
    await client.query('SELECT pg_advisory_unlock(4242)').catch(() => undefined);
    client.release();
  }
  return {
    async add(entry: NewEntry) {
      // One statement, atomic: the row a concurrent twin inserted is found by the second SELECT.
      const { rows } = await pool.query<{ id: string }>(
        `WITH inserted AS (
           INSERT INTO entries (nonce, name, message, image_type, image) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (nonce) DO NOTHING RETURNING id)
         SELECT id FROM inserted UNION ALL SELECT id FROM entries WHERE nonce = $1`,
        [entry.nonce, entry.name, entry.message, entry.image?.type ?? null, entry.image?.bytes ?? null],
      );
      return Number(rows[0]!.id);
    },
    async latest(limit: number) {
      const { rows } = await pool.query<{ id: string; name: string; message: string; created: Date; has_image: boolean }>(
        'SELECT id, name, message, created, image_type IS NOT NULL AS has_image FROM entries ORDER BY id DESC LIMIT $1', [limit]);
      return rows.map((row): Entry => ({ id: Number(row.id), name: row.name, message: row.message, created: row.created, hasImage: row.has_image }));
    },
    async image(id: number): Promise<Image | undefined> {
      const { rows } = await pool.query<{ image_type: string; image: Buffer }>('SELECT image_type, image FROM entries WHERE id = $1 AND image IS NOT NULL', [id]);
      return rows[0] === undefined ? undefined : { type: rows[0].image_type, bytes: rows[0].image };
    },
    async count(nonce?: string) {
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM entries WHERE $1::text IS NULL OR nonce = $1', [nonce ?? null]);
      return Number(rows[0]!.n);
    },
    close: () => pool.end(),
  };
}
