// SPDX-License-Identifier: AGPL-3.0-or-later
// A toolbar button with an icon and a translated label. The label is visible
// on wide screens and stays the accessible name on narrow ones.

import { type MessageKey, bindAttribute, setText } from "../i18n";
import { el } from "../ui/dom";
import { icon, type IconName } from "../ui/icons";

export class ControlButton {
  readonly element: HTMLButtonElement;
  private readonly label: HTMLElement;

  constructor(className: string, iconName: IconName, labelKey: MessageKey, onClick: () => void) {
    this.label = el("span", { class: "control-label" });
    this.element = el("button", { type: "button", class: `control ${className}` });
    this.element.addEventListener("click", onClick);
    this.set(iconName, labelKey);
  }

  /** Change icon and label, e.g. between "Mute" and "Unmute". */
  set(iconName: IconName, labelKey: MessageKey): void {
    setText(this.label, labelKey);
    bindAttribute(this.element, "aria-label", labelKey);
    bindAttribute(this.element, "title", labelKey);
    this.element.replaceChildren(icon(iconName), this.label);
  }

  /** For buttons whose label stays the same, such as full screen. */
  setPressed(pressed: boolean): void {
    this.element.setAttribute("aria-pressed", String(pressed));
  }

  /** For buttons that open and close a panel. */
  setExpanded(expanded: boolean): void {
    this.element.setAttribute("aria-expanded", String(expanded));
  }
}
