// SPDX-License-Identifier: AGPL-3.0-or-later
// Interop page on the livekit-client release Element Call pins (2.21.0).
import "./lib/peer_connection_registry";
import * as LK from "livekit-client-ec";
import { runCall } from "./lib/sfu_call";

void runCall(LK as unknown as typeof import("livekit-client"));
