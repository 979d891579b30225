// SPDX-License-Identifier: AGPL-3.0-or-later
// Page config that the server embeds in the HTML shell as JSON.

export type Language = "sv" | "en";

export interface PageConfig {
  homeserverUrl: string;
  defaultLanguage: Language;
  staticBase: string;
  e2eeWorkerUrl: string;
  // IANA zone the schedule page preselects.
  defaultTimeZone: string;
}

export function readPageConfig(): PageConfig {
  const element = document.getElementById("hubs-config");
  const raw = JSON.parse(element?.textContent ?? "{}") as Record<string, unknown>;

  const homeserverUrl = typeof raw.homeserver_url === "string" ? raw.homeserver_url : location.origin;
  return {
    homeserverUrl: homeserverUrl.replace(/\/+$/, ""),
    defaultLanguage: raw.default_language === "en" ? "en" : "sv",
    staticBase: typeof raw.static_base === "string" ? raw.static_base : "/_synapse/client/hubs/static",
    e2eeWorkerUrl: typeof raw.e2ee_worker_url === "string" ? raw.e2ee_worker_url : "",
    defaultTimeZone: typeof raw.default_time_zone === "string" ? raw.default_time_zone : "Europe/Stockholm",
  };
}
