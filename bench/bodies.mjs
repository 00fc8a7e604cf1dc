// Large bodies through nginx, both ways: MiB/s and the backend's peak memory (VmHWM) per transfer.
import { execFile } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { backendKinds } from './lib/backends.mjs';
import { cleanEnvironment, requireCommand } from '../test-support/dist/processes.js';
import { memoryOf, processTree, resetPeak } from './lib/proc.mjs';
import { median, pairedRatio, rotated } from './lib/stats.mjs';

const run = promisify(execFile);
const MiB = 1024 * 1024;

/** A file of `size` bytes of a repeating pattern (not zeros: nothing on the way may shortcut them). */
function makeBodyFile(path, size) {
  const block = Buffer.alloc(MiB);
  for (let index = 0; index < block.length; index++) block[index] = (index * 31 + 7) & 0xff;
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < size; written += block.length) writeSync(fd, block, 0, Math.min(block.length, size - written));
  } finally {
    closeSync(fd);
  }
}

/** One transfer with curl; resolves to seconds. Checks the status and the size that arrived. */
async function transfer(url, direction, size, bodyFile) {
  const args = ['-sS', '--fail', '-o', direction === 'upload' ? '-' : '/dev/null', '-w', '\n%{time_total} %{size_download}'];
  if (direction === 'upload') args.push('-T', bodyFile, '-X', 'POST', '-H', 'Content-Type: application/octet-stream', '-H', 'Expect:');
  const { stdout } = await run('curl', [...args, url], { env: cleanEnvironment(), maxBuffer: 1 << 20 });
  const lines = stdout.trim().split('\n');
  const [seconds, downloaded] = lines.at(-1).split(' ').map(Number);
  if (direction === 'upload' && lines[0] !== String(size)) throw new Error(`${url}: the backend counted ${lines[0]} bytes, not ${size}`);
  if (direction === 'download' && downloaded !== size) throw new Error(`${url}: ${downloaded} bytes arrived, not ${size}`);
  return seconds;
}

/** The largest rise of VmHWM over the idle VmRSS among the backend's processes, in KiB. */
function peakRise(pids, idle) {
  let rise = 0;
  for (const pid of pids) {
    try {
      rise = Math.max(rise, memoryOf(pid).peak - idle.get(pid));
    } catch {}
  }
  return rise;
}

export async function bodiesSuite(servers, { rounds, sizes, scratch, kinds = backendKinds.filter((kind) => kind.name !== 'netcgi-w2'), log }) {
  requireCommand('curl', 'curl');
  const files = new Map(sizes.map((size) => [size, join(scratch, `body-${size}`)]));
  for (const [size, path] of files) makeBodyFile(path, size);
  // One unmeasured transfer each way per backend first: a cold process's first one pays for its
  // JIT and heap growth (+20-40 MiB and half the speed, for node:http and netcgi alike).
  const smallest = Math.min(...sizes);
  for (const kind of kinds) {
    await transfer(servers.url(`/${kind.name}/tcp/keep/upload`), 'upload', smallest, files.get(smallest));
    await transfer(servers.url(`/${kind.name}/tcp/keep/download?size=${smallest}`), 'download', smallest, files.get(smallest));
  }
  const results = [];
  for (const size of sizes) {
    for (const direction of ['upload', 'download']) {
      const cell = { size, direction, backends: kinds.map((kind) => ({ name: kind.name, label: kind.label, seconds: [], peakKiB: [], idleKiB: [] })) };
      // netcgi's default store beside its streamed upload: the body kept in a temp file, then read back.
      if (direction === 'upload' && kinds.some((kind) => kind.name === 'netcgi')) {
        cell.backends.splice(1, 0, { name: 'netcgi', path: 'upload-stored', label: 'netcgi, default store (temp file)', seconds: [], peakKiB: [], idleKiB: [] });
        cell.backends[0].label = 'netcgi, streamed (argStore stream)';
      }
      results.push(cell);
      for (let round = 0; round < rounds; round++) {
        for (const backend of rotated(cell.backends, round)) {
          const pids = processTree(servers.daemonOf(backend.name, 'tcp').pid);
          const idle = new Map();
          for (const pid of pids) {
            resetPeak(pid);
            idle.set(pid, memoryOf(pid).rss);
          }
          const path = direction === 'upload' ? backend.path ?? 'upload' : `download?size=${size}`;
          backend.seconds.push(await transfer(servers.url(`/${backend.name}/tcp/keep/${path}`), direction, size, files.get(size)));
          backend.peakKiB.push(peakRise(pids, idle));
          backend.idleKiB.push(Math.max(...idle.values()));
        }
        log(`bodies ${direction} ${size / MiB} MiB round ${round + 1}/${rounds}: ${cell.backends.map((b) => `${b.name} ${(size / MiB / b.seconds.at(-1)).toFixed(0)} MiB/s +${(b.peakKiB.at(-1) / 1024).toFixed(1)} MiB`).join(', ')}`);
      }
      for (const backend of cell.backends) {
        backend.mibPerSecond = median(backend.seconds.map((seconds) => size / MiB / seconds));
        backend.peakRiseMiB = Math.max(...backend.peakKiB) / 1024;
        backend.idleMiB = median(backend.idleKiB) / 1024;
      }
      // Ratio to the best peer of each round (netcgi excluded), paired by round.
      const peers = cell.backends.filter((backend) => !backend.name.startsWith('netcgi'));
      // With no peer in the run (--backends), the ratios are NaN and show as –.
      const bestPeer = cell.backends[0].seconds.map((_, round) => (peers.length === 0 ? Number.NaN : Math.max(...peers.map((peer) => size / peer.seconds[round]))));
      const nodeHttp = cell.backends.find((backend) => backend.name === 'node-http');
      for (const backend of cell.backends) {
        const rate = backend.seconds.map((seconds) => size / seconds);
        backend.ratioToBestPeer = pairedRatio(rate, bestPeer);
        backend.ratioToNodeHttp = nodeHttp === undefined ? Number.NaN : pairedRatio(rate, nodeHttp.seconds.map((seconds) => size / seconds));
      }
    }
  }
  return results;
}
