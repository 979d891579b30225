// SPDX-License-Identifier: AGPL-3.0-or-later
// The scheduled meeting with its link: copy the link or the invitation, download the ICS.

import type { Credentials } from "../auth/credentials";
import { setText, t, text } from "../i18n";
import { el, userText } from "../ui/dom";
import { formatMeetingTime } from "./meetingTime";
import { fetchIcs, type ScheduledMeeting } from "./scheduleApi";

const MAX_TITLE_LENGTH = 200;

export function invitationView(meeting: ScheduledMeeting, credentials: Credentials): HTMLElement {
  const link = el("input", { id: "join-url", readonly: "", value: meeting.join_url });
  const status = el("span", { class: "form-status", role: "status" });
  const copy = (textToCopy: () => string) => async () => {
    await copyText(textToCopy(), link);
    setText(status, "scheduleCopied");
  };

  const copyLink = el("button", { type: "button", class: "secondary copy-link" }, [text("scheduleCopyLink")]);
  copyLink.addEventListener("click", copy(() => meeting.join_url));
  const copyInvitation = el("button", { type: "button", class: "secondary copy-invitation" }, [text("scheduleCopyInvitation")]);
  copyInvitation.addEventListener("click", copy(() => invitationText(meeting)));

  return el("section", { class: "card invitation", "data-meeting-id": meeting.meeting_id }, [
    text("scheduleDone", undefined, "h2"),
    el("p", { class: "invitation-title" }, [userText(meeting.title, MAX_TITLE_LENGTH)]),
    el("p", { class: "invitation-time" }, [formatMeetingTime(meeting)]),
    el("div", { class: "field" }, [el("label", { for: "join-url" }, [text("scheduleJoinLink")]), link]),
    el("div", { class: "card-actions" }, [
      copyLink,
      copyInvitation,
      downloadButton(meeting, credentials),
      el("a", { href: meeting.join_url, class: "open-meeting" }, [text("scheduleOpenMeeting")]),
      status,
    ]),
  ]);
}

export function downloadButton(meeting: ScheduledMeeting, credentials: Credentials): HTMLButtonElement {
  const button = el("button", { type: "button", class: "secondary download-ics" }, [text("scheduleDownloadIcs")]);
  button.addEventListener("click", () => {
    fetchIcs(credentials, meeting)
      .then((blob) => saveFile(blob, `meeting-${meeting.meeting_id}.ics`))
      .catch((error: unknown) => console.warn("Downloading the calendar file failed", error));
  });
  return button;
}

function invitationText(meeting: ScheduledMeeting): string {
  return [meeting.title, formatMeetingTime(meeting), "", t("scheduleInvitationLine"), `${t("scheduleJoinLine")} ${meeting.join_url}`].join("\n");
}

function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = el("a", { href: url, download: filename });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Give the browser time to start the download before the URL is revoked.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function copyText(value: string, fallbackInput: HTMLInputElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(value);
  } catch {
    // The clipboard API was refused (no permission or an insecure context):
    // select the link so the user can copy it with the keyboard.
    fallbackInput.select();
  }
}
