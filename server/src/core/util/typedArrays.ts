// Growing the parallel typed arrays that hold tokens and references.

/** A copy of `array` with room for `size` elements; the elements past the old length are zero. */
export function resized<T extends Uint8Array | Int32Array>(array: T, size: number): T {
  const copy = (array instanceof Uint8Array ? new Uint8Array(size) : new Int32Array(size)) as T;
  copy.set(array.subarray(0, Math.min(array.length, size)));
  return copy;
}
