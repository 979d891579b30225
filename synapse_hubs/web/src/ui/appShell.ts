// SPDX-License-Identifier: AGPL-3.0-or-later
// The frame every view sits in: a top bar with the meeting title, the
// language switch and (for signed-in users) sign-out, and the main area.

import { bindAttribute, currentLanguage, onLanguageChange, setLanguage, setText, text } from "../i18n";
import { el, replaceChildren, userText } from "./dom";

export const MAX_TITLE_LENGTH = 120;

export class AppShell {
  readonly main: HTMLElement;
  private readonly title: HTMLElement;
  private readonly actions: HTMLElement;

  constructor(root: HTMLElement) {
    this.title = el("div", { class: "topbar-title" }, [text("appName")]);
    this.actions = el("div", { class: "topbar-actions" }, [languageSwitch()]);
    this.main = el("main", { class: "main", id: "main" });
    const header = el("header", { class: "topbar" }, [this.title, this.actions]);
    replaceChildren(root, [header, this.main]);
  }

  setTitle(title: string | null): void {
    if (title === null) {
      replaceChildren(this.title, [text("appName")]);
      document.title = "Hubs";
      return;
    }
    replaceChildren(this.title, [userText(title, MAX_TITLE_LENGTH, "user-text topbar-meeting")]);
    document.title = `${title} – Hubs`;
  }

  /** Add a button to the top bar, such as sign-out. */
  addAction(button: HTMLElement): void {
    this.actions.prepend(button);
  }

  show(view: HTMLElement): void {
    replaceChildren(this.main, [view]);
  }
}

function languageSwitch(): HTMLButtonElement {
  const button = el("button", { type: "button", class: "language-switch" });
  const render = (): void => {
    // The button names the language it switches to, in that language.
    const target = currentLanguage() === "sv" ? "en" : "sv";
    setText(button, target === "en" ? "switchToEnglish" : "switchToSwedish");
    button.lang = target;
    bindAttribute(button, "aria-label", target === "en" ? "switchToEnglishLabel" : "switchToSwedishLabel");
  };
  button.addEventListener("click", () => setLanguage(currentLanguage() === "sv" ? "en" : "sv"));
  onLanguageChange(render);
  render();
  return button;
}
