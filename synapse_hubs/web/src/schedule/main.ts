// SPDX-License-Identifier: AGPL-3.0-or-later
// Schedule page: sign in, schedule a meeting, copy or download the invitation.
//
// Served by the calendar module at /_synapse/client/hubs/schedule. It talks
// only to its own origin, which is the homeserver.

import { ApiError, listMeetings, scheduleMeeting, type Session } from "./api";
import { element } from "./dom";
import { TEXTS, type Language } from "./i18n";
import { renderInvitation } from "./invitationView";
import { renderMeetingList } from "./meetingList";
import { renderScheduleForm } from "./scheduleForm";
import {
  forgetSession,
  loadSession,
  loginWithPassword,
  loginWithToken,
  startSsoLogin,
  storeSession,
  supportsSso,
  takeLoginToken,
} from "./session";

interface PageConfig {
  defaultTimeZone: string;
  language: Language;
}

const LANGUAGE_KEY = "hubs.language";

const root = document.getElementById("schedule-root") as HTMLElement;
const config = readConfig();
const homeserverUrl = location.origin;
let language: Language = storedLanguage() ?? config.language;

void start();

async function start(): Promise<void> {
  const loginToken = takeLoginToken();
  if (loginToken) {
    try {
      storeSession(await loginWithToken(homeserverUrl, loginToken));
    } catch (error) {
      render(null, describeError(error));
      return;
    }
  }
  render(loadSession(homeserverUrl));
}

function render(session: Session | null, error?: string): void {
  const texts = TEXTS[language];
  document.documentElement.lang = language;
  document.title = `${texts.pageTitle} – Hubs`;

  const switcher = element("button", { type: "button", class: "language-switch" }, texts.switchLanguage);
  switcher.addEventListener("click", () => {
    language = language === "sv" ? "en" : "sv";
    try {
      localStorage.setItem(LANGUAGE_KEY, language);
    } catch {
      // The choice then lasts only as long as the page.
    }
    render(loadSession(homeserverUrl));
  });

  const header = element("header", { class: "page-header" }, element("h1", {}, texts.pageTitle), switcher);
  root.replaceChildren(header);
  if (error) root.append(element("p", { class: "form-error", role: "alert" }, error));

  if (session === null) {
    root.append(renderSignIn());
    return;
  }
  root.append(renderSignedIn(session));
}

function renderSignIn(): HTMLElement {
  const texts = TEXTS[language];
  const form = element(
    "form",
    { class: "sign-in-form" },
    element("h2", {}, texts.signInHeading),
    element("label", { class: "field" }, element("span", {}, texts.user),
      element("input", { id: "schedule-user", name: "user", autocomplete: "username", required: "" })),
    element("label", { class: "field" }, element("span", {}, texts.password),
      element("input", { id: "schedule-password", name: "password", type: "password", autocomplete: "current-password", required: "" })),
    element("button", { type: "submit" }, texts.signIn),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const user = (form.elements.namedItem("user") as HTMLInputElement).value.trim();
    const password = (form.elements.namedItem("password") as HTMLInputElement).value;
    try {
      const session = await loginWithPassword(homeserverUrl, user, password);
      storeSession(session);
      render(session);
    } catch (error) {
      render(null, describeError(error));
    }
  });

  const container = element("section", { class: "sign-in" }, form);
  void supportsSso(homeserverUrl).then((sso) => {
    if (!sso) return;
    const button = element("button", { type: "button", class: "sign-in-sso" }, texts.signInSso);
    button.addEventListener("click", () => startSsoLogin(homeserverUrl));
    container.append(button);
  }).catch(() => undefined);
  return container;
}

function renderSignedIn(session: Session): HTMLElement {
  const texts = TEXTS[language];
  const signOut = element("button", { type: "button", class: "sign-out" }, texts.signOut);
  signOut.addEventListener("click", () => {
    forgetSession();
    render(null);
  });

  const result = element("div", { class: "result" });
  const meetings = element("div", { class: "meetings" });
  const refreshMeetings = () => void showMeetings(session, meetings);

  const form = renderScheduleForm(texts, { timeZone: config.defaultTimeZone }, async (request, formElement) => {
    const error = formElement.querySelector(".form-error") as HTMLElement;
    const submit = formElement.querySelector(".schedule-submit") as HTMLButtonElement;
    error.hidden = true;
    submit.disabled = true;
    submit.textContent = texts.scheduling;
    try {
      const meeting = await scheduleMeeting(session, request);
      result.replaceChildren(renderInvitation(meeting, session, texts, language));
      refreshMeetings();
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) {
        forgetSession();
        render(null, describeError(failure));
        return;
      }
      error.textContent = describeError(failure);
      error.hidden = false;
    } finally {
      submit.disabled = false;
      submit.textContent = texts.schedule;
    }
  });

  refreshMeetings();
  return element(
    "div",
    { class: "signed-in" },
    element("p", { class: "account" }, `${texts.signedInAs} `, element("bdi", {}, session.userId), " ", signOut),
    form,
    result,
    meetings,
  );
}

async function showMeetings(session: Session, container: HTMLElement): Promise<void> {
  const texts = TEXTS[language];
  try {
    const meetings = await listMeetings(session);
    container.replaceChildren(renderMeetingList(meetings, session, texts, language, () => void showMeetings(session, container)));
  } catch (error) {
    container.replaceChildren(element("p", { class: "form-error", role: "alert" }, describeError(error)));
  }
}

function describeError(error: unknown): string {
  const texts = TEXTS[language];
  if (error instanceof ApiError) {
    if (error.status === 0) return texts.errorNetwork;
    return `${texts.errorPrefix} ${error.serverMessage}`;
  }
  return `${texts.errorPrefix} ${String(error)}`;
}

function readConfig(): PageConfig {
  const meta = document.querySelector('meta[name="hubs-schedule-config"]');
  const fallback: PageConfig = { defaultTimeZone: "Europe/Stockholm", language: "sv" };
  try {
    const parsed = JSON.parse(meta?.getAttribute("content") ?? "{}") as Partial<PageConfig>;
    return {
      defaultTimeZone: typeof parsed.defaultTimeZone === "string" ? parsed.defaultTimeZone : fallback.defaultTimeZone,
      language: parsed.language === "en" ? "en" : "sv",
    };
  } catch {
    return fallback;
  }
}

function storedLanguage(): Language | null {
  try {
    const stored = localStorage.getItem(LANGUAGE_KEY);
    return stored === "sv" || stored === "en" ? stored : null;
  } catch {
    return null;
  }
}
