// SPDX-License-Identifier: AGPL-3.0-or-later
// Small DOM builders. Text always goes in through textContent, never innerHTML.

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  children: Child[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

export function replaceChildren(parent: Element, children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** Truncate `text` to `maxLength` code points, marking the cut with an ellipsis. */
export function truncate(text: string, maxLength: number): string {
  const codePoints = Array.from(text);
  if (codePoints.length <= maxLength) return text;
  return codePoints.slice(0, maxLength - 1).join("") + "…";
}

/**
 * Wrap text that other people supplied (names, message bodies) in a <bdi> so
 * right-to-left or override characters in it cannot reorder the surrounding UI.
 */
export function userText(text: string, maxLength: number, className = "user-text"): HTMLElement {
  const isolate = el("bdi", { dir: "auto", class: className });
  isolate.textContent = truncate(text, maxLength);
  if (isolate.textContent !== text) isolate.title = truncate(text, 4 * maxLength);
  return isolate;
}

export function button(className: string, children: Child[] = [], type: "button" | "submit" = "button"): HTMLButtonElement {
  return el("button", { type, class: className }, children);
}
