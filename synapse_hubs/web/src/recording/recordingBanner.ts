// SPDX-License-Identifier: AGPL-3.0-or-later
// The banner shown to every participant while the meeting is recorded: a red
// dot, "the meeting is being recorded" and the elapsed time. It has no
// close button and stays at the top of the meeting until recording stops,
// because consent depends on everyone noticing it.

import { setText, text } from "../i18n";
import { markTimeline } from "../testHooks";
import { el } from "../ui/dom";
import type { RecordingStatus } from "./recordingStatus";

const TICK_MS = 1000;

export class RecordingBanner {
  readonly element: HTMLElement;
  private readonly elapsed: HTMLTimeElement;
  private timer: number | null = null;
  private readonly unsubscribe: () => void;

  constructor(private readonly status: RecordingStatus) {
    this.elapsed = el("time", { class: "recording-elapsed" });
    this.element = el("div", { class: "recording-banner", role: "status", "aria-live": "polite", hidden: "" }, [
      el("span", { class: "recording-dot", "aria-hidden": "true" }),
      text("recordingInProgress", undefined, "strong"),
      this.elapsed,
    ]);
    this.unsubscribe = status.onChange(() => this.render());
    this.render();
  }

  /** Update at once, for callers that must know the banner is up before they go on. */
  render(): void {
    const active = this.status.active;
    const wasHidden = this.element.hidden;
    this.element.hidden = !active;
    this.element.dataset.recording = active ? "active" : "inactive";
    if (active && this.timer === null) {
      this.timer = window.setInterval(() => this.renderElapsed(), TICK_MS);
    } else if (!active && this.timer !== null) {
      window.clearInterval(this.timer);
      this.timer = null;
    }
    if (active) this.renderElapsed();
    if (active && wasHidden) markTimeline("recordingBannerShown");
  }

  dispose(): void {
    this.unsubscribe();
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
  }

  private renderElapsed(): void {
    const startedAt = this.status.startedAt ?? Date.now();
    const seconds = Math.max(0, Math.floor((Date.now() - startedAt) / 1000));
    this.elapsed.dateTime = `PT${seconds}S`;
    setText(this.elapsed, "recordingElapsed", { time: formatElapsed(seconds) });
  }
}

/** Format seconds as m:ss, or h:mm:ss from one hour. */
export function formatElapsed(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const pad = (value: number): string => String(value).padStart(2, "0");
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}
