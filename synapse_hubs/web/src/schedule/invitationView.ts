// SPDX-License-Identifier: AGPL-3.0-or-later
// The scheduled meeting with its link: copy the link or the invitation, download the ICS.

import { requestBlob, type Meeting, type Session } from "./api";
import { element, isolated } from "./dom";
import type { Language, Texts } from "./i18n";
import { formatMeetingTime } from "./meetingTime";

export function renderInvitation(meeting: Meeting, session: Session, texts: Texts, language: Language): HTMLElement {
  const when = formatMeetingTime(meeting, language);
  const link = element("input", { id: "join-url", readonly: "", value: meeting.join_url });
  const status = element("span", { class: "copy-status", role: "status" });

  const copy = (text: string) => async () => {
    await copyText(text, link);
    status.textContent = texts.copied;
  };
  const invitationText = [meeting.title, when, "", texts.invitationLine, `${texts.joinLine} ${meeting.join_url}`].join("\n");

  const copyLink = element("button", { type: "button", class: "copy-link" }, texts.copyLink);
  copyLink.addEventListener("click", copy(meeting.join_url));
  const copyInvitation = element("button", { type: "button", class: "copy-invitation" }, texts.copyInvitation);
  copyInvitation.addEventListener("click", copy(invitationText));
  const download = element("button", { type: "button", class: "download-ics" }, texts.downloadIcs);
  download.addEventListener("click", () => void downloadIcs(meeting, session));

  return element(
    "section",
    { class: "invitation", "data-meeting-id": meeting.meeting_id },
    element("h2", {}, texts.scheduled),
    element("p", { class: "invitation-title" }, isolated(meeting.title)),
    element("p", { class: "invitation-time" }, when),
    element("label", { class: "field" }, element("span", {}, texts.joinLink), link),
    element("div", { class: "actions" }, copyLink, copyInvitation, download,
      element("a", { href: meeting.join_url, class: "open-meeting" }, texts.openMeeting), status),
  );
}

export async function downloadIcs(meeting: Meeting, session: Session): Promise<void> {
  const blob = await requestBlob(meeting.ics_url, session.accessToken);
  const url = URL.createObjectURL(blob);
  const anchor = element("a", { href: url, download: `meeting-${meeting.meeting_id}.ics` });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Give the browser time to start the download before the URL is revoked.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function copyText(text: string, fallbackInput: HTMLInputElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API refused (no permission, insecure context): select the
    // link so the user can copy it with the keyboard.
    fallbackInput.select();
  }
}
