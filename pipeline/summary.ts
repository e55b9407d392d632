/** The end-of-run report: a plain-text table for people (and cron mail), or one JSON object. */
import type { NightlySummary } from './nightly.js';

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds); // round first, so 179.6 s reads 3m0s, not 2m60s
  const m = Math.floor(whole / 60);
  return m < 60 ? `${m}m${whole - 60 * m}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

export function formatSummary(s: NightlySummary): string {
  const rows = s.jobs.map((j) => [j.kind, j.label, j.status, j.status === 'skipped' ? '-' : duration(j.seconds), j.status === 'failed' ? (j.error ?? '') : j.result]);
  const head = ['kind', 'job', 'status', 'time', 'result'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 4 ? 0 : r[i].length))));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i]))).join('  ').trimEnd();
  const failedLogs = s.jobs.filter((j) => j.status === 'failed' && j.logFile).map((j) => `  ${j.label}: ${j.logFile}`);
  return [
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `nightly ${s.nightlyId} ${s.status} in ${duration(s.wallSeconds)}${s.expectedSeconds !== null ? ` (expected ${duration(s.expectedSeconds)})` : ''}: ${s.counts.succeeded} succeeded, ${s.counts.skipped} skipped (already done), ${s.counts.failed} failed`,
    ...(failedLogs.length ? ['logs of failed jobs:', ...failedLogs] : []),
    `database: ${s.db}`,
    `site:     ${s.site}`,
    `work dir: ${s.workDir}`,
    '',
  ].join('\n');
}
