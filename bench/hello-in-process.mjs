// The in-process FastCGI hello (bench/codec.mjs's helloInProcess) alone in this process, printed as
// JSON: measured after other suites' loops in the same process it came out up to a quarter slower
// (their garbage), so the codec suite and bench/runtimes.mjs run it here, in a fresh Node.
//
//   node bench/hello-in-process.mjs [--rounds 5] [--profile]
// 20 000 requests to warm up, then the median µs per request of ROUNDS rounds of 100 000; with
// --profile, the codec's share of one more round's CPU profile.
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { codecShare, helloInProcess } from './codec.mjs';
import { median } from './lib/stats.mjs';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, profile: { type: 'boolean', default: false } } });
const { default: app, options } = await import('./backends/netcgi-app.mjs');
await helloInProcess(app, options, 20_000);
const perRequest = [];
for (let round = 0; round < Number(args.rounds); round++) perRequest.push(await helloInProcess(app, options, 100_000));
const result = { microsecondsPerRequest: median(perRequest) };
if (args.profile) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  await helloInProcess(app, options, 100_000);
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  result.codecShare = codecShare(profile);
}
console.log(JSON.stringify(result));
