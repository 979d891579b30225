// SPDX-License-Identifier: AGPL-3.0-or-later
// Pre-join: name, password when the link needs one, camera and microphone
// preview with device choice, then join the call (or open only the chat).

import { bindAttribute, type MessageKey, setText, t, text } from "../i18n";
import { LocalMedia, listDevices } from "../media/localMedia";
import { el, userText } from "../ui/dom";
import { icon, type IconName } from "../ui/icons";
import { UserFacingError } from "../ui/userFacingError";
import { MAX_TITLE_LENGTH } from "../ui/appShell";

export const MAX_DISPLAY_NAME_LENGTH = 64;

// Icon and label of the camera and microphone buttons in each state.
const TOGGLE_LOOKS: Record<"camera" | "mic", Record<"on" | "off", { icon: IconName; label: MessageKey }>> = {
  camera: { on: { icon: "camera", label: "turnCameraOff" }, off: { icon: "cameraOff", label: "turnCameraOn" } },
  mic: { on: { icon: "mic", label: "muteMicrophone" }, off: { icon: "micOff", label: "unmuteMicrophone" } },
};

export interface PreJoinChoice {
  displayName: string;
  password: string;
  media: LocalMedia;
  joinCall: boolean;
}

export interface PreJoinOptions {
  title: string;
  /** Shown instead of the name field when the name is already known. */
  knownName: string | null;
  requiresPassword: boolean;
  /** Offer "open the chat only" next to joining the call. */
  allowChatOnly: boolean;
  onJoin(choice: PreJoinChoice): Promise<void>;
}

export class PreJoinView {
  readonly element: HTMLElement;
  private readonly media = new LocalMedia();
  private readonly video: HTMLVideoElement;
  private readonly videoPlaceholder: HTMLElement;
  private readonly cameraButton: HTMLButtonElement;
  private readonly microphoneButton: HTMLButtonElement;
  private readonly cameraSelect: HTMLSelectElement;
  private readonly microphoneSelect: HTMLSelectElement;
  private readonly nameInput: HTMLInputElement | null;
  private readonly passwordInput: HTMLInputElement | null;
  private readonly error: HTMLElement;
  private readonly joinButtons: HTMLButtonElement[] = [];
  private cameraWanted = true;
  private microphoneWanted = true;

  constructor(private readonly options: PreJoinOptions) {
    this.video = el("video", { class: "preview-video", playsinline: "", muted: "", autoplay: "" });
    this.video.muted = true;
    this.videoPlaceholder = el("div", { class: "preview-placeholder" }, [text("cameraOff")]);

    this.cameraButton = this.toggleButton("camera", () => void this.toggleCamera());
    this.microphoneButton = this.toggleButton("mic", () => void this.toggleMicrophone());
    this.renderToggle(this.cameraButton, "camera", this.cameraWanted);
    this.renderToggle(this.microphoneButton, "mic", this.microphoneWanted);
    this.cameraSelect = el("select", { class: "device-select", id: "camera-select" });
    this.microphoneSelect = el("select", { class: "device-select", id: "microphone-select" });
    this.cameraSelect.addEventListener("change", () => void this.switchCamera());
    this.microphoneSelect.addEventListener("change", () => void this.switchMicrophone());

    this.nameInput = options.knownName === null ? this.textInput("display-name", "text", MAX_DISPLAY_NAME_LENGTH) : null;
    this.passwordInput = options.requiresPassword ? this.textInput("link-password", "password", 256) : null;
    this.error = el("p", { class: "form-error", role: "alert" });

    this.element = this.build();
  }

  /** Ask for camera and microphone and fill the device lists. */
  async start(): Promise<void> {
    await Promise.all([this.toggleCamera(true), this.toggleMicrophone(true)]);
    await this.fillDeviceLists();
    this.nameInput?.focus();
  }

  dispose(): void {
    this.media.dispose();
  }

  private build(): HTMLElement {
    const heading = el("h1", { class: "prejoin-title" }, [userText(this.options.title, MAX_TITLE_LENGTH)]);
    const preview = el("div", { class: "preview" }, [
      this.video,
      this.videoPlaceholder,
      el("div", { class: "preview-controls" }, [this.microphoneButton, this.cameraButton]),
    ]);

    const form = el("form", { class: "prejoin-form", novalidate: "" });
    if (this.options.knownName !== null) {
      form.append(el("p", { class: "known-name" }, [text("joiningAs"), " ", userText(this.options.knownName, MAX_DISPLAY_NAME_LENGTH)]));
    } else {
      form.append(this.field("display-name", "yourName", this.nameInput!));
    }
    if (this.passwordInput) form.append(this.field("link-password", "meetingPassword", this.passwordInput));
    form.append(
      this.field("camera-select", "camera", this.cameraSelect),
      this.field("microphone-select", "microphone", this.microphoneSelect),
      this.error,
    );

    const join = el("button", { type: "submit", class: "primary join-button" }, [text("joinMeeting")]);
    this.joinButtons.push(join);
    const actions = el("div", { class: "form-actions" }, [join]);
    if (this.options.allowChatOnly) {
      const chatOnly = el("button", { type: "button", class: "secondary chat-only-button" }, [text("openChatOnly")]);
      chatOnly.addEventListener("click", () => void this.submit(false));
      this.joinButtons.push(chatOnly);
      actions.append(chatOnly);
    }
    form.append(actions);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit(true);
    });

    return el("section", { class: "prejoin card" }, [heading, el("div", { class: "prejoin-body" }, [preview, form])]);
  }

  private field(id: string, labelKey: Parameters<typeof text>[0], control: HTMLElement): HTMLElement {
    const label = el("label", { for: id }, [text(labelKey)]);
    return el("div", { class: "field" }, [label, control]);
  }

  private textInput(id: string, type: string, maxLength: number): HTMLInputElement {
    const input = el("input", { id, type, maxlength: String(maxLength), autocomplete: type === "password" ? "off" : "name" });
    if (type === "text") input.setAttribute("dir", "auto");
    return input;
  }

  private toggleButton(kind: "camera" | "mic", onClick: () => void): HTMLButtonElement {
    const button = el("button", { type: "button", class: `icon-button toggle toggle-${kind}` });
    button.addEventListener("click", onClick);
    return button;
  }

  private renderToggle(button: HTMLButtonElement, kind: "camera" | "mic", on: boolean): void {
    const look = TOGGLE_LOOKS[kind][on ? "on" : "off"];
    // The label names what a click does, so the state is not repeated in aria-pressed.
    button.dataset.off = String(!on);
    button.replaceChildren(icon(look.icon));
    bindAttribute(button, "aria-label", look.label);
    bindAttribute(button, "title", look.label);
  }

  private async toggleCamera(on = !this.cameraWanted): Promise<void> {
    this.cameraWanted = on;
    if (on) {
      try {
        const track = await this.media.startCamera(this.cameraSelect.value || undefined);
        track.attach(this.video);
      } catch (error) {
        console.warn("Camera is not available", error);
        this.cameraWanted = false;
        this.showError("cameraUnavailable");
      }
    } else {
      this.media.stopCamera();
    }
    this.video.hidden = !this.cameraWanted;
    this.videoPlaceholder.hidden = this.cameraWanted;
    this.renderToggle(this.cameraButton, "camera", this.cameraWanted);
  }

  private async toggleMicrophone(on = !this.microphoneWanted): Promise<void> {
    this.microphoneWanted = on;
    if (on) {
      try {
        await this.media.startMicrophone(this.microphoneSelect.value || undefined);
      } catch (error) {
        console.warn("Microphone is not available", error);
        this.microphoneWanted = false;
        this.showError("microphoneUnavailable");
      }
    } else {
      this.media.stopMicrophone();
    }
    this.renderToggle(this.microphoneButton, "mic", this.microphoneWanted);
  }

  private async switchCamera(): Promise<void> {
    this.media.videoDeviceId = this.cameraSelect.value || undefined;
    if (this.cameraWanted) await this.toggleCamera(true);
  }

  private async switchMicrophone(): Promise<void> {
    this.media.audioDeviceId = this.microphoneSelect.value || undefined;
    if (this.microphoneWanted) await this.toggleMicrophone(true);
  }

  private async fillDeviceLists(): Promise<void> {
    const [cameras, microphones] = await Promise.all([listDevices("videoinput"), listDevices("audioinput")]);
    fillSelect(this.cameraSelect, cameras, this.media.videoDeviceId);
    fillSelect(this.microphoneSelect, microphones, this.media.audioDeviceId);
  }

  private showError(key: Parameters<typeof text>[0] | null, params?: Record<string, string | number>): void {
    if (key === null) {
      this.error.replaceChildren();
      delete this.error.dataset.i18n;
      return;
    }
    setText(this.error, key, params);
  }

  private async submit(joinCall: boolean): Promise<void> {
    const displayName = this.options.knownName ?? this.nameInput!.value.trim();
    if (displayName === "") {
      this.showError("errorNameRequired");
      this.nameInput?.focus();
      return;
    }
    if (this.passwordInput && this.passwordInput.value === "") {
      this.showError("errorPasswordRequired");
      this.passwordInput.focus();
      return;
    }

    this.showError(null);
    for (const button of this.joinButtons) button.disabled = true;
    try {
      if (!joinCall) this.media.dispose();
      await this.options.onJoin({ displayName, password: this.passwordInput?.value ?? "", media: this.media, joinCall });
    } catch (error) {
      console.warn("Joining failed", error);
      if (error instanceof UserFacingError) this.showError(error.messageKey, error.params);
      else this.showError("errorJoinFailed");
      if (this.passwordInput && error instanceof UserFacingError && error.messageKey === "errorWrongPassword") {
        this.passwordInput.value = "";
        this.passwordInput.focus();
      }
    } finally {
      for (const button of this.joinButtons) button.disabled = false;
    }
  }
}

function fillSelect(select: HTMLSelectElement, devices: MediaDeviceInfo[], selectedId: string | undefined): void {
  select.replaceChildren();
  devices.forEach((device, index) => {
    const option = el("option", { value: device.deviceId });
    // Device labels come from the operating system, not from other people.
    option.textContent = device.label || t(device.kind === "videoinput" ? "cameraNumber" : "microphoneNumber", { number: index + 1 });
    option.selected = device.deviceId === selectedId;
    select.append(option);
  });
  select.disabled = devices.length === 0;
}
