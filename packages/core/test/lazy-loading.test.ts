// Libraries loaded on first use still load after the process has stat'ed a socket (nodejs/node#51142).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('./fixtures/stat-socket-then-multipart.mjs', import.meta.url));

it('parses a multipart body after a stat of a socket (busboy reached through pnpm symlinks)', () => {
  // Without NODE_PATH: pnpm's points into its store and would find streamsearch anyway.
  const env = { ...process.env };
  delete env['NODE_PATH'];
  const result = spawnSync(process.execPath, [script], { encoding: 'utf8', env });
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe('field=value');
});
