// Connection-level log lines are throttled: a peer sending garbage on every connection once wrote
// 2,210 lines for 5,000 fuzz cases.
import { afterEach, expect, it, vi } from 'vitest';
import { LogThrottle } from '../src/log-throttle.js';

afterEach(() => { vi.useRealTimers(); });

it('writes 20 lines a second, then one line that counts the rest, and starts again next second', () => {
  vi.useFakeTimers({ now: 1_000_000 });
  const lines: string[] = [];
  const throttle = new LogThrottle((line) => lines.push(line));
  for (let index = 0; index < 5000; index++) throttle.log(`closing a FastCGI connection: bad record ${index}`);
  expect(lines).toHaveLength(20);
  vi.advanceTimersByTime(1000);
  expect(lines).toHaveLength(21);
  expect(lines[20]).toBe('4980 more connection-level lines suppressed (more than 20 a second)');
  throttle.log('a line a second later');
  expect(lines.at(-1)).toBe('a line a second later');
});
