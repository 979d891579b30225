// SPDX-License-Identifier: AGPL-3.0-or-later
// Sign-in for staff: the organisation's SSO when the homeserver offers it,
// and Matrix password login.

import { ApiError } from "../api/http";
import { fetchLoginOptions, loginWithPassword, startSsoLogin } from "../auth/login";
import type { Credentials } from "../auth/credentials";
import { type MessageKey, setText, text } from "../i18n";
import { el } from "../ui/dom";

/** `notice` explains why the form is shown, for example after a used sign-in link. */
export async function signInView(
  homeserverUrl: string,
  onSignedIn: (credentials: Credentials) => void,
  notice?: MessageKey,
): Promise<HTMLElement> {
  const options = await fetchLoginOptions(homeserverUrl).catch((error: unknown) => {
    console.warn("Reading login options failed; offering password login", error);
    return { password: true, sso: false };
  });

  const card = el("section", { class: "card sign-in" }, [text("signInHeading", undefined, "h1"), text("signInIntro", undefined, "p")]);
  if (notice) {
    const shown = text(notice, undefined, "p");
    shown.classList.add("sign-in-notice");
    card.append(shown);
  }

  if (options.sso) {
    const sso = el("button", { type: "button", class: "primary sso-button" }, [text("signInWithSso")]);
    sso.addEventListener("click", () => startSsoLogin(homeserverUrl));
    card.append(sso);
  }
  if (options.password) card.append(passwordForm(homeserverUrl, onSignedIn));
  return card;
}

function passwordForm(homeserverUrl: string, onSignedIn: (credentials: Credentials) => void): HTMLFormElement {
  const user = el("input", { id: "sign-in-user", type: "text", autocomplete: "username", autocapitalize: "none", required: "" });
  const password = el("input", { id: "sign-in-password", type: "password", autocomplete: "current-password", required: "" });
  const error = el("p", { class: "form-error", role: "alert" });
  const submit = el("button", { type: "submit", class: "primary" }, [text("signIn")]);

  const form = el("form", { class: "sign-in-form" }, [
    el("div", { class: "field" }, [el("label", { for: "sign-in-user" }, [text("userName")]), user]),
    el("div", { class: "field" }, [el("label", { for: "sign-in-password" }, [text("password")]), password]),
    error,
    el("div", { class: "form-actions" }, [submit]),
  ]);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.textContent = "";
    loginWithPassword(homeserverUrl, user.value.trim(), password.value)
      .then(onSignedIn)
      .catch((failure: unknown) => {
        console.warn("Password login failed", failure);
        setText(error, signInErrorKey(failure));
        password.value = "";
        password.focus();
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}

function signInErrorKey(error: unknown): MessageKey {
  if (error instanceof ApiError) {
    if (error.errcode === "M_FORBIDDEN") return "errorWrongLogin";
    if (error.errcode === "M_LIMIT_EXCEEDED") return "errorRateLimited";
    if (error.isNetworkError) return "errorNoConnection";
  }
  return "errorSignInFailed";
}
