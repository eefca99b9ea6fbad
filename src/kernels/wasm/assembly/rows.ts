// AssemblyScript. Row-wise helpers of the time loops (biases), n a multiple of 4: the
// WebAssembly twins of addBias and addColumnSums in src/kernels/rows.ts.

/** dst[r, :] += v for each of `rows` rows of n values. */
export function addRowVector(rows: i32, n: i32, v: usize, dst: usize): void {
  const nb = <usize>n * 4;
  for (let r = 0; r < rows; r++) {
    const row = dst + <usize>r * nb;
    for (let j: usize = 0; j < nb; j += 16) v128.store(row + j, f32x4.add(v128.load(row + j), v128.load(v + j)));
  }
}

/** dst += the column sums of a `rows` × n block (a bias gradient). */
export function addColumnSums(rows: i32, n: i32, src: usize, dst: usize): void {
  const nb = <usize>n * 4;
  // Four rows at a time into the running sums, so dst is read and written once per four rows.
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const row = src + <usize>r * nb;
    for (let j: usize = 0; j < nb; j += 16) {
      const s = f32x4.add(f32x4.add(v128.load(row + j), v128.load(row + nb + j)), f32x4.add(v128.load(row + 2 * nb + j), v128.load(row + 3 * nb + j)));
      v128.store(dst + j, f32x4.add(v128.load(dst + j), s));
    }
  }
  for (; r < rows; r++) {
    const row = src + <usize>r * nb;
    for (let j: usize = 0; j < nb; j += 16) v128.store(dst + j, f32x4.add(v128.load(dst + j), v128.load(row + j)));
  }
}
