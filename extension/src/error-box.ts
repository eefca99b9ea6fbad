/** A readable error inside the output area. Text goes in as text (textContent), never as HTML. */
export function showError(host: HTMLElement, title: string, details: readonly string[]): void {
  const box = document.createElement("div");
  box.className = "seqlab-error";
  box.setAttribute("role", "alert");
  const heading = document.createElement("strong");
  heading.textContent = title;
  box.appendChild(heading);
  const list = document.createElement("ul");
  for (const line of details.slice(0, 20)) {
    const item = document.createElement("li");
    item.textContent = line;
    list.appendChild(item);
  }
  if (details.length > 20) {
    const more = document.createElement("li");
    more.textContent = `… and ${details.length - 20} more`;
    list.appendChild(more);
  }
  box.appendChild(list);
  host.appendChild(box);
}
