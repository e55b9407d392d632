import { describe, expect, it } from 'vitest';
import { formatPoints, formatSpeed, formatTop1, intervalDecimals } from './format.js';

describe('numbers with intervals', () => {
  it('shows a half-width to one significant digit, within bounds', () => {
    expect([0.4, 0.04, 4, 0.0004, 0].map((h) => intervalDecimals(h))).toEqual([1, 2, 1, 3, 1]);
  });

  it('writes top-1 as percent with its interval and n', () => {
    expect(formatTop1(0.971, 0.004, 2)).toBe('97.1 ± 0.4 % (n=2)');
    expect(formatTop1(0.9712, 0.0004, 3)).toBe('97.12 ± 0.04 % (n=3)');
    expect(formatTop1(0.971, null, 1)).toBe('97.10 % (n=1)');
  });

  it('writes speed and gains', () => {
    expect(formatSpeed(1234.4, 12.2)).toBe('1234 ± 12');
    expect(formatSpeed(42.25, null)).toBe('42.3');
    expect(formatPoints(-0.012, 0.005)).toBe('−1.2 ± 0.5 points');
  });
});
