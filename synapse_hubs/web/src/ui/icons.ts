// SPDX-License-Identifier: AGPL-3.0-or-later
// Line icons drawn as inline SVG, so the page needs no icon font or image host.
// Each icon is decorative: the button that contains it carries the label.

const SVG_NS = "http://www.w3.org/2000/svg";

type Shape = { path: string } | { rect: [number, number, number, number, number] } | { circle: [number, number, number] };

const SLASH: Shape = { path: "M3 3l18 18" };

const ICONS = {
  mic: [{ rect: [9, 3, 6, 11, 3] }, { path: "M5 11a7 7 0 0 0 14 0M12 18v3" }],
  micOff: [{ rect: [9, 3, 6, 11, 3] }, { path: "M5 11a7 7 0 0 0 14 0M12 18v3" }, SLASH],
  camera: [{ rect: [3, 7, 12, 10, 2] }, { path: "M15 11l6-3v8l-6-3z" }],
  cameraOff: [{ rect: [3, 7, 12, 10, 2] }, { path: "M15 11l6-3v8l-6-3z" }, SLASH],
  screen: [{ rect: [3, 4, 18, 12, 1] }, { path: "M8 20h8M12 16v4" }],
  grid: [{ rect: [3, 3, 8, 8, 1] }, { rect: [13, 3, 8, 8, 1] }, { rect: [3, 13, 8, 8, 1] }, { rect: [13, 13, 8, 8, 1] }],
  speaker: [{ rect: [3, 3, 18, 12, 1] }, { rect: [3, 17, 5, 4, 1] }, { rect: [9.5, 17, 5, 4, 1] }, { rect: [16, 17, 5, 4, 1] }],
  fullscreen: [{ path: "M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5" }],
  chat: [{ path: "M4 5h16v11H9l-5 4z" }],
  leave: [{ path: "M10 4H5v16h5M14 8l4 4-4 4M18 12H9" }],
  attach: [{ path: "M16 7l-7 7a2 2 0 0 0 3 3l7-7a4 4 0 0 0-6-6l-7 7a6 6 0 0 0 8 8l6-6" }],
  send: [{ path: "M4 12l16-8-6 16-2-6z" }],
  invite: [{ circle: [9, 8, 3] }, { path: "M3 20a6 6 0 0 1 12 0M18 8v6M15 11h6" }],
  close: [{ path: "M6 6l12 12M18 6L6 18" }],
  record: [{ circle: [12, 12, 8] }, { circle: [12, 12, 4] }],
  hand: [{ path: "M8 13V6a1.5 1.5 0 0 1 3 0v5M11 10V4.5a1.5 1.5 0 0 1 3 0V10M14 10V5.5a1.5 1.5 0 0 1 3 0V14a7 7 0 0 1-7 7 6 6 0 0 1-5-3l-2.5-4.5a1.5 1.5 0 0 1 2.5-1.5L8 14" }],
  react: [{ circle: [12, 12, 9] }, { path: "M8 14a4.5 4.5 0 0 0 8 0M9 9.5h.01M15 9.5h.01" }],
  lobby: [{ path: "M5 21V4h10v17M3 21h18M15 6h4v15" }, { circle: [12, 13, 0.8] }],
  people: [{ circle: [9, 8, 3] }, { path: "M3 20a6 6 0 0 1 12 0" }, { circle: [17, 9, 2.5] }, { path: "M16 14a5 5 0 0 1 6 5" }],
} satisfies Record<string, Shape[]>;

export type IconName = keyof typeof ICONS;

export function icon(name: IconName): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", `icon icon-${name}`);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const shape of ICONS[name] as Shape[]) svg.appendChild(drawShape(shape));
  return svg;
}

function drawShape(shape: Shape): SVGElement {
  if ("path" in shape) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", shape.path);
    return path;
  }
  if ("rect" in shape) {
    const [x, y, width, height, radius] = shape.rect;
    const rect = document.createElementNS(SVG_NS, "rect");
    for (const [name, value] of Object.entries({ x, y, width, height, rx: radius })) rect.setAttribute(name, String(value));
    return rect;
  }
  const [cx, cy, r] = shape.circle;
  const circle = document.createElementNS(SVG_NS, "circle");
  for (const [name, value] of Object.entries({ cx, cy, r })) circle.setAttribute(name, String(value));
  return circle;
}
