// SPDX-License-Identifier: AGPL-3.0-or-later
// Signed-in users: create a meeting and go to its page.

import type { EidRequirement, HubsApi, MeetingAccess } from "../api/hubsApi";
import { text, setText } from "../i18n";
import { el } from "../ui/dom";
import { privateMeetingRecordingHint } from "../recording/privateMeetingHint";

export const MAX_MEETING_TITLE_LENGTH = 120;

export function newMeetingView(api: HubsApi, accessToken: string, onCreated: (roomId: string) => void): HTMLElement {
  const title = el("input", { id: "meeting-title", type: "text", maxlength: String(MAX_MEETING_TITLE_LENGTH), required: "", dir: "auto" });
  const access = el("select", { id: "meeting-access" }, [
    el("option", { value: "public" }, [text("accessPublic")]),
    el("option", { value: "private" }, [text("accessPrivate")]),
  ]);
  const eid = el("select", { id: "meeting-eid" }, [
    el("option", { value: "server-default" }, [text("eidServerDefault")]),
    el("option", { value: "nobody" }, [text("eidNobody")]),
    el("option", { value: "external" }, [text("eidExternal")]),
    el("option", { value: "everyone" }, [text("eidEveryone")]),
  ]);
  // A lobby is the safe default: nobody with the link gets in unseen.
  const lobby = el("input", { id: "meeting-lobby", type: "checkbox", checked: "" });
  const error = el("p", { class: "form-error", role: "alert" });
  const submit = el("button", { type: "submit", class: "primary" }, [text("createMeeting")]);

  const form = el("form", { class: "new-meeting-form" }, [
    el("div", { class: "field" }, [el("label", { for: "meeting-title" }, [text("meetingTitle")]), title]),
    el("div", { class: "field" }, [el("label", { for: "meeting-access" }, [text("meetingAccess")]), access]),
    privateMeetingRecordingHint(access),
    el("div", { class: "field" }, [el("label", { for: "meeting-eid" }, [text("meetingEid")]), eid]),
    el("div", { class: "field checkbox-field" }, [lobby, el("label", { for: "meeting-lobby" }, [text("meetingLobby")])]),
    error,
    el("div", { class: "form-actions" }, [submit]),
  ]);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (title.value.trim() === "") {
      setText(error, "errorTitleRequired");
      title.focus();
      return;
    }
    submit.disabled = true;
    api
      .createMeeting(accessToken, title.value.trim(), access.value as MeetingAccess, eid.value as EidRequirement, lobby.checked)
      .then((meeting) => onCreated(meeting.room_id))
      .catch((failure: unknown) => {
        console.warn("Creating a meeting failed", failure);
        setText(error, "errorCreateMeetingFailed");
      })
      .finally(() => {
        submit.disabled = false;
      });
  });

  return el("section", { class: "card new-meeting" }, [text("newMeetingHeading", undefined, "h1"), form]);
}
