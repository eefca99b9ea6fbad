/**
 * "Copy as code": a run's notebook cell (the library's experimentCode) shown as text, with a
 * button that puts it on the clipboard where the page may (a secure context, the user's
 * permission); where it may not, the code stays on show to select and copy by hand.
 */
import { controlButton } from "./common.js";
export function showCode(box: HTMLElement, heading: string, code: string): void {
  const title = document.createElement("div");
  title.className = "seqlab-title";
  title.textContent = heading;
  const pre = document.createElement("pre");
  pre.className = "seqlab-code";
  // textContent: a pasted text inside the code is shown, never parsed.
  pre.textContent = code;
  const copy = controlButton(null, "copy", "copy");
  const said = document.createElement("span");
  said.className = "seqlab-progress";
  said.setAttribute("role", "status");
  copy.addEventListener("click", () => {
    const byHand = (): void => void (said.textContent = "The clipboard is not available here: select the code and copy it by hand.");
    if (!navigator.clipboard?.writeText) return byHand();
    navigator.clipboard.writeText(code).then(() => void (said.textContent = "Copied: paste it into a code cell."), byHand);
  });
  const bar = document.createElement("div");
  bar.append(copy, said);
  box.replaceChildren(title, bar, pre);
}
