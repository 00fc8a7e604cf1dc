import { startAll } from './lib/backends.mjs';
import { scratchDirectory, removeDirectory } from './lib/processes.mjs';
import { helloSuite } from './hello.mjs';
const scratch = scratchDirectory('hello');
const names = (process.argv[5] ?? 'netcgi,node-http').split(',');
const { backendKinds } = await import('./lib/backends.mjs');
const servers = await startAll({ scratch, kinds: backendKinds.filter((k) => names.includes(k.name)) });
try {
  const r = await helloSuite(servers, { kinds: backendKinds.filter((k) => names.includes(k.name)), rounds: Number(process.argv[2] ?? 1), seconds: Number(process.argv[3] ?? 2), connections: (process.argv[4] ?? '1,32').split(',').map(Number), log: console.log });
  for (const c of r) console.log(c.connections, c.transport, c.keep, c.variants.map((v) => `${v.name}=${Math.round(v.requestsPerSecond)} (${v.ratio.toFixed(2)})`).join(' '));
} finally { await servers.stop(); removeDirectory(scratch); }
