// SPDX-License-Identifier: AGPL-3.0-or-later
// The form that collects a meeting's details and turns them into a schedule request.

import type { Recurrence, ScheduleRequest } from "./api";
import { element } from "./dom";
import type { Texts } from "./i18n";

export interface FormDefaults {
  timeZone: string;
}

export function renderScheduleForm(
  texts: Texts,
  defaults: FormDefaults,
  onSubmit: (request: ScheduleRequest, form: HTMLFormElement) => void,
): HTMLFormElement {
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
  const form = element(
    "form",
    { class: "schedule-form", novalidate: "" },
    field(texts.title, element("input", { id: "schedule-title", name: "title", required: "", maxlength: "200" })),
    field(texts.description, element("textarea", { id: "schedule-description", name: "description", rows: "3", maxlength: "4000" })),
    element(
      "div",
      { class: "row" },
      field(texts.date, element("input", { id: "schedule-date", name: "date", type: "date", required: "", value: isoDate(tomorrow) })),
      field(texts.startTime, element("input", { id: "schedule-start", name: "start", type: "time", required: "", value: "10:00" })),
      field(texts.endTime, element("input", { id: "schedule-end", name: "end", type: "time", required: "", value: "11:00" })),
    ),
    field(texts.timeZone, timeZoneSelect(defaults.timeZone)),
    element(
      "div",
      { class: "row" },
      field(texts.repeat, repeatSelect(texts)),
      field(texts.occurrences, element("input", { id: "schedule-count", name: "count", type: "number", min: "1", max: "520", value: "4" })),
    ),
    field(texts.participants, element("textarea", { id: "schedule-participants", name: "participants", rows: "4" })),
    element(
      "fieldset",
      {},
      element("legend", {}, texts.access),
      radio("access", "public", texts.accessPublic, true),
      radio("access", "private", texts.accessPrivate, false),
      checkbox("schedule-lobby", texts.lobby, true),
      field(texts.eid, eidSelect(texts)),
    ),
    element("p", { class: "form-error", role: "alert", hidden: "" }),
    element("button", { type: "submit", class: "schedule-submit" }, texts.schedule),
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onSubmit(readRequest(form), form);
  });
  return form;
}

/** Build the API request; an end time before the start time means the next day. */
export function readRequest(form: HTMLFormElement): ScheduleRequest {
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
  const date = value("date");
  const endDate = value("end") <= value("start") ? nextDay(date) : date;
  const checked = (id: string) => (form.querySelector(`#${id}`) as HTMLInputElement).checked;
  const access = (form.querySelector("input[name=access]:checked") as HTMLInputElement).value;

  return {
    title: value("title"),
    description: value("description") || undefined,
    start: `${date}T${value("start")}`,
    end: `${endDate}T${value("end")}`,
    time_zone: value("timeZone"),
    recurrence: readRecurrence(value("repeat"), Number(value("count"))),
    participants: value("participants").split(/[\n,;]+/).map((item) => item.trim()).filter(Boolean),
    policy: {
      access: access === "private" ? "private" : "public",
      lobby: checked("schedule-lobby"),
      eid: readEid(value("eid")),
    },
  };
}

function readRecurrence(choice: string, count: number): Recurrence | null {
  const occurrences = Number.isInteger(count) && count > 0 ? count : undefined;
  switch (choice) {
    case "daily":
    case "weekly":
    case "monthly":
      return { frequency: choice, interval: 1, count: occurrences };
    case "biweekly":
      return { frequency: "weekly", interval: 2, count: occurrences };
    default:
      return null;
  }
}

function readEid(choice: string): ScheduleRequest["policy"]["eid"] {
  return choice === "nobody" || choice === "external" || choice === "everyone" ? { required_for: choice } : null;
}

function eidSelect(texts: Texts): HTMLSelectElement {
  const options: [string, string][] = [
    ["", texts.eidDefault],
    ["nobody", texts.eidNobody],
    ["external", texts.eidExternal],
    ["everyone", texts.eidEveryone],
  ];
  return element("select", { id: "schedule-eid", name: "eid" },
    ...options.map(([value, label]) => element("option", { value }, label)));
}

function field(label: string, control: HTMLElement): HTMLElement {
  return element("label", { class: "field" }, element("span", {}, label), control);
}

function radio(name: string, value: string, label: string, checked: boolean): HTMLElement {
  const input = element("input", { type: "radio", name, value, id: `schedule-${name}-${value}` });
  input.checked = checked;
  return element("label", { class: "choice" }, input, element("span", {}, label));
}

function checkbox(id: string, label: string, checked: boolean): HTMLElement {
  const input = element("input", { type: "checkbox", id });
  input.checked = checked;
  return element("label", { class: "choice" }, input, element("span", {}, label));
}

function repeatSelect(texts: Texts): HTMLSelectElement {
  const options: [string, string][] = [
    ["", texts.repeatNone],
    ["weekly", texts.repeatWeekly],
    ["biweekly", texts.repeatBiweekly],
    ["daily", texts.repeatDaily],
    ["monthly", texts.repeatMonthly],
  ];
  return element("select", { id: "schedule-repeat", name: "repeat" },
    ...options.map(([value, label]) => element("option", { value }, label)));
}

function timeZoneSelect(defaultZone: string): HTMLSelectElement {
  const zones = supportedTimeZones();
  if (!zones.includes(defaultZone)) zones.unshift(defaultZone);
  const select = element("select", { id: "schedule-time-zone", name: "timeZone" },
    ...zones.map((zone) => element("option", { value: zone }, zone)));
  select.value = defaultZone;
  return select;
}

function supportedTimeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf ? [...intl.supportedValuesOf("timeZone")] : [];
}

function isoDate(day: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

function nextDay(date: string): string {
  const [year, month, day] = date.split("-").map(Number);
  const next = new Date(Date.UTC(year, month - 1, day + 1));
  return next.toISOString().slice(0, 10);
}
