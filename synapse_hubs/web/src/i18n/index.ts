// SPDX-License-Identifier: AGPL-3.0-or-later
// Translation lookup and live language switching.
//
// Elements created with `text()` or `bindAttribute()` remember their message
// key in data attributes, so switching language re-renders them in place
// without rebuilding the view. Parameters are plain strings or numbers that
// end up in textContent; names of people never go through here but into
// their own <bdi> elements.

import type { Language } from "../config";
import { en, type MessageKey } from "./en";
import { sv } from "./sv";
import { loadString, storeString } from "../storage";

export type { MessageKey };
export type Params = Record<string, string | number>;

const CATALOGUES: Record<Language, Record<MessageKey, string>> = { sv, en };
const STORAGE_KEY = "hubs.language";
const listeners = new Set<(language: Language) => void>();

let current: Language = "sv";

export function initLanguage(defaultLanguage: Language): void {
  const stored = loadString(STORAGE_KEY);
  current = stored === "sv" || stored === "en" ? stored : defaultLanguage;
  document.documentElement.lang = current;
}

export function currentLanguage(): Language {
  return current;
}

export function t(key: MessageKey, params: Params = {}): string {
  const template = CATALOGUES[current][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}

/** Create a <span> whose text follows the current language. */
export function text(key: MessageKey, params?: Params, tag: "span" | "p" | "h1" | "h2" | "strong" = "span"): HTMLElement {
  const element = document.createElement(tag);
  setText(element, key, params);
  return element;
}

export function setText(element: HTMLElement, key: MessageKey, params?: Params): void {
  element.dataset.i18n = key;
  if (params) element.dataset.i18nParams = JSON.stringify(params);
  else delete element.dataset.i18nParams;
  element.textContent = t(key, params);
}

/** Set an attribute such as aria-label or placeholder that follows the current language. */
export function bindAttribute(element: HTMLElement, attribute: string, key: MessageKey, params?: Params): void {
  const bindings = readAttributeBindings(element);
  bindings[attribute] = { key, params };
  element.dataset.i18nAttributes = JSON.stringify(bindings);
  element.setAttribute(attribute, t(key, params));
}

export function setLanguage(language: Language): void {
  current = language;
  storeString(STORAGE_KEY, language);
  document.documentElement.lang = language;
  retranslate(document.body);
  for (const listener of listeners) listener(language);
}

export function onLanguageChange(listener: (language: Language) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function retranslate(root: HTMLElement): void {
  for (const element of root.querySelectorAll<HTMLElement>("[data-i18n]")) {
    const params = element.dataset.i18nParams ? (JSON.parse(element.dataset.i18nParams) as Params) : undefined;
    element.textContent = t(element.dataset.i18n as MessageKey, params);
  }
  for (const element of root.querySelectorAll<HTMLElement>("[data-i18n-attributes]")) {
    for (const [attribute, binding] of Object.entries(readAttributeBindings(element))) {
      element.setAttribute(attribute, t(binding.key, binding.params));
    }
  }
}

function readAttributeBindings(element: HTMLElement): Record<string, { key: MessageKey; params?: Params }> {
  return element.dataset.i18nAttributes ? JSON.parse(element.dataset.i18nAttributes) : {};
}
