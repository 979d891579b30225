// SPDX-License-Identifier: AGPL-3.0-or-later
// The signed-in user's meetings: join, download, and cancel the ones they organise.

import type { Credentials } from "../auth/credentials";
import { t, text } from "../i18n";
import { el, userText } from "../ui/dom";
import { downloadButton } from "./invitationView";
import { formatMeetingTime } from "./meetingTime";
import { cancelMeeting, type ScheduledMeeting } from "./scheduleApi";

const MAX_TITLE_LENGTH = 120;

export function meetingListView(meetings: ScheduledMeeting[], credentials: Credentials, onChange: () => void): HTMLElement {
  const upcoming = meetings.filter((meeting) => meeting.next_start_utc !== null);
  const content = upcoming.length
    ? el("ul", { class: "meeting-list" }, upcoming.map((meeting) => meetingItem(meeting, credentials, onChange)))
    : text("scheduleNoMeetings", undefined, "p");
  return el("section", { class: "card my-meetings" }, [text("scheduleMyMeetings", undefined, "h2"), content]);
}

function meetingItem(meeting: ScheduledMeeting, credentials: Credentials, onChange: () => void): HTMLElement {
  const cancelled = meeting.status === "cancelled";
  const item = el("li", { "data-meeting-id": meeting.meeting_id, class: cancelled ? "cancelled" : "" }, [
    el("strong", {}, [userText(meeting.title, MAX_TITLE_LENGTH)]),
    el("span", { class: "meeting-time" }, [formatMeetingTime(meeting)]),
    cancelled ? text("scheduleCancelled", undefined, "span") : null,
    cancelled ? null : el("a", { href: meeting.join_url }, [text("scheduleOpenMeeting")]),
    downloadButton(meeting, credentials),
  ]);

  if (meeting.role === "organiser" && !cancelled) {
    const cancel = el("button", { type: "button", class: "danger cancel-meeting" }, [text("scheduleCancel")]);
    cancel.addEventListener("click", () => {
      if (!confirm(t("scheduleCancelConfirm"))) return;
      cancelMeeting(credentials, meeting.meeting_id)
        .then(onChange)
        .catch((error: unknown) => console.warn("Cancelling the meeting failed", error));
    });
    item.append(cancel);
  }
  return item;
}
