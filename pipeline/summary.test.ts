import { describe, expect, it } from 'vitest';
import { duration } from './summary.js';

describe('duration in the summary table', () => {
  it('reads as a person would write it', () => {
    expect(duration(3.21)).toBe('3.2s');
    expect(duration(61)).toBe('1m1s');
    expect(duration(179.6)).toBe('3m0s'); // was '2m60s'
    expect(duration(743)).toBe('12m23s');
    expect(duration(3 * 3600 + 5 * 60)).toBe('3h5m');
  });
});
