/**
 * The messages between the playground's page and its training worker (playground-worker.ts).
 * Every message names its run (an example request names the request's number in `run`), so
 * that the page can drop what belongs to a run or a request it has already moved past. Only
 * plain JSON travels: settings in, numbers, words and plot payloads out.
 */
import type { ExperimentInside } from "seqlab";
import type { PlaygroundRun, PlaygroundState } from "seqlab/schema";

export type ToWorker =
  | { type: "start"; run: number; state: PlaygroundState }
  /** Finish the run `run` after the step under way; the worker answers with "ended". */
  | { type: "stop"; run: number }
  /** The task's first test sequence for these settings (no training); `run` numbers the request. */
  | { type: "example"; run: number; state: PlaygroundState }
  /**
   * The plots of run `run`: of its model when the worker still has it, else of a model trained
   * again from `state` for `stepsTaken` steps (the same model: same seeds, same kernels).
   */
  | { type: "inside"; run: number; state: PlaygroundState; stepsTaken: number };

export type FromWorker =
  /** Steps taken since the last message, in order. */
  | { type: "steps"; run: number; steps: number[]; loss: number[]; accuracy: number[]; msPerStep: number; kernels: string }
  /** No "steps" for `run` follow this. `message` says why a failed run could not go on. */
  | { type: "ended"; run: number; ended: PlaygroundRun["ended"]; stepsTaken: number; msPerStep: number; kernels: string; message: string }
  /** After "ended" (not after a failure): accuracy on the held-out sequences, and always guessing the most frequent class's. */
  | { type: "tested"; run: number; testAccuracy: number; chance: number }
  /**
   * The answer to "example": the task's line, the first test sequence in words and its
   * target(s), what to beware of ("" or a warning), or why these settings give no data (`error`, the library's words).
   */
  | { type: "example"; run: number; tokens: string[]; targets: string[]; about: string; caveat: string; error: string }
  /**
   * The answer to "inside": the sequence looked at and the plots, or null with `reason` when
   * there is nothing to show (a feedforward net); `reason` also says when the model was trained again.
   */
  | { type: "inside"; run: number; tokens: string[]; targets: string[]; inside: ExperimentInside | null; reason: string };
