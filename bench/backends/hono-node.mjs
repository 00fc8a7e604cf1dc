// The Hono benchmark app on @hono/node-server, for nginx's proxy_pass. usage: node hono-node.mjs PORT|SOCKET_PATH
import { unlinkSync } from 'node:fs';
import { createAdaptorServer } from '@hono/node-server';
import { hono } from './hono-app.mjs';

const address = process.argv[2];
const server = createAdaptorServer({ fetch: hono.fetch });
// nginx keeps idle upstream connections longer than node's 5 s default would.
server.keepAliveTimeout = 60_000;
if (/^\d+$/.test(address)) server.listen(Number(address), '127.0.0.1');
else {
  try { unlinkSync(address); } catch {}
  server.listen(address);
}
process.on('SIGTERM', () => process.exit(0));
