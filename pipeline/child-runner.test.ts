import { describe, expect, it } from 'vitest';
import { jobEnv } from './child-runner.js';

describe('jobEnv', () => {
  const base = { PATH: '/usr/bin' } as unknown as NodeJS.ProcessEnv;
  it('splits the cores between jobs that run side by side', () => {
    expect(jobEnv(base, { exclusive: false }, 2, 2).USIBENCH_NATIVE_THREADS).toBe('1');
    expect(jobEnv(base, { exclusive: false }, 2, 16).USIBENCH_NATIVE_THREADS).toBe('8');
    expect(jobEnv(base, { exclusive: false }, 3, 2).USIBENCH_NATIVE_THREADS).toBe('1');
    expect(jobEnv(base, { exclusive: false }, 2, 2).PATH).toBe('/usr/bin');
  });
  it('leaves a benchmark, a lone job and a thread count the user set alone', () => {
    expect(jobEnv(base, { exclusive: true }, 2, 2).USIBENCH_NATIVE_THREADS).toBeUndefined();
    expect(jobEnv(base, { exclusive: false }, 1, 2).USIBENCH_NATIVE_THREADS).toBeUndefined();
    expect(jobEnv({ ...base, USIBENCH_NATIVE_THREADS: '2' }, { exclusive: false }, 2, 2).USIBENCH_NATIVE_THREADS).toBe('2');
  });
});
