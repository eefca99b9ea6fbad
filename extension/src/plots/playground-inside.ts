/**
 * "Look inside" a playground run: the gates and states of its model on the task's first test
 * sequence, the cell diagram, and the gradient flow of that sequence's loss, drawn by the very
 * drawers that draw the kernel's plots of those kinds (the worker builds their payloads from
 * the page's model). One run at a time: opening another ends the graphs of the last.
 */
import type { ExperimentInside } from "seqlab";
import { purgePlots } from "../plotly.js";
import { showError } from "../error-box.js";
import { DRAWERS, type DrawContext } from "./index.js";
import { controlButton } from "./common.js";

export interface InsidePanel {
  /** A line in the panel, and optionally a button that does `act` (the panel's old drawing ends). */
  say(heading: string, line: string, button?: { text: string; act: () => void }): void;
  /** Draws the plots of a recurrent run (or, `inside` null, the sentence and why there is nothing more). */
  show(heading: string, sequence: { tokens: string[]; targets: string[] }, inside: ExperimentInside | null, reason: string): Promise<void>;
  dispose(): void;
}

/** "a b c → a": a sequence and its target(s), in words; a step with nothing to predict shows as "·". */
export const sequenceWords = ({ tokens, targets }: { tokens: readonly string[]; targets: readonly string[] }): string =>
  `${tokens.join(" ")} → ${targets.map((t) => t || "·").join(" ")}`;

export function insidePanel(parent: HTMLElement, signal: AbortSignal): InsidePanel {
  const box = document.createElement("div");
  box.className = "seqlab-playground-inside";
  parent.appendChild(box);
  /** The drawing shown now: aborted (its drawers' work ends) when the panel shows something else. */
  let drawing: AbortController | null = null;
  const clear = (): AbortController => {
    drawing?.abort();
    purgePlots(box);
    box.replaceChildren();
    drawing = new AbortController();
    return drawing;
  };
  const heading = (text: string): void => {
    const h = document.createElement("div");
    h.className = "seqlab-title";
    h.textContent = text;
    box.appendChild(h);
  };
  const line = (text: string, part: string): HTMLElement => {
    const p = document.createElement("div");
    p.className = "seqlab-note";
    p.dataset.part = part;
    p.textContent = text;
    box.appendChild(p);
    return p;
  };
  return {
    say(title, text, button) {
      clear();
      heading(title);
      const p = line(text, "inside-note");
      if (button) {
        const b = controlButton(null, button.text, "train-again");
        b.addEventListener("click", button.act, { once: true });
        p.append(" ", b);
      }
    },
    async show(title, sequence, inside, reason) {
      const mine = clear();
      heading(title);
      line(`the sequence: ${sequenceWords(sequence)}`, "inside-sequence");
      if (reason) line(reason, "inside-note");
      if (!inside) return;
      // The drawers' context: the inside plots are not the output's data, so they keep nothing.
      const context: DrawContext = { signal: AbortSignal.any([signal, mine.signal]), keep: () => {} };
      for (const [part, draw] of [
        ["gates", () => DRAWERS.gates(host("gates"), inside.gates, context)],
        ["cell", () => DRAWERS.cell(host("cell"), inside.cell, context)],
        ["gradients", () => DRAWERS.gradients(host("gradients"), inside.gradients, context)],
      ] as const) {
        if (mine.signal.aborted || signal.aborted) return;
        try {
          await draw();
        } catch (e) {
          showError(box, `The ${part} view could not be drawn`, [String((e as Error)?.message ?? e)]);
        }
      }
      // Opened another run (or the output went) while drawing: what was drawn meanwhile ends.
      if (mine.signal.aborted || signal.aborted) purgePlots(box);
    },
    dispose() {
      drawing?.abort();
      purgePlots(box);
      box.replaceChildren();
    },
  };
  function host(part: string): HTMLElement {
    const div = document.createElement("div");
    div.className = "seqlab-inside-plot";
    div.dataset.inside = part;
    box.appendChild(div);
    return div;
  }
}
