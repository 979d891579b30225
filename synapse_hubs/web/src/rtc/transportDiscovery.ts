// SPDX-License-Identifier: AGPL-3.0-or-later
// Find the LiveKit token service the homeserver advertises for MatrixRTC.
//
// Element Call 0.24 and newer ask /_matrix/client/unstable/org.matrix.msc4143/rtc/transports;
// older clients read `org.matrix.msc4143.rtc_foci` from .well-known/matrix/client.
// Hubs serves both, so we try them in that order.

import type { MatrixClient } from "matrix-js-sdk";
import type { LivekitTransportConfig } from "matrix-js-sdk/lib/matrixrtc/index.js";

import { requestJson } from "../api/http";

export async function discoverLivekitTransport(client: MatrixClient): Promise<LivekitTransportConfig> {
  try {
    const transport = firstLivekit(await client._unstable_getRTCTransports());
    if (transport) return transport;
  } catch (error) {
    console.warn("rtc/transports lookup failed; trying .well-known", error);
  }

  const wellKnown = await requestJson<Record<string, unknown>>(
    "GET",
    `${client.getHomeserverUrl()}/.well-known/matrix/client`,
  );
  const transport = firstLivekit(wellKnown["org.matrix.msc4143.rtc_foci"]);
  if (transport) return transport;

  throw new Error("the homeserver advertises no LiveKit transport for calls");
}

function firstLivekit(candidates: unknown): LivekitTransportConfig | null {
  if (!Array.isArray(candidates)) return null;
  for (const candidate of candidates) {
    const fields = candidate as { type?: unknown; livekit_service_url?: unknown };
    if (fields?.type === "livekit" && typeof fields.livekit_service_url === "string") {
      return { type: "livekit", livekit_service_url: fields.livekit_service_url.replace(/\/+$/, "") };
    }
  }
  return null;
}
