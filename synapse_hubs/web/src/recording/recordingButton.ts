// SPDX-License-Identifier: AGPL-3.0-or-later
// The moderators' start/stop recording button in the call controls. The
// server decides: a refusal (recording not enabled, encrypted meeting,
// nobody in the call) is shown next to the button in the user's language.

import { ApiError } from "../api/http";
import { type MessageKey, setText } from "../i18n";
import { el } from "../ui/dom";
import { ControlButton } from "../views/controlButton";
import type { RecordingApi } from "./recordingApi";
import type { RecordingStatus } from "./recordingStatus";

const ERROR_KEYS: Record<string, MessageKey> = {
  SE_HUBS_RECORDING_NOT_ENABLED: "recordingNotEnabled",
  SE_HUBS_RECORDING_E2EE: "recordingE2eeNote",
  SE_HUBS_NO_CALL: "recordingNoCall",
  SE_HUBS_RECORDING_ACTIVE: "recordingAlreadyRunning",
};

export class RecordingButton {
  readonly element: HTMLElement;
  private readonly button: ControlButton;
  private readonly error: HTMLElement;
  private busy = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly api: RecordingApi,
    private readonly roomId: string,
    private readonly status: RecordingStatus,
  ) {
    this.button = new ControlButton("control-record", "record", "startRecording", () => void this.toggle());
    this.error = el("span", { class: "recording-error", role: "alert" });
    this.element = el("span", { class: "recording-control" }, [this.button.element, this.error]);
    this.unsubscribe = status.onChange(() => this.render());
    this.render();
  }

  dispose(): void {
    this.unsubscribe();
  }

  private render(): void {
    const active = this.status.active;
    this.button.set("record", active ? "stopRecording" : "startRecording");
    this.button.setPressed(active);
    this.button.element.disabled = this.busy;
  }

  private async toggle(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error.textContent = "";
    this.render();
    try {
      if (this.status.active) await this.api.stop(this.roomId);
      else await this.api.start(this.roomId);
    } catch (error) {
      console.warn(`Changing the recording of ${this.roomId} failed`, error);
      const key = error instanceof ApiError ? (ERROR_KEYS[error.errcode] ?? "recordingFailed") : "recordingFailed";
      setText(this.error, key);
    } finally {
      this.busy = false;
      this.render();
    }
  }
}
