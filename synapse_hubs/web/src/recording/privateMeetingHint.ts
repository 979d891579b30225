// SPDX-License-Identifier: AGPL-3.0-or-later
// Private meetings are end-to-end encrypted by default, and the server
// cannot record them; the organiser learns that while choosing.

import { text } from "../i18n";

export function privateMeetingRecordingHint(access: HTMLSelectElement): HTMLElement {
  const hint = text("privateMeetingsNotRecorded", undefined, "p");
  hint.className = "field-hint private-meeting-hint";
  const update = (): void => {
    hint.hidden = access.value !== "private";
  };
  access.addEventListener("change", update);
  update();
  return hint;
}
