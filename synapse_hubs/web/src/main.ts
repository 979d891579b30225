// SPDX-License-Identifier: AGPL-3.0-or-later
// Entry point of the join page: read the page config, set the language and
// run the flow that the URL names.
//
//   /_synapse/client/hubs/join/{token}    guest link
//   /_synapse/client/hubs/meet/{room_id}  meeting for signed-in users
//   /_synapse/client/hubs/meet/           create a meeting
//   /_synapse/client/hubs/schedule        schedule a meeting
//   /_synapse/client/hubs/recording/{id}  download a meeting recording

import { HubsApi } from "./api/hubsApi";
import { readPageConfig } from "./config";
import { runGuestFlow } from "./flows/guestFlow";
import { MEET_PATH, runStaffFlow } from "./flows/staffFlow";
import { initLanguage } from "./i18n";
import { RECORDING_PATH, runRecordingFlow } from "./recording/recordingPage";
import { runScheduleFlow, SCHEDULE_PATH } from "./schedule/scheduleFlow";
import { installTestHooks } from "./testHooks";
import { AppShell } from "./ui/appShell";
import { connectionFailedView, statusView } from "./views/statusView";

const JOIN_PATH = "/_synapse/client/hubs/join";

async function main(): Promise<void> {
  const config = readPageConfig();
  initLanguage(config.defaultLanguage);
  installTestHooks();

  const shell = new AppShell(document.getElementById("app")!);
  const api = new HubsApi(config.homeserverUrl);
  const [prefix, parameter] = splitPath(location.pathname);

  try {
    if (prefix === JOIN_PATH && parameter) await runGuestFlow(shell, config, api, parameter);
    else if (prefix === MEET_PATH) await runStaffFlow(shell, config, api, parameter);
    else if (prefix === SCHEDULE_PATH && parameter === null) await runScheduleFlow(shell, config);
    else if (prefix === RECORDING_PATH && parameter) await runRecordingFlow(shell, config, parameter);
    else shell.show(statusView("pageNotFound"));
  } catch (error) {
    console.error("The page failed to start", error);
    shell.show(connectionFailedView());
  }
}

/** Split ".../join/abc" into [".../join", "abc"]; the parameter is null when absent. */
function splitPath(pathname: string): [string, string | null] {
  const trimmed = pathname.replace(/\/+$/, "");
  for (const prefix of [JOIN_PATH, MEET_PATH, SCHEDULE_PATH, RECORDING_PATH]) {
    if (trimmed === prefix) return [prefix, null];
    if (trimmed.startsWith(prefix + "/")) return [prefix, decodeURIComponent(trimmed.slice(prefix.length + 1))];
  }
  return [trimmed, null];
}

void main();
