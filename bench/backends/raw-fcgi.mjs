// The floor of a FastCGI responder on Node: netcgi's codec and nothing else (no params decoded, no
// pipeline, a fixed response). Not an app anyone should write; it shows what the net.Socket,
// the kernel and nginx's FastCGI module cost before netcgi's own work. usage: node raw-fcgi.mjs PORT|PATH
import { createServer } from 'node:net';
import { unlinkSync } from 'node:fs';
import {
  BeginRequestFlag, decodeBeginRequestBody, encodeEndRequest, encodeRecord, ProtocolStatus, RecordDecoder, RecordType,
} from '@netcgi/connector-fcgi/protocol';

const address = process.argv[2];
const body = Buffer.from('Content-Type: text/plain\r\n\r\nHello, world!\n');

const server = createServer({ noDelay: true }, (socket) => {
  const decoder = new RecordDecoder();
  let keepConnection = false;
  socket.on('error', () => {});
  socket.on('data', (chunk) => decoder.decode(chunk, (record) => {
    if (record.type === RecordType.BeginRequest) keepConnection = (decodeBeginRequestBody(record.content).flags & BeginRequestFlag.KeepConnection) !== 0;
    // A request is complete at its empty STDIN record (GET and HEAD only: bodies are not read).
    if (record.type !== RecordType.Stdin || record.content.length > 0) return;
    const id = record.requestId;
    socket.write(Buffer.concat([encodeRecord(RecordType.Stdout, id, body), encodeRecord(RecordType.Stdout, id), encodeEndRequest(id, 0, ProtocolStatus.RequestComplete)]));
    // Without FCGI_KEEP_CONN the application closes the connection (FastCGI §5.1).
    if (!keepConnection) socket.end();
  }));
});
if (/^\d+$/.test(address)) server.listen(Number(address), '127.0.0.1');
else {
  try { unlinkSync(address); } catch {}
  server.listen(address);
}
process.on('SIGTERM', () => process.exit(0));
