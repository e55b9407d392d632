import { describe, expect, it } from 'vitest';
import { logTicks, shortNumber } from './ticks.js';

describe('logTicks', () => {
  it('puts ticks at 1-2-5 steps inside the range', () => {
    expect(logTicks(250, 4500)).toEqual({ values: [500, 1000, 2000], labels: ['500', '1k', '2k'] });
    expect(logTicks(0.3, 30).values).toEqual([0.5, 1, 2, 5, 10, 20]);
  });
  it('falls back to the range ends when it is too narrow for two ticks', () => {
    expect(logTicks(1100, 1900).values).toEqual([1100, 1900]);
    expect(logTicks(0, 10).values).toEqual([]);
  });
  it('writes short labels', () => {
    expect([shortNumber(15000), shortNumber(2_500_000), shortNumber(0.2), shortNumber(1234)]).toEqual(['15k', '2.5M', '0.2', '1.23k']);
  });
});
