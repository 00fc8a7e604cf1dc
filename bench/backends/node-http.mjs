// The benchmark app on node:http, for nginx's proxy_pass. usage: node node-http.mjs PORT|SOCKET_PATH
import { createServer } from 'node:http';
import { unlinkSync } from 'node:fs';

const chunk = Buffer.alloc(64 * 1024, 'x');
const address = process.argv[2];

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  res.setHeader('Content-Type', 'text/plain');
  if (url.pathname.endsWith('/download')) {
    let remaining = Number(url.searchParams.get('size'));
    const writeMore = () => {
      while (remaining > 0) {
        const piece = remaining >= chunk.length ? chunk : chunk.subarray(0, remaining);
        remaining -= piece.length;
        if (!res.write(piece)) return void res.once('drain', writeMore);
      }
      res.end();
    };
    writeMore();
  } else if (url.pathname.endsWith('/upload')) {
    let size = 0;
    req.on('data', (data) => { size += data.length; });
    req.on('end', () => res.end(`${size}\n`));
  } else {
    res.end('Hello, world!\n');
  }
});
// nginx keeps idle upstream connections longer than node's 5 s default would.
server.keepAliveTimeout = 60_000;
if (/^\d+$/.test(address)) server.listen(Number(address), '127.0.0.1');
else {
  try { unlinkSync(address); } catch {}
  server.listen(address);
}
// Exit normally on SIGTERM (a --cpu-prof profile is written only then).
process.on('SIGTERM', () => process.exit(0));
