// Readings from /proc for the benchmarks: a process's tree, its memory, and a reset of its peak.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

/** The process and all of its descendants (PHP-FPM's and --workers' children). */
export function processTree(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(Number(entry));
    } catch {}
  }
  const tree = [];
  const visit = (id) => { tree.push(id); for (const child of children.get(id) ?? []) visit(child); };
  visit(pid);
  return tree;
}

/** VmRSS and VmHWM of a process, in KiB. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0), so that the next peak is this transfer's. */
export function resetPeak(pid) {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}
