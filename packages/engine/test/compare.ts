/**
 * How far a backend's values are from a reference's: max |got - ref| over max(max |ref|, 1e-2),
 * Infinity for a length mismatch or a NaN. Shared by the engine's tests against the cpu backend.
 */
export function relErr(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (got.length !== ref.length) return Infinity;
  let maxRef = 0, maxDiff = 0;
  for (let i = 0; i < ref.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
    const d = Math.abs(got[i] - ref[i]);
    maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
  }
  return maxDiff / Math.max(maxRef, 1e-2);
}
