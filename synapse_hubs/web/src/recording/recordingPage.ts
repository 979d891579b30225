// SPDX-License-Identifier: AGPL-3.0-or-later
// /recording/{recording_id}: where the link in a "recording shared" notice
// leads. The user signs in, and the page downloads the file with their
// access token, because the server hands recordings only to the owner,
// delegates and (once shared) members of the meeting.

import { ApiError } from "../api/http";
import type { PageConfig } from "../config";
import { signIn, signOutButton } from "../flows/staffFlow";
import { currentLanguage, type MessageKey, setText, text } from "../i18n";
import type { AppShell } from "../ui/appShell";
import { el } from "../ui/dom";
import { statusView } from "../views/statusView";
import { RecordingApi, type RecordingInfo } from "./recordingApi";

export const RECORDING_PATH = "/_synapse/client/hubs/recording";

export async function runRecordingFlow(shell: AppShell, config: PageConfig, recordingId: string): Promise<void> {
  shell.show(statusView("loading"));
  // TODO: guests have no staff sign-in; offer shared recordings inside the meeting page for them.
  const credentials = await signIn(shell, config);
  shell.addAction(signOutButton(credentials));
  const api = new RecordingApi({ homeserverUrl: credentials.homeserverUrl, accessToken: credentials.accessToken });

  let info: RecordingInfo;
  try {
    info = await api.recording(recordingId);
  } catch (error) {
    console.warn(`Reading recording ${recordingId} failed`, error);
    shell.show(statusView(recordingErrorKey(error)));
    return;
  }
  shell.show(downloadView(api, info));
}

function downloadView(api: RecordingApi, info: RecordingInfo): HTMLElement {
  const date = new Date(info.started_ts).toLocaleString(currentLanguage() === "sv" ? "sv-SE" : "en-GB");
  const minutes = Math.max(1, Math.round((info.duration_ms ?? 0) / 60_000));
  const error = el("p", { class: "form-error", role: "alert" });
  const button = el("button", { type: "button", class: "primary recording-download" }, [text("recordingDownload")]);
  button.disabled = info.status !== "ready" || !info.can_download;
  if (info.status !== "ready") setText(error, info.status === "deleted" ? "recordingDeleted" : "recordingNotReady");

  button.addEventListener("click", () => {
    button.disabled = true;
    setText(button, "recordingDownloading");
    api
      .download(info)
      .then((file) => saveFile(file, `${info.recording_id}.webm`))
      .catch((failure: unknown) => {
        console.warn(`Downloading recording ${info.recording_id} failed`, failure);
        setText(error, recordingErrorKey(failure));
      })
      .finally(() => {
        button.disabled = false;
        setText(button, "recordingDownload");
      });
  });

  return el("section", { class: "card recording-page" }, [
    text("recordingPageHeading", undefined, "h1"),
    text("recordingPageDetail", { date, minutes }, "p"),
    error,
    el("div", { class: "form-actions" }, [button]),
  ]);
}

function saveFile(file: Blob, name: string): void {
  const url = URL.createObjectURL(file);
  const link = el("a", { href: url, download: name, hidden: "" });
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function recordingErrorKey(error: unknown): MessageKey {
  if (error instanceof ApiError) {
    if (error.status === 403) return "recordingNoAccess";
    if (error.status === 404) return "recordingNotFound";
    if (error.status === 410) return "recordingDeleted";
    if (error.isNetworkError) return "errorNoConnection";
  }
  return "errorGenericHeading";
}
