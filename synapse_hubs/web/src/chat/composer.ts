// SPDX-License-Identifier: AGPL-3.0-or-later
// The message composer: Markdown text area, file attachment and send button.

import { bindAttribute, text } from "../i18n";
import { el } from "../ui/dom";
import { icon } from "../ui/icons";
import { describeSendError } from "./sendErrors";

export interface ComposerHandlers {
  sendText(markdown: string): Promise<void>;
  sendFile(file: File): Promise<void>;
}

export class Composer {
  readonly element: HTMLFormElement;
  private readonly input: HTMLTextAreaElement;
  private readonly fileInput: HTMLInputElement;
  private readonly error: HTMLElement;

  constructor(private readonly handlers: ComposerHandlers) {
    this.input = el("textarea", { class: "composer-input", rows: "2", id: "chat-input", maxlength: "1000000" });
    bindAttribute(this.input, "placeholder", "messagePlaceholder");
    bindAttribute(this.input, "aria-label", "messageLabel");

    this.fileInput = el("input", { type: "file", class: "visually-hidden", tabindex: "-1" });
    this.fileInput.setAttribute("aria-hidden", "true");

    const attach = el("button", { type: "button", class: "icon-button composer-attach" }, [icon("attach")]);
    bindAttribute(attach, "aria-label", "attachFile");
    bindAttribute(attach, "title", "attachFile");

    const send = el("button", { type: "submit", class: "composer-send" }, [icon("send"), text("send")]);
    this.error = el("p", { class: "composer-error", role: "alert" });

    this.element = el("form", { class: "composer" }, [
      this.error,
      el("div", { class: "composer-row" }, [this.input, attach, send, this.fileInput]),
    ]);

    this.element.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      // Enter sends, Shift+Enter adds a line, as in most chat clients.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        void this.submit();
      }
    });
    attach.addEventListener("click", () => this.fileInput.click());
    this.fileInput.addEventListener("change", () => void this.submitFiles());
  }

  showError(message: string): void {
    this.error.textContent = message;
  }

  private async submit(): Promise<void> {
    const markdown = this.input.value;
    if (markdown.trim() === "") return;

    this.showError("");
    this.input.value = "";
    try {
      await this.handlers.sendText(markdown);
    } catch (error) {
      console.warn("Sending a chat message failed", error);
      this.showError(describeSendError(error));
      // Give the text back unless the user has started a new message meanwhile.
      if (this.input.value === "") this.input.value = markdown;
    }
  }

  private async submitFiles(): Promise<void> {
    const files = Array.from(this.fileInput.files ?? []);
    this.fileInput.value = "";
    this.showError("");
    for (const file of files) {
      try {
        await this.handlers.sendFile(file);
      } catch (error) {
        console.warn("Sharing a file failed", error);
        this.showError(describeSendError(error));
      }
    }
  }
}
