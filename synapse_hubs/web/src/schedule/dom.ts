// SPDX-License-Identifier: AGPL-3.0-or-later
// Build DOM nodes without innerHTML: every string becomes a text node, so
// titles and names typed by users are never parsed as HTML.

type Child = Node | string | null | undefined | false;

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** Wrap user-supplied text so right-to-left names cannot reorder the text around them. */
export function isolated(text: string): HTMLElement {
  return element("bdi", {}, text);
}
