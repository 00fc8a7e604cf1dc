// The benchmark app on node:http, for nginx's proxy_pass. usage: node node-http.mjs PORT|SOCKET_PATH
import { createServer } from 'node:http';
import { unlinkSync } from 'node:fs';
import handle from './http-handler.cjs';

const address = process.argv[2];
const server = createServer(handle);
// nginx keeps idle upstream connections longer than node's 5 s default would.
server.keepAliveTimeout = 60_000;
if (/^\d+$/.test(address)) server.listen(Number(address), '127.0.0.1');
else {
  try { unlinkSync(address); } catch {}
  server.listen(address);
}
// Exit normally on SIGTERM (a --cpu-prof profile is written only then).
process.on('SIGTERM', () => process.exit(0));
