/**
 * Tick marks for the log-scale throughput axis at 1-2-5 steps with short labels ("500", "1k",
 * "20k"): Plotly's default log ticks label only the decades and print bare digits in between.
 */
export function logTicks(min: number, max: number): { values: number[]; labels: string[] } {
  if (!(min > 0) || !(max >= min)) return { values: [], labels: [] };
  const values: number[] = [];
  for (let exp = Math.floor(Math.log10(min)); exp <= Math.ceil(Math.log10(max)); exp++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** exp;
      if (v >= min && v <= max) values.push(v);
    }
  }
  // Fewer than two ticks in a narrow range: add the ends so the axis still has a scale.
  if (values.length < 2) {
    values.splice(0, values.length, min, max);
  }
  return { values, labels: values.map(shortNumber) };
}

export function shortNumber(v: number): string {
  const fmt = (x: number) => String(Number(x.toPrecision(3)));
  if (v >= 1e6) return `${fmt(v / 1e6)}M`;
  if (v >= 1e3) return `${fmt(v / 1e3)}k`;
  return fmt(v);
}
