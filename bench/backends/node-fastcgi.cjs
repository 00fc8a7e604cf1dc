// The benchmark app on node-fastcgi (npm), a peer. usage: node node-fastcgi.cjs PORT|SOCKET_PATH
const fcgi = require('node-fastcgi');
const { unlinkSync } = require('node:fs');
const handle = require('./http-handler.cjs');

const address = process.argv[2];
const server = fcgi.createServer(handle);
if (/^\d+$/.test(address)) server.listen(Number(address), '127.0.0.1');
else {
  try { unlinkSync(address); } catch {}
  server.listen(address);
}
// Exit normally on SIGTERM (a --cpu-prof profile is written only then).
process.on('SIGTERM', () => process.exit(0));
