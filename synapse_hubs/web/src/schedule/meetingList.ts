// SPDX-License-Identifier: AGPL-3.0-or-later
// The signed-in user's meetings: join, download, and cancel the ones they organise.

import { cancelMeeting, type Meeting, type Session } from "./api";
import { element, isolated } from "./dom";
import type { Language, Texts } from "./i18n";
import { downloadIcs } from "./invitationView";
import { formatMeetingTime } from "./meetingTime";

export function renderMeetingList(
  meetings: Meeting[],
  session: Session,
  texts: Texts,
  language: Language,
  onChange: () => void,
): HTMLElement {
  const upcoming = meetings.filter((meeting) => meeting.next_start_utc !== null);
  const list = element("ul", { class: "meeting-list" },
    ...upcoming.map((meeting) => renderItem(meeting, session, texts, language, onChange)));
  return element(
    "section",
    { class: "my-meetings" },
    element("h2", {}, texts.myMeetings),
    upcoming.length ? list : element("p", {}, texts.noMeetings),
  );
}

function renderItem(meeting: Meeting, session: Session, texts: Texts, language: Language, onChange: () => void): HTMLElement {
  const cancelled = meeting.status === "cancelled";
  const download = element("button", { type: "button", class: "download-ics" }, texts.downloadIcs);
  download.addEventListener("click", () => void downloadIcs(meeting, session));

  const item = element(
    "li",
    { "data-meeting-id": meeting.meeting_id, class: cancelled ? "cancelled" : "" },
    element("strong", {}, isolated(meeting.title)),
    element("span", { class: "meeting-time" }, formatMeetingTime(meeting, language)),
    cancelled ? element("span", { class: "meeting-status" }, texts.cancelled) : null,
    cancelled ? null : element("a", { href: meeting.join_url }, texts.openMeeting),
    download,
  );

  if (meeting.role === "organiser" && !cancelled) {
    const cancel = element("button", { type: "button", class: "cancel-meeting" }, texts.cancel);
    cancel.addEventListener("click", async () => {
      if (!confirm(texts.cancelConfirm)) return;
      await cancelMeeting(session, meeting.meeting_id);
      onChange();
    });
    item.append(cancel);
  }
  return item;
}
