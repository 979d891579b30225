// SPDX-License-Identifier: AGPL-3.0-or-later
// /schedule: signed-in users schedule a meeting, get its link and invitation,
// and see their upcoming meetings.

import { ApiError } from "../api/http";
import type { Credentials } from "../auth/credentials";
import type { PageConfig } from "../config";
import { signIn, signOutButton } from "../flows/staffFlow";
import { onLanguageChange, t, text } from "../i18n";
import type { AppShell } from "../ui/appShell";
import { el } from "../ui/dom";
import { statusView } from "../views/statusView";
import { invitationView } from "./invitationView";
import { meetingListView } from "./meetingList";
import { listMeetings, scheduleMeeting, type ScheduledMeeting } from "./scheduleApi";
import { scheduleForm } from "./scheduleForm";

export const SCHEDULE_PATH = "/_synapse/client/hubs/schedule";

export async function runScheduleFlow(shell: AppShell, config: PageConfig): Promise<void> {
  shell.show(statusView("loading"));
  const credentials = await signIn(shell, config);
  shell.addAction(signOutButton(credentials));
  shell.show(scheduleView(config, credentials));
}

function scheduleView(config: PageConfig, credentials: Credentials): HTMLElement {
  const result = el("div", { class: "schedule-result" });
  const meetings = el("div", { class: "schedule-meetings" });
  let scheduled: ScheduledMeeting | null = null;

  const showResult = () => {
    if (scheduled) result.replaceChildren(invitationView(scheduled, credentials));
  };
  const refreshMeetings = () => {
    listMeetings(credentials)
      .then((list) => meetings.replaceChildren(meetingListView(list, credentials, refreshMeetings)))
      .catch((error: unknown) => {
        console.warn("Loading the meetings failed", error);
        meetings.replaceChildren(el("p", { class: "form-error", role: "alert" }, [text("errorLoadMeetingsFailed")]));
      });
  };
  // Dates are formatted for the page language, so they are rendered again on a switch.
  onLanguageChange(() => {
    showResult();
    refreshMeetings();
  });

  const form = scheduleForm(config.defaultTimeZone, (request, formElement) => {
    const error = formElement.querySelector(".form-error") as HTMLElement;
    const submit = formElement.querySelector(".schedule-submit") as HTMLButtonElement;
    error.textContent = "";
    submit.disabled = true;
    scheduleMeeting(credentials, request)
      .then((meeting) => {
        scheduled = meeting;
        showResult();
        refreshMeetings();
      })
      .catch((failure: unknown) => {
        console.warn("Scheduling failed", failure);
        // The server's message names the field to fix; it is in English.
        const detail = failure instanceof ApiError && failure.status !== 0 ? ` ${failure.serverMessage}` : "";
        error.textContent = t("errorScheduleFailed") + detail;
      })
      .finally(() => {
        submit.disabled = false;
      });
  });

  refreshMeetings();
  return el("div", { class: "schedule" }, [
    el("section", { class: "card schedule-card" }, [text("scheduleHeading", undefined, "h1"), form]),
    result,
    meetings,
  ]);
}
