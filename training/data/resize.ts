/**
 * Bilinear resize of uint8 HWC images to float [0,1], with half-pixel centres (the convention of
 * torch's `interpolate(mode='bilinear', align_corners=False)` and tf's `half_pixel_centers`), so
 * that 28 -> 32 upsampling matches what PyTorch pipelines feed their models.
 */

interface Taps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float32Array;
}

function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = Math.max((o + 0.5) * scale - 0.5, 0);
    const l = Math.min(Math.floor(src), inSize - 1);
    lo[o] = l;
    hi[o] = Math.min(l + 1, inSize - 1);
    frac[o] = src - l;
  }
  return { lo, hi, frac };
}

/** Caches the taps per size pair: a dataset resizes thousands of images between the same sizes. */
const tapCache = new Map<string, Taps>();
function cachedTaps(inSize: number, outSize: number): Taps {
  const key = `${inSize}>${outSize}`;
  let t = tapCache.get(key);
  if (!t) tapCache.set(key, (t = taps(inSize, outSize)));
  return t;
}

/**
 * Writes one image (h×w×c uint8 at `src[srcOffset]`) resized to out×out into `dst[dstOffset]` as
 * floats in [0,1]. With out equal to the input size it is a plain copy scaled by 1/255.
 */
export function resizeBilinearInto(
  src: Uint8Array,
  srcOffset: number,
  h: number,
  w: number,
  c: number,
  out: number,
  dst: Float32Array,
  dstOffset: number,
): void {
  if (h === out && w === out) {
    const n = h * w * c;
    for (let i = 0; i < n; i++) dst[dstOffset + i] = src[srcOffset + i] / 255;
    return;
  }
  const ty = cachedTaps(h, out);
  const tx = cachedTaps(w, out);
  for (let oy = 0; oy < out; oy++) {
    const r0 = srcOffset + ty.lo[oy] * w * c;
    const r1 = srcOffset + ty.hi[oy] * w * c;
    const fy = ty.frac[oy];
    for (let ox = 0; ox < out; ox++) {
      const c0 = tx.lo[ox] * c;
      const c1 = tx.hi[ox] * c;
      const fx = tx.frac[ox];
      const o = dstOffset + (oy * out + ox) * c;
      for (let k = 0; k < c; k++) {
        const top = src[r0 + c0 + k] + (src[r0 + c1 + k] - src[r0 + c0 + k]) * fx;
        const bottom = src[r1 + c0 + k] + (src[r1 + c1 + k] - src[r1 + c0 + k]) * fx;
        dst[o + k] = (top + (bottom - top) * fy) / 255;
      }
    }
  }
}
