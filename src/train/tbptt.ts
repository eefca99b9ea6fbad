/**
 * Truncated backpropagation through time (TBPTT). A long sequence is cut into chunks of k
 * steps; the recurrent state flows forward from chunk to chunk, but gradients stop at each
 * chunk boundary because the state is detached. Memory and time per update then depend on k,
 * not on the full sequence length.
 */
import { ShapeError, fmtShape } from "../errors.js";
import { slice } from "../ops/shape.js";
import type { Tensor } from "../tensor.js";
import { assertFinite } from "../optim/finite.js";
import type { Optimizer } from "../optim/optimizer.js";
import { trainStep } from "./step.js";

/** A recurrent state: h for RNN and GRU, [h, c] for LSTM. */
export type RecurrentState = Tensor | readonly [Tensor, Tensor];

/**
 * The same state cut off from the graph: values kept, no gradient flows back through it
 * (PyTorch's `h.detach()` or `(h.detach(), c.detach())`).
 */
export function detachState<S extends RecurrentState>(state: S): S {
  if (Array.isArray(state)) return [state[0].detach(), state[1].detach()] as unknown as S;
  return (state as Tensor).detach() as S;
}

/**
 * Splits `x` along its time dimension (dim 1 when `batchFirst`, else dim 0) into consecutive
 * chunks of `k` steps; the last chunk may be shorter. Gradients flow back into `x`.
 */
export function timeChunks(x: Tensor, k: number, opts: { batchFirst?: boolean } = {}): Tensor[] {
  const dim = opts.batchFirst ? 1 : 0;
  if (!Number.isInteger(k) || k <= 0) throw new RangeError(`timeChunks: k must be a positive integer, got ${k}`);
  if (x.ndim <= dim) {
    throw new ShapeError(`timeChunks: with batchFirst=${opts.batchFirst ?? false} time is dim ${dim}, but x has shape ${fmtShape(x.shape)}`);
  }
  const T = x.shape[dim]!;
  const chunks: Tensor[] = [];
  for (let t = 0; t < T; t += k) chunks.push(slice(x, dim, t, t + k));
  return chunks;
}

export interface TruncatedBpttOptions {
  /** Time steps per chunk. */
  k: number;
  /** Whether time is dim 1 (batch-first) or dim 0 (default) of every sequence. */
  batchFirst?: boolean;
  /** When given, each chunk is one `trainStep` (zeroGrad, backward, clip, step). */
  optimizer?: Optimizer;
  /** Clip the gradient norm of each chunk's update (only with `optimizer`). */
  maxGradNorm?: number;
}

/**
 * Runs `forward` over chunks of `k` time steps of `sequences` (e.g. `[inputs, targets]`, all
 * split the same way), carrying the returned state into the next chunk detached. Each
 * chunk's loss is backpropagated at once; with an `optimizer` each chunk is also one update,
 * without one the gradients of all chunks accumulate in `.grad`.
 * Returns each chunk's loss and the final (detached) state. Name the state type
 * (`truncatedBptt<Tensor>` for h, `truncatedBptt<[Tensor, Tensor]>` for [h, c]): TypeScript
 * cannot infer it from a callback that both takes and returns it.
 *
 * @example
 * // x: (B, T, E) inputs, y: (B, T) next-token ids; one Adam update per 20 steps
 * const { losses } = truncatedBptt<[Tensor, Tensor]>([x, y], { k: 20, batchFirst: true, optimizer: opt },
 *   ([xc, yc], hc) => {
 *     const [out, next] = lstm.forward(xc, hc);
 *     return { loss: crossEntropy(head.forward(out).reshape([-1, V]), yc.reshape([-1])), state: next };
 *   });
 */
export function truncatedBptt<S extends RecurrentState>(
  sequences: readonly Tensor[],
  opts: TruncatedBpttOptions,
  forward: (chunks: Tensor[], state: S | null, index: number) => { loss: Tensor; state: S },
): { losses: number[]; state: S | null } {
  const split = sequences.map((x) => timeChunks(x, opts.k, opts));
  const timeDim = opts.batchFirst ? 1 : 0;
  if (sequences.some((x) => x.shape[timeDim] !== sequences[0]!.shape[timeDim])) {
    throw new ShapeError(`truncatedBptt: sequences differ in length along time: ${sequences.map((x) => fmtShape(x.shape)).join(", ")}`);
  }
  const losses: number[] = [];
  let state: S | null = null;
  for (let index = 0; index < (split[0]?.length ?? 0); index++) {
    const chunks = split.map((parts) => parts[index]!);
    let next: S | null = null;
    const computeLoss = (): Tensor => {
      const result = forward(chunks, state, index);
      next = result.state;
      return result.loss;
    };
    if (opts.optimizer) {
      const step = opts.maxGradNorm === undefined ? {} : { maxGradNorm: opts.maxGradNorm };
      losses.push(trainStep({ optimizer: opts.optimizer, computeLoss, ...step }).loss);
    } else {
      const loss = assertFinite(computeLoss(), "loss");
      loss.backward();
      losses.push(loss.item());
    }
    state = detachState(next!);
  }
  return { losses, state };
}
