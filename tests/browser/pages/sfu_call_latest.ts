// SPDX-License-Identifier: AGPL-3.0-or-later
// Interop page on the newest livekit-client release in package.json.
import "./lib/peer_connection_registry";
import * as LK from "livekit-client";
import { runCall } from "./lib/sfu_call";

void runCall(LK);
