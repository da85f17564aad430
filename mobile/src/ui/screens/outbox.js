// The outbox: every finalized visit with where it stands, in the server's
// terms. "Sent" only once the server said submitted, with the receipt it gave.

import { exportUnsent } from "../../core/export.js";
import { UNSENT_STATES } from "../../core/db.js";
import { h, replace } from "../dom.js";
import { formatBytes, formatDateTime, formatTime, pickField, t } from "../i18n.js";

const SENT_SHOWN = 20;

function photosLine(visit) {
  const total = visit.photos.length;
  if (!total) return null;
  const arrived = visit.state === "sent" ? total : visit.sync?.answersSent ? total - (visit.sync.missing?.length ?? 0) : 0;
  return t("photosProgress", { n: arrived, m: total });
}

/** One line saying where the visit stands. */
export function stateLine(visit) {
  const sync = visit.sync ?? {};
  const parts = [];
  if (visit.state === "sent") return t("stateSent");
  if (visit.state === "draft") return t("stateDraft");
  if (visit.state === "queued") parts.push(t("stateQueued"));
  if (visit.state === "sending") parts.push(t("stateSending"));
  if (visit.state === "waiting") {
    parts.push(sync.nextTryAt ? t("stateWaiting", { time: formatTime(sync.nextTryAt) }) : t("stateWaitingNoTime"));
  }
  if (visit.state === "attention") parts.push(t("stateAttention", { message: sync.error?.message ?? "" }));
  parts.push(sync.answersSent ? t("answersSent") : t("answersNotSent"));
  const photos = photosLine(visit);
  if (photos) parts.push(photos);
  return parts.join(" · ");
}

function receiptView(receipt) {
  return h("details", { class: "receipt" },
    h("summary", {}, t("receipt")),
    h("dl", {},
      h("dt", {}, t("receiptVisit")), h("dd", { class: "mono" }, receipt.visitId),
      h("dt", {}, t("receiptScore")), h("dd", {}, receipt.score ?? "–", receipt.band ? ` (${receipt.band})` : ""),
      h("dt", {}, t("receiptConfirmed")), h("dd", {}, formatDateTime(receipt.confirmedAt)),
      h("dt", {}, t("receiptPhotos")),
      h("dd", {}, h("ul", { class: "mono" }, receipt.photos.map((p) => h("li", {}, p.sha256))))));
}

function visitCard(visit) {
  const name = pickField(visit.assignment?.branch, "name");
  const headingId = `o-${visit.id}`;
  const photoErrors = Object.values(visit.sync?.photoErrors ?? {});
  const fixable = visit.state === "attention" && !visit.sync?.answersSent;
  return h("li", { class: `card state-${visit.state}`, "aria-labelledby": headingId, "data-visit": visit.id },
    h("h2", { id: headingId }, name),
    visit.finalizedAt ? h("p", { class: "muted" }, t("finalizedAt", { time: formatDateTime(visit.finalizedAt) })) : null,
    h("p", { class: "state" }, stateLine(visit)),
    photoErrors.length ? h("ul", { class: "error" }, photoErrors.map((m) => h("li", {}, m))) : null,
    // "Failed to fetch" says nothing the state line does not; a server's own message does.
    visit.state === "waiting" && visit.sync?.error?.message && visit.sync.error.code !== "network"
      ? h("p", { class: "muted" }, visit.sync.error.message) : null,
    fixable ? h("a", { class: "button primary", href: `#/visit/${visit.id}`, "aria-label": `${t("fix")}: ${name}` }, t("fix")) : null,
    visit.receipt ? receiptView(visit.receipt) : null);
}

export async function render(app, main) {
  const sendButton = h("button", { type: "button", class: "primary", onclick: onSend }, t("sendNow"));
  const status = h("p", { class: "muted", role: "status", id: "outbox-status" });
  const list = h("ul", { class: "cards", "aria-labelledby": "outbox-title" });
  const storage = h("p", { class: "muted" });
  const exportMessage = h("p", { class: "muted", role: "status" });

  function onSend() {
    sendButton.disabled = true; // while a pass runs there is nothing more to ask for (F1)
    app.kick("button");
  }

  async function onExport() {
    const file = await exportUnsent(app.db, { app: app.version });
    if (!file.count) {
      exportMessage.textContent = t("exportNothing");
      return;
    }
    const url = URL.createObjectURL(new Blob([file.json], { type: "application/json" }));
    const link = h("a", { href: url, download: file.filename, class: "visually-hidden" }, file.filename);
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  async function update() {
    const visits = await app.db.listVisits();
    const unsent = visits.filter((v) => UNSENT_STATES.includes(v.state))
      .sort((a, b) => String(a.finalizedAt).localeCompare(String(b.finalizedAt)));
    const sent = visits.filter((v) => v.state === "sent")
      .sort((a, b) => String(b.receipt?.confirmedAt).localeCompare(String(a.receipt?.confirmedAt)))
      .slice(0, SENT_SHOWN);
    const sync = app.sync.status();
    sendButton.disabled = sync.sending || !unsent.length;
    sendButton.textContent = sync.sending ? t("sending") : t("sendNow");
    status.textContent = sync.sending ? t("sending")
      : !unsent.length ? t("nothingUnsent")
        : sync.nextTryAt ? t("stateWaiting", { time: formatTime(sync.nextTryAt) }) : "";
    list.replaceChildren(...[...unsent, ...sent].map(visitCard));
    const estimate = await app.db.estimate().catch(() => null);
    storage.textContent = estimate?.usage != null ? t("storageUse", { used: formatBytes(estimate.usage) }) : t("storageUnknown");
  }

  replace(main, 
    h("div", { class: "title-row" }, h("h1", { id: "outbox-title" }, t("outboxTitle")), sendButton),
    status,
    list,
    h("section", { class: "export", "aria-labelledby": "export-title" },
      h("h2", { id: "export-title" }, t("exportTitle")),
      h("p", { class: "muted" }, t("exportHint")),
      h("button", { type: "button", onclick: onExport }, t("exportTitle")),
      exportMessage,
      storage),
  );
  await update();
  return { update };
}
