import type { IDisposable } from "@lumino/disposable";

/** An IDisposable that runs `end` once, on the first dispose(). */
export function disposable(end: () => void): IDisposable {
  let disposed = false;
  return {
    get isDisposed() {
      return disposed;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      end();
    },
  };
}
