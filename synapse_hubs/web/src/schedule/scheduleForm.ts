// SPDX-License-Identifier: AGPL-3.0-or-later
// The form that collects a meeting's details and turns them into a schedule request.

import { type MessageKey, text } from "../i18n";
import { el } from "../ui/dom";
import type { EidRequirement, Recurrence, ScheduleRequest } from "./scheduleApi";

export function scheduleForm(defaultTimeZone: string, onSubmit: (request: ScheduleRequest, form: HTMLFormElement) => void): HTMLFormElement {
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
  const form = el("form", { class: "schedule-form" }, [
    field("schedule-title", "scheduleTitle", el("input", { id: "schedule-title", name: "title", required: "", maxlength: "200", dir: "auto" })),
    field("schedule-description", "scheduleDescription",
      el("textarea", { id: "schedule-description", name: "description", rows: "3", maxlength: "4000", dir: "auto" })),
    el("div", { class: "schedule-row" }, [
      field("schedule-date", "scheduleDate", el("input", { id: "schedule-date", name: "date", type: "date", required: "", value: isoDate(tomorrow) })),
      field("schedule-start", "scheduleStart", el("input", { id: "schedule-start", name: "start", type: "time", required: "", value: "10:00" })),
      field("schedule-end", "scheduleEnd", el("input", { id: "schedule-end", name: "end", type: "time", required: "", value: "11:00" })),
    ]),
    field("schedule-time-zone", "scheduleTimeZone", timeZoneSelect(defaultTimeZone)),
    el("div", { class: "schedule-row" }, [
      field("schedule-repeat", "scheduleRepeat", options("schedule-repeat", "repeat", [
        ["", "scheduleRepeatNone"],
        ["weekly", "scheduleRepeatWeekly"],
        ["biweekly", "scheduleRepeatBiweekly"],
        ["daily", "scheduleRepeatDaily"],
        ["monthly", "scheduleRepeatMonthly"],
      ])),
      field("schedule-count", "scheduleOccurrences",
        el("input", { id: "schedule-count", name: "count", type: "number", min: "1", max: "520", value: "4" })),
    ]),
    field("schedule-participants", "scheduleParticipants",
      el("textarea", { id: "schedule-participants", name: "participants", rows: "4", autocapitalize: "none" })),
    field("schedule-access", "scheduleAccess", options("schedule-access", "access", [
      ["public", "scheduleAccessPublic"],
      ["private", "scheduleAccessPrivate"],
    ])),
    field("schedule-eid", "scheduleEid", options("schedule-eid", "eid", [
      ["", "scheduleEidDefault"],
      ["nobody", "scheduleEidNobody"],
      ["external", "scheduleEidExternal"],
      ["everyone", "scheduleEidEveryone"],
    ])),
    el("div", { class: "field schedule-check" }, [
      el("input", { id: "schedule-lobby", name: "lobby", type: "checkbox", checked: "" }),
      el("label", { for: "schedule-lobby" }, [text("scheduleLobby")]),
    ]),
    el("p", { class: "form-error", role: "alert" }),
    el("div", { class: "form-actions" }, [el("button", { type: "submit", class: "primary schedule-submit" }, [text("scheduleSubmit")])]),
  ]);

  showCountOnlyWhenRepeating(form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onSubmit(readRequest(form), form);
  });
  return form;
}

function showCountOnlyWhenRepeating(form: HTMLFormElement): void {
  const repeat = form.querySelector<HTMLSelectElement>("#schedule-repeat")!;
  const countField = form.querySelector<HTMLInputElement>("#schedule-count")!.closest<HTMLElement>(".field")!;
  const update = () => {
    countField.hidden = repeat.value === "";
  };
  repeat.addEventListener("change", update);
  update();
}

/** Build the API request; an end time at or before the start time means the next day. */
function readRequest(form: HTMLFormElement): ScheduleRequest {
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
  const date = value("date");
  const endDate = value("end") <= value("start") ? nextDay(date) : date;

  return {
    title: value("title"),
    description: value("description") || undefined,
    start: `${date}T${value("start")}`,
    end: `${endDate}T${value("end")}`,
    time_zone: value("timeZone"),
    recurrence: readRecurrence(value("repeat"), Number(value("count"))),
    participants: value("participants").split(/[\n,;]+/).map((item) => item.trim()).filter(Boolean),
    policy: {
      access: value("access") === "private" ? "private" : "public",
      lobby: (form.elements.namedItem("lobby") as HTMLInputElement).checked,
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

function readEid(choice: string): { required_for: EidRequirement } | null {
  return choice === "nobody" || choice === "external" || choice === "everyone" ? { required_for: choice } : null;
}

function field(id: string, label: MessageKey, control: HTMLElement): HTMLElement {
  return el("div", { class: "field" }, [el("label", { for: id }, [text(label)]), control]);
}

function options(id: string, name: string, choices: [string, MessageKey][]): HTMLSelectElement {
  return el("select", { id, name }, choices.map(([value, label]) => el("option", { value }, [text(label)])));
}

function timeZoneSelect(defaultZone: string): HTMLSelectElement {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf ? [...intl.supportedValuesOf("timeZone")] : [];
  if (!zones.includes(defaultZone)) zones.unshift(defaultZone);
  const select = el("select", { id: "schedule-time-zone", name: "timeZone" }, zones.map((zone) => el("option", { value: zone }, [zone])));
  select.value = defaultZone;
  return select;
}

function isoDate(day: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

function nextDay(date: string): string {
  const [year, month, day] = date.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
}
