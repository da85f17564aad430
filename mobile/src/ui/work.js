// Download what a visit needs while there is signal: the limits, the
// assignments, each checklist version in both languages (a shopper may switch
// language offline) and, for returned visits, the visit as the server holds it.
// Cached checklists stay while any unsent visit or draft uses their version.

import { LANGS } from "./i18n.js";

let running = null;

export function refreshWork(app) {
  // One refresh at a time: `online`, start and the button can all ask at once.
  running ??= download(app).finally(() => {
    running = null;
  });
  return running;
}

function failure(result) {
  return { ok: false, auth: result.kind === "auth", network: result.kind === "network" || result.kind === "server" };
}

async function download({ db, api }) {
  const held = await db.get("kv", "config");
  const config = await api.config(held?.etag);
  if (config.kind === "ok") await db.put("kv", { ...config.data, etag: config.etag }, "config");
  else if (config.kind !== "not_modified") return failure(config);
  if (config.data?.serverTime) {
    // Kept for support: how far the phone's clock was from the server's.
    await db.put("kv", { server: config.data.serverTime, device: new Date().toISOString() }, "clock");
  }

  const listed = await api.assignments();
  if (!listed.ok) return failure(listed);
  const items = listed.data;
  await db.put("kv", { items, fetchedAt: new Date().toISOString() }, "assignments");

  const versions = [...new Set(items.map((a) => a.checklist_version))];
  for (const versionId of versions) {
    for (const lang of LANGS) {
      const key = `${versionId}:${lang}`;
      const cached = await db.get("checklists", key);
      const result = await api.checklist(versionId, lang, cached?.etag);
      if (result.kind === "ok") {
        await db.put("checklists", { versionId, lang, etag: result.etag, tree: result.data, fetchedAt: new Date().toISOString() }, key);
      } else if (result.kind !== "not_modified") {
        return failure(result);
      }
    }
  }

  // A returned visit is corrected from the server's copy: fetch it now, offline later is too late.
  const returned = {};
  for (const assignment of items) {
    if (assignment.visit?.status !== "returned" || !assignment.visit.id) continue;
    const result = await api.getVisit(assignment.visit.id);
    if (result.ok) returned[assignment.visit.id] = result.data;
    else if (result.kind === "auth" || result.kind === "network") return failure(result);
  }
  await db.put("kv", returned, "returned");
  await db.pruneChecklists(versions);
  return { ok: true, auth: false, network: false };
}

/** The cached checklist tree for a version: the wanted language, else the other one. */
export async function checklistFor(db, versionId, lang) {
  const wanted = await db.get("checklists", `${versionId}:${lang}`);
  if (wanted) return wanted.tree;
  for (const other of LANGS) {
    const record = await db.get("checklists", `${versionId}:${other}`);
    if (record) return record.tree;
  }
  return null;
}
