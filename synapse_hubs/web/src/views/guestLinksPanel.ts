// SPDX-License-Identifier: AGPL-3.0-or-later
// Moderators: create a guest link (optional password and expiry), copy it,
// see the existing links and revoke them.

import type { GuestLink, HubsApi } from "../api/hubsApi";
import { ApiError } from "../api/http";
import { bindAttribute, currentLanguage, type MessageKey, setText, text } from "../i18n";
import { el, userText } from "../ui/dom";

const EXPIRY_CHOICES: { seconds: number; key: MessageKey }[] = [
  { seconds: 3600, key: "expiresInHour" },
  { seconds: 86400, key: "expiresInDay" },
  { seconds: 7 * 86400, key: "expiresInWeek" },
  { seconds: 30 * 86400, key: "expiresInMonth" },
  { seconds: 0, key: "expiresNever" },
];

export class GuestLinksPanel {
  readonly element: HTMLElement;
  private readonly password: HTMLInputElement;
  private readonly expiry: HTMLSelectElement;
  private readonly label: HTMLInputElement;
  private readonly createdUrl: HTMLInputElement;
  private readonly createdBox: HTMLElement;
  private readonly status: HTMLElement;
  private readonly list: HTMLUListElement;

  constructor(
    private readonly api: HubsApi,
    private readonly accessToken: string,
    private readonly roomId: string,
  ) {
    this.password = el("input", { id: "guest-link-password", type: "password", autocomplete: "new-password", maxlength: "256" });
    this.label = el("input", { id: "guest-link-label", type: "text", maxlength: "100", dir: "auto" });
    this.expiry = el("select", { id: "guest-link-expiry" });
    for (const choice of EXPIRY_CHOICES) {
      const option = el("option", { value: String(choice.seconds) }, [text(choice.key)]);
      this.expiry.append(option);
    }
    this.expiry.value = "86400";

    this.createdUrl = el("input", { type: "text", readonly: "", class: "created-link-url", id: "created-link-url" });
    bindAttribute(this.createdUrl, "aria-label", "guestLink");
    const copy = el("button", { type: "button", class: "secondary copy-link" }, [text("copyLink")]);
    copy.addEventListener("click", () => void this.copy(this.createdUrl.value));
    this.createdBox = el("div", { class: "created-link", hidden: "" }, [this.createdUrl, copy]);
    this.status = el("p", { class: "form-status", role: "status" });
    this.list = el("ul", { class: "link-list" });

    this.element = this.build();
  }

  async start(): Promise<void> {
    await this.refreshList();
  }

  private build(): HTMLElement {
    const form = el("form", { class: "guest-link-form" }, [
      field("guest-link-password", "passwordOptional", this.password),
      field("guest-link-expiry", "validFor", this.expiry),
      field("guest-link-label", "linkLabelOptional", this.label),
      el("button", { type: "submit", class: "primary create-link" }, [text("createGuestLink")]),
    ]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.create();
    });

    const heading = text("guestLinks", undefined, "h2");
    heading.id = "guest-links-heading";
    heading.classList.add("panel-heading");
    return el("section", { class: "guest-links", "aria-labelledby": "guest-links-heading" }, [
      heading,
      form,
      this.createdBox,
      this.status,
      text("existingLinks", undefined, "strong"),
      this.list,
    ]);
  }

  private async create(): Promise<void> {
    this.say(null);
    try {
      const expiresInS = Number(this.expiry.value) || undefined;
      const link = await this.api.createGuestLink(this.accessToken, this.roomId, {
        password: this.password.value || undefined,
        expiresInS,
        label: this.label.value.trim() || undefined,
      });
      this.password.value = "";
      this.label.value = "";
      this.createdUrl.value = absoluteUrl(link.url ?? "");
      this.createdBox.hidden = false;
      this.createdUrl.select();
      this.say("guestLinkCreated");
      await this.refreshList();
    } catch (error) {
      console.warn(`Creating a guest link for ${this.roomId} failed`, error);
      this.say(error instanceof ApiError && error.status === 403 ? "errorNotModerator" : "errorCreateLinkFailed");
    }
  }

  private async refreshList(): Promise<void> {
    try {
      const links = await this.api.listGuestLinks(this.accessToken, this.roomId);
      this.list.replaceChildren(...links.map((link) => this.renderLink(link)));
      if (links.length === 0) this.list.append(el("li", { class: "empty" }, [text("noGuestLinks")]));
    } catch (error) {
      console.warn(`Listing guest links for ${this.roomId} failed`, error);
      this.list.replaceChildren(el("li", { class: "empty" }, [text("errorListLinksFailed")]));
    }
  }

  private renderLink(link: GuestLink): HTMLElement {
    const details = el("span", { class: "link-details" }, [
      link.label ? userText(link.label, 100) : text("guestLink"),
      " · ",
      link.has_password ? text("withPassword") : text("withoutPassword"),
      " · ",
      linkState(link),
    ]);
    const item = el("li", { class: "link-item" }, [details]);
    if (link.revoked || isExpired(link)) {
      item.classList.add("inactive");
      return item;
    }

    const revoke = el("button", { type: "button", class: "link-button danger" }, [text("revokeLink")]);
    revoke.addEventListener("click", () => void this.revoke(link));
    item.append(el("span", { class: "link-actions" }, [revoke]));
    return item;
  }

  private async revoke(link: GuestLink): Promise<void> {
    try {
      await this.api.revokeGuestLink(this.accessToken, this.roomId, link.link_id);
      this.say("guestLinkRevoked");
      await this.refreshList();
    } catch (error) {
      console.warn(`Revoking guest link ${link.link_id} in ${this.roomId} failed`, error);
      this.say("errorRevokeLinkFailed");
    }
  }

  private async copy(url: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(url);
      this.say("linkCopied");
    } catch {
      // Without clipboard access the link stays selected for manual copying.
      this.createdUrl.value = url;
      this.createdBox.hidden = false;
      this.createdUrl.select();
      this.say("copyManually");
    }
  }

  private say(key: MessageKey | null): void {
    if (key === null) {
      this.status.textContent = "";
      delete this.status.dataset.i18n;
    } else {
      setText(this.status, key);
    }
  }
}

function field(id: string, labelKey: MessageKey, control: HTMLElement): HTMLElement {
  return el("div", { class: "field" }, [el("label", { for: id }, [text(labelKey)]), control]);
}

function linkState(link: GuestLink): HTMLElement {
  if (link.revoked) return text("linkStateRevoked");
  if (link.expires_at === null) return text("expiresNever");
  if (isExpired(link)) return text("linkStateExpired");
  return text("expiresAt", { time: formatTime(link.expires_at) });
}

function isExpired(link: GuestLink): boolean {
  return link.expires_at !== null && link.expires_at <= Date.now();
}

function absoluteUrl(url: string): string {
  return new URL(url, location.origin).href;
}

function formatTime(timestampMs: number): string {
  return new Date(timestampMs).toLocaleString(currentLanguage(), { dateStyle: "short", timeStyle: "short" });
}
