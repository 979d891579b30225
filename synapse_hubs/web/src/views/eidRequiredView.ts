// SPDX-License-Identifier: AGPL-3.0-or-later
// The step between redeeming a guest link and the call when the meeting
// requires e-ID: the guest leaves for the e-ID pages and comes back here.

import { setText, text } from "../i18n";
import { el } from "../ui/dom";

export function eidRequiredView(onContinue: () => Promise<void>): HTMLElement {
  const error = el("p", { class: "form-error", role: "alert" });
  const continueButton = el("button", { type: "button", class: "primary continue-to-eid" }, [text("eidContinue")]);

  continueButton.addEventListener("click", () => {
    continueButton.disabled = true;
    onContinue().catch((failure: unknown) => {
      console.warn("Starting the e-ID verification failed", failure);
      setText(error, "eidStartFailed");
      continueButton.disabled = false;
    });
  });

  return el("section", { class: "card eid-required" }, [
    text("eidRequiredHeading", undefined, "h1"),
    text("eidRequiredDetail", undefined, "p"),
    error,
    el("div", { class: "form-actions" }, [continueButton]),
  ]);
}
