import { describe, expect, it } from 'vitest';
import { TurnLoad } from '@netcgi/core/connector';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TurnLoad', () => {
  it('is under load with several requests in a turn, or in the last turn that had any', async () => {
    const load = new TurnLoad();
    expect(load.underLoad).toBe(false);
    load.requestCame();
    expect(load.underLoad).toBe(false);
    load.requestCame();
    expect(load.underLoad).toBe(true);
    await nextTurn();
    // A turn without requests leaves the last busy one standing for the next burst.
    expect(load.underLoad).toBe(true);
    await nextTurn();
    expect(load.underLoad).toBe(true);
    load.requestCame();
    expect(load.underLoad).toBe(true);
    await nextTurn();
    // The last turn had one request: alone again.
    expect(load.underLoad).toBe(false);
  });
});
