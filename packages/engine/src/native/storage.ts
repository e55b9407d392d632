/**
 * Output storage that native kernels recycle. A training step allocates a few hundred MB of
 * activation-sized outputs and drops them all again; as fresh external ArrayBuffers they made V8
 * run frequent mark-compacts ("external memory pressure"), each one a pause inside the step. Storage made here
 * goes back to a free list (by exact length: a training step asks for the same sizes every time)
 * when the last tensor holding it is disposed, unless it may be visible outside the backend: read
 * by readSync/read (dataSync, data, arraySync, bufferSync all go there), or registered as a view
 * or a second time (the cpu Slice kernel returns a subarray of its input, and any kernel could hand
 * its input's array to a new tensor). Such storage is left to the garbage collector.
 */
class StoragePool {
  /** Arrays shorter than this are cheap for V8 and are not pooled. */
  static readonly MIN = 16384;
  private static readonly CAP_BYTES = 256 * 2 ** 20;
  private readonly free = new Map<number, Float32Array[]>();
  private freeBytes = 0;
  /** Pool-made storage by its ArrayBuffer: the tensors holding it, or -1 once it may be visible elsewhere. */
  private readonly holders = new WeakMap<ArrayBufferLike, { array: Float32Array; count: number }>();

  take(n: number): Float32Array {
    const list = this.free.get(n);
    const reused = list?.pop();
    if (reused) {
      this.freeBytes -= reused.byteLength;
      return reused;
    }
    // Every native kernel writes each element, so skip the zero-fill of `new Float32Array`.
    const array = new Float32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n);
    this.holders.set(array.buffer, { array, count: 0 });
    return array;
  }

  registered(values: unknown): void {
    const h = this.entry(values);
    if (!h || h.count < 0) return;
    h.count = values === h.array && h.count === 0 ? 1 : -1;
  }

  escaped(values: unknown): void {
    const h = this.entry(values);
    if (h) h.count = -1;
  }

  released(values: unknown): void {
    const h = this.entry(values);
    if (!h || h.count !== 1 || values !== h.array) return;
    h.count = 0;
    if (this.freeBytes + h.array.byteLength > StoragePool.CAP_BYTES) {
      this.holders.delete(h.array.buffer);
      return;
    }
    const list = this.free.get(h.array.length) ?? [];
    list.push(h.array);
    this.free.set(h.array.length, list);
    this.freeBytes += h.array.byteLength;
  }

  private entry(values: unknown) {
    return values instanceof Float32Array ? this.holders.get(values.buffer) : undefined;
  }
}

/** The one pool of the process: the backend tells it as storage enters, leaves or escapes tensors. */
export const pool = new StoragePool();

/** Output storage for a native kernel (which writes every element: the pool's arrays are not zeroed). */
export function alloc(n: number): Float32Array {
  return n < StoragePool.MIN ? new Float32Array(n) : pool.take(n);
}

export const DTYPE_ARRAY = { float32: Float32Array, int32: Int32Array, bool: Uint8Array } as const;
export type PlainDtype = keyof typeof DTYPE_ARRAY;
export type Typed = Float32Array | Int32Array | Uint8Array;

/** Output storage of a dtype: float32 from the pool, the others fresh (rare and small). */
export function allocOf(dtype: PlainDtype, n: number): Typed {
  return dtype === 'float32' ? alloc(n) : new DTYPE_ARRAY[dtype](n);
}
