/**
 * The messages between the playground's page and its training worker (playground-worker.ts).
 * Every message names its run, so that the page can drop what belongs to a run it has already
 * ended. Only plain JSON travels: settings in, numbers and words out.
 */
import type { PlaygroundRun, PlaygroundState } from "seqlab/schema";

export type ToWorker =
  | { type: "start"; run: number; state: PlaygroundState }
  /** Finish the run `run` after the step under way; the worker answers with "ended". */
  | { type: "stop"; run: number };

export type FromWorker =
  /** Steps taken since the last message, in order. */
  | { type: "steps"; run: number; steps: number[]; loss: number[]; accuracy: number[]; msPerStep: number; kernels: string }
  /** No "steps" for `run` follow this. `message` says why a failed run could not go on. */
  | { type: "ended"; run: number; ended: PlaygroundRun["ended"]; stepsTaken: number; msPerStep: number; kernels: string; message: string }
  /** After "ended" (not after a failure): accuracy on the held-out sequences. */
  | { type: "tested"; run: number; testAccuracy: number };
