// SPDX-License-Identifier: AGPL-3.0-or-later
// Markdown for outgoing messages and sanitising of incoming formatted_body.
//
// Both directions go through DOMPurify with the tag and attribute set that
// the Matrix client-server spec recommends for `org.matrix.custom.html`.
// Incoming HTML is also capped at MAX_NESTING_DEPTH levels, because a
// message nested thousands of levels deep makes layout and style
// recalculation in every receiving browser take seconds to minutes.

import DOMPurify, { type Config } from "dompurify";
import { marked } from "marked";

/** The Matrix spec recommends that clients limit HTML nesting to 100 levels. */
export const MAX_NESTING_DEPTH = 100;

export const MATRIX_HTML_FORMAT = "org.matrix.custom.html";

// <img> is left out: inline mxc: images would need an authenticated media fetch.
const ALLOWED_TAGS = [
  "font", "del", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "p", "a", "ul", "ol", "sup", "sub",
  "li", "b", "i", "u", "strong", "em", "s", "code", "hr", "br", "div", "table", "thead", "tbody", "tr",
  "th", "td", "caption", "pre", "span", "details", "summary",
];

const ALLOWED_ATTR = ["href", "data-mx-color", "data-mx-bg-color", "color", "data-mx-spoiler", "start", "class"];

const SANITIZE_CONFIG: Config = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i,
  // Reply fallbacks repeat the quoted message; drop them with their content
  // (DOMPurify already does so for script, style and the like).
  ADD_FORBID_CONTENTS: ["mx-reply"],
  ALLOW_DATA_ATTR: false,
};

const COLOR = /^#[0-9a-f]{6}$/i;
const CODE_LANGUAGE_CLASS = /^language-[\w-]{1,40}$/;

let hooksInstalled = false;

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;

  // target and rel are set here, after attribute filtering, and never taken from the sender.
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (!(node instanceof Element)) return;
    if (node.tagName === "A" && node.hasAttribute("href")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer nofollow ugc");
    }
    const className = node.getAttribute("class");
    if (className !== null && !(node.tagName === "CODE" && CODE_LANGUAGE_CLASS.test(className))) {
      node.removeAttribute("class");
    }
  });
}

/** Sanitise received `formatted_body` HTML into a fragment that is safe to insert. */
export function sanitizeFormattedBody(html: string): DocumentFragment {
  installHooks();
  const fragment = DOMPurify.sanitize(html, {
    ...SANITIZE_CONFIG,
    RETURN_DOM_FRAGMENT: true,
  });
  capNestingDepth(fragment, MAX_NESTING_DEPTH);
  applyMatrixColors(fragment);
  return fragment;
}

/**
 * Flatten everything below `maxDepth` element levels into plain text, so no
 * element inside `root` is nested deeper than `maxDepth`. The text content
 * survives; only the structure below the cap is lost. The walk uses an
 * explicit stack, so even a tree deeper than the JavaScript call stack
 * allows is handled.
 */
export function capNestingDepth(root: ParentNode, maxDepth: number): void {
  const stack: [Element, number][] = Array.from(root.children, (child) => [child, 1]);
  while (stack.length > 0) {
    const [element, depth] = stack.pop()!;
    if (depth >= maxDepth) {
      if (element.firstElementChild) element.replaceChildren(document.createTextNode(element.textContent ?? ""));
      continue;
    }
    for (const child of Array.from(element.children)) stack.push([child, depth + 1]);
  }
}

/** Depth of the deepest element below `root` (a direct child counts as 1). */
export function nestingDepth(root: ParentNode): number {
  let deepest = 0;
  const stack: [Element, number][] = Array.from(root.children, (child) => [child, 1]);
  while (stack.length > 0) {
    const [element, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    for (const child of Array.from(element.children)) stack.push([child, depth + 1]);
  }
  return deepest;
}

// Colours arrive as data attributes because style attributes are not allowed;
// setting them through the CSSOM also works under a CSP without 'unsafe-inline'.
function applyMatrixColors(root: DocumentFragment): void {
  for (const element of root.querySelectorAll<HTMLElement>("[data-mx-color], [data-mx-bg-color], font[color]")) {
    const color = element.getAttribute("data-mx-color") ?? element.getAttribute("color");
    const background = element.getAttribute("data-mx-bg-color");
    if (color && COLOR.test(color)) element.style.color = color;
    if (background && COLOR.test(background)) element.style.backgroundColor = background;
  }
}

export interface OutgoingText {
  body: string;
  format?: typeof MATRIX_HTML_FORMAT;
  formatted_body?: string;
}

/**
 * Turn composer Markdown into message content. The Markdown source stays the
 * plain `body`; `formatted_body` is added only when the Markdown produced
 * any formatting.
 */
export function markdownToContent(source: string): OutgoingText {
  installHooks();
  const rendered = marked.parse(source, { async: false, gfm: true, breaks: true }).trim();
  const html = DOMPurify.sanitize(rendered, SANITIZE_CONFIG).trim();
  if (html === plainParagraph(source)) return { body: source };
  return { body: source, format: MATRIX_HTML_FORMAT, formatted_body: html };
}

// Render `source` the way marked renders text without Markdown syntax, so a
// match shows that no formatting was used.
function plainParagraph(source: string): string {
  const escaped = source
    .trim()
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")
    .replace(/\n/g, "<br>");
  return `<p>${escaped}</p>`;
}
