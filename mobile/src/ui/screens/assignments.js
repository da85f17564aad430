// Open assignments and returned visits, from the copy kept on the phone, with
// what the phone holds for each (a draft, a visit in the outbox).

import { channelOf, correctionVisit, newVisit } from "../../core/visit.js";
import { h, idFor, replace } from "../dom.js";
import { channelLabel, formatDate, formatDateTime, getLang, pickField, t } from "../i18n.js";
import { checklistFor } from "../work.js";
import { stateLine } from "./outbox.js";

export async function render(app, main) {
  const status = h("p", { class: "muted", role: "status", id: "refresh-status" });
  const list = h("ul", { class: "cards", "aria-labelledby": "assignments-title" });
  const refreshButton = h("button", { type: "button", onclick: onRefresh }, t("refresh"));

  async function onRefresh() {
    refreshButton.disabled = true;
    status.textContent = t("refreshing");
    const result = await app.refreshWork();
    refreshButton.disabled = false;
    await fill(result);
  }

  async function fill(result) {
    const cached = await app.db.get("kv", "assignments");
    const visits = await app.db.listVisits();
    const returned = (await app.db.get("kv", "returned")) || {};
    status.textContent = result && !result.ok ? t("refreshFailed")
      : cached ? t("updatedAt", { time: formatDateTime(cached.fetchedAt) }) : t("neverUpdated");
    const items = cached?.items ?? [];
    const cards = [];
    for (const assignment of items) cards.push(await card(app, assignment, visits, returned));
    // Work on the phone whose assignment is no longer listed (cancelled, or
    // already sent): never hide a draft or an unsent visit.
    const listed = new Set(items.map((a) => a.id));
    for (const visit of visits) {
      if (!listed.has(visit.assignmentId) && visit.state !== "sent") cards.push(await card(app, visit.assignment, visits, returned));
    }
    list.replaceChildren(...(cards.length ? cards : [h("li", { class: "empty" }, t("noAssignments"))]));
  }

  replace(main, 
    h("div", { class: "title-row" }, h("h1", { id: "assignments-title" }, t("assignmentsTitle")), refreshButton),
    status,
    list,
  );
  await fill(null);
  return { update: () => fill(null) };
}

function mapLinks(branch) {
  const loc = branch.location;
  if (!loc) return null;
  const { lat, lng } = loc;
  // Links only: nothing is loaded from another host; the phone's map app or browser opens them.
  return h("p", { class: "links" },
    h("a", { href: `geo:${lat},${lng}?q=${lat},${lng}` }, t("mapLink")),
    h("a", { href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=18/${lat}/${lng}`, rel: "noopener noreferrer", target: "_blank" }, t("osmLink")));
}

function windowText(a) {
  const days = a.window_from === a.window_to ? formatDate(a.window_from) : `${formatDate(a.window_from)} – ${formatDate(a.window_to)}`;
  const hours = a.time_from && a.time_to ? ` · ${a.time_from.slice(0, 5)}–${a.time_to.slice(0, 5)}` : "";
  return days + hours;
}

async function card(app, assignment, visits, returned) {
  const branch = assignment.branch;
  const name = pickField(branch, "name");
  const headingId = idFor("a", assignment.id);
  const mine = visits.filter((v) => v.assignmentId === assignment.id);
  const open = mine.find((v) => v.state !== "sent");
  const serverVisit = assignment.visit;
  const isReturned = serverVisit?.status === "returned";
  const checklist = await checklistFor(app.db, assignment.checklist_version, getLang());
  const channel = channelLabel(channelOf(assignment, checklist));

  let action;
  let state = null;
  if (open && open.state === "draft") {
    action = t("continueVisit");
    state = t("draftSaved");
  } else if (open) {
    action = t("viewInOutbox");
    state = stateLine(open);
  } else if (isReturned) {
    action = t("correctVisit");
  } else if (serverVisit || mine.some((v) => v.state === "sent")) {
    action = null; // sent: nothing to do here; the receipt is in the outbox
    state = t("stateSent");
  } else {
    action = t("startVisit");
  }

  const button = action && h("button", {
    type: "button",
    class: "primary",
    "aria-label": `${action}: ${name}`,
    onclick: async () => {
      button.disabled = true; // a double tap must not start two visits (F1)
      try {
        await open_(app, assignment, open, returned, problem);
      } finally {
        button.disabled = false;
      }
    },
  }, action);
  const problem = h("p", { class: "error", role: "alert" });

  return h("li", { class: "card", "aria-labelledby": headingId },
    h("h2", { id: headingId }, name),
    h("p", { class: "muted" }, pickField(branch, "address")),
    h("dl", { class: "facts" },
      channel ? [h("dt", {}, t("channel")), h("dd", {}, channel)] : null,
      h("dt", {}, t("window")), h("dd", {}, windowText(assignment)),
      assignment.scenario ? [h("dt", {}, t("scenario")), h("dd", {}, assignment.scenario)] : null),
    mapLinks(branch),
    isReturned ? returnedNotes(serverVisit, checklist) : null,
    state ? h("p", { class: "state" }, state) : null,
    button,
    problem);
}

function returnedNotes(serverVisit, checklist) {
  const texts = {};
  for (const section of checklist?.sections ?? []) for (const item of section.items) texts[item.code] = item.text;
  const notes = Object.entries(serverVisit.question_notes ?? {});
  return h("div", { class: "note" },
    h("h3", {}, t("returnedTitle")),
    serverVisit.review_note ? h("p", {}, serverVisit.review_note) : null,
    notes.length ? h("ul", {}, notes.map(([code, note]) => h("li", {}, h("strong", {}, texts[code] ?? code), ": ", note))) : null);
}

async function open_(app, assignment, existing, returned, problem) {
  problem.textContent = "";
  // Read again: another tab may have started this visit since the list was drawn.
  existing ??= (await app.db.listVisits()).find((v) => v.assignmentId === assignment.id && v.state !== "sent");
  if (existing) {
    app.go(existing.state === "draft" ? `#/visit/${existing.id}` : "#/outbox");
    return;
  }
  const lang = getLang();
  let checklist = await checklistFor(app.db, assignment.checklist_version, lang);
  if (!checklist) {
    // Listed before its checklist arrived (the list shows the assignments as soon as
    // they are in): wait for the download under way, or try one, before giving up.
    await app.refreshWork();
    checklist = await checklistFor(app.db, assignment.checklist_version, lang);
  }
  if (!checklist) {
    problem.textContent = t("checklistMissing");
    return;
  }
  let visit;
  if (assignment.visit?.status === "returned") {
    const serverVisit = returned[assignment.visit.id];
    if (!serverVisit) {
      problem.textContent = t("checklistMissing");
      return;
    }
    visit = correctionVisit({ assignment, serverVisit, checklist, lang, now: Date.now() });
  } else {
    visit = newVisit({ assignment, checklist, lang, now: Date.now() });
  }
  // Saved before the screen opens: a reload from here on finds the same visit and id.
  await app.db.saveVisit(visit);
  app.go(`#/visit/${visit.id}`);
}
