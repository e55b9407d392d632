/**
 * Progress bars for long work, on stderr so that `--json` output on stdout stays clean.
 * On a terminal the bar redraws in place; in a log file (cron, CI) it prints a line every few
 * seconds instead.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Sets the absolute position and any named values the format shows ({loss}, {ips}, …). */
  update(value: number, payload?: Record<string, string | number>): void;
  setTotal(total: number): void;
  stop(): void;
}

export function createProgress(label: string, total: number, fields = ''): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} |{bar}| {value}/{total} {percentage}% ${fields} ETA {eta_formatted}`,
      stream: process.stderr,
      hideCursor: process.stderr.isTTY,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 5000,
      etaBuffer: 50,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  // Named fields ({loss}, {ips}, …) show '-' until the first update rather than their raw names.
  const initial = Object.fromEntries([...fields.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], '-']));
  bar.start(total, 0, initial);
  return {
    update: (value, payload) => bar.update(value, payload),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}
