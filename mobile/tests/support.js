// Shared test fixtures: a checklist like the API serves, a fake server that
// behaves like audits/api/visits.py + photos.py (idempotent by id), and a
// fresh fake IndexedDB per test. Not a test file itself (no .test.js suffix).

import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { createHash } from "node:crypto";
import { openDb } from "../src/core/db.js";
import { createApi } from "../src/core/api.js";
import { addPhoto, finalize, newVisit, setAnswer } from "../src/core/visit.js";

export const T0 = Date.parse("2025-06-02T09:00:00Z");

export function clock(start = T0) {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; }, set: (ms) => { t = ms; } };
}

const item = (code, answer_type, extra = {}) => ({
  code, text: code, help: "", good_practice: "", answer_type, weight: "1", critical: false, required: true,
  allow_na: false, photo_required: false, comment_on_failure: false, unit: "", tags: {}, thresholds: [], options: [], ...extra,
});

/** A checklist tree as GET /checklists/{id}/ serves it, one item of every type. */
export const CHECKLIST = {
  id: 7, checklist: "BANK", version: 1, status: "published", language: "en", title: "Bank", description: "",
  expected_score: "80.0", tolerance: "5.0", published_at: null, scales: {},
  sections: [
    { code: "S1", title: "Welcome", weight: "1", items: [
      item("greet", "yes_no", { comment_on_failure: true }),
      item("wait", "number", { comment_on_failure: true, thresholds: [{ min: null, max: "5", score: "100" }, { min: "5", max: "10", score: "49.95" }, { min: "10", max: "20", score: "40" }] }),
      item("smile", "scale5", { comment_on_failure: true, allow_na: true }),
    ] },
    { code: "S2", title: "Service", weight: "1", items: [
      item("advice", "scale6", { comment_on_failure: true }),
      item("outcome", "choice", { comment_on_failure: true, options: [{ value: "solved", label: "Solved", score: "100" }, { value: "partly", label: "Partly", score: "50" }, { value: "no", label: "No", score: "0" }] }),
      item("notes", "text", { required: false }),
      item("counter", "photo"),
      item("queue", "yes_no", { photo_required: true, allow_na: true }),
    ] },
  ],
};

export const ASSIGNMENT = { id: 11, status: "open", checklist_version: 7, branch: { id: 3, code: "B3", name_en: "Branch 3" }, scenario: "", window_from: "2025-06-01", window_to: "2025-06-30", visit: null };

export const CONFIG = { photo_max_bytes: 15e6, photo_max_pixels: 5e7, photo_types: ["image/jpeg"], photos_per_visit_max: 3 };

export const sha256 = (bytes) => createHash("sha256").update(new Uint8Array(bytes)).digest("hex");

let seed = 1;
/** Deterministic pseudo-random bytes (distinct per call). */
export function someBytes(size = 64) {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  return out.buffer;
}

export async function freshDb(options = {}) {
  return openDb({ indexedDB: new IDBFactory(), ...options });
}

/** Answers that satisfy CHECKLIST, and a photo for `counter` and `queue`. */
export function answered(visit, now = T0) {
  let v = visit;
  v = setAnswer(v, "greet", { value: true }, now);
  v = setAnswer(v, "wait", { value: 3 }, now);
  v = setAnswer(v, "smile", { na: true }, now);
  v = setAnswer(v, "advice", { value: 6 }, now);
  v = setAnswer(v, "outcome", { value: "solved" }, now);
  v = setAnswer(v, "queue", { value: true }, now);
  return v;
}

/** A finalized visit with `photos` photos stored (questions: counter, queue, then none). */
export async function queuedVisit(db, { photos = 2, now = T0, id } = {}) {
  let visit = answered(newVisit({ assignment: ASSIGNMENT, checklist: CHECKLIST, lang: "en", now, id }), now);
  const questions = ["counter", "queue"];
  for (let i = 0; i < photos; i++) {
    const bytes = someBytes(64 + i);
    const photo = { id: globalThis.crypto.randomUUID(), visitId: visit.id, question: questions[i] ?? "", bytes, type: "image/jpeg", sha256: sha256(bytes), size: bytes.byteLength, width: 8, height: 8, takenAt: new Date(now).toISOString(), lat: null, lng: null };
    await db.savePhoto(photo);
    visit = addPhoto(visit, photo, now);
  }
  visit = finalize(visit, now + 60_000);
  return db.saveVisit(visit);
}

const json = (status, data, headers = {}) => new Response(data === undefined ? null : JSON.stringify(data), {
  status, headers: { "Content-Type": "application/json", ...headers },
});

function canonical(body) {
  const { revision, ...rest } = body;
  return JSON.stringify({
    ...rest,
    answers: [...body.answers].sort((a, b) => a.question.localeCompare(b.question)),
    photos: [...body.photos].sort((a, b) => a.id.localeCompare(b.id)),
  });
}

/**
 * A server that stores visits by the phone's id as the real one does:
 * 201 new, 200 same body again, 409 other body; photos idempotent by id with
 * a sha256 check; the visit turns `submitted` when no photo is missing.
 * `fail(method, pathPart, mode)` queues one fault: "offline" (request never
 * arrives), "lost" (the server stores, the response is lost) or a status/body.
 */
export function fakeServer({ token = "tok", validate = () => null } = {}) {
  const visits = new Map();
  const faults = [];
  const requests = [];

  function state(v) {
    const items = [...v.photos.values()];
    const missing = items.filter((p) => !p.received).map((p) => p.id);
    return { declared: items.length, received: items.length - missing.length, missing, items: items.map((p) => ({ id: p.id, question: p.question || null, received: p.received, sha256: p.sha256 })) };
  }
  function refresh(v) {
    if (v.status === "incomplete" && state(v).missing.length === 0) v.status = "submitted";
  }
  const detail = (v) => ({ id: v.body.id, status: v.status, revision: v.revision, score: "87.5", band: "exceeds", photos: state(v), answers: v.body.answers, review: { note: "", question_notes: {} } });

  function store(body, revision = 1) {
    const v = { body, hash: canonical(body), status: "incomplete", revision, photos: new Map() };
    for (const p of body.photos) v.photos.set(p.id, { id: p.id, sha256: p.sha256, question: p.question, received: false });
    refresh(v);
    visits.set(body.id, v);
    return v;
  }

  async function handle(method, path, init) {
    if (init.headers.Authorization !== `Token ${token}`) return json(401, { detail: "Invalid token." });
    let m;
    if (method === "POST" && path === "/api/v1/visits/") {
      const body = JSON.parse(init.body);
      const existing = visits.get(body.id);
      if (existing) {
        if (existing.hash !== canonical(body)) return json(409, { detail: `Visit ${body.id} was already uploaded with a different body.`, code: "different_body" });
        return json(200, detail(existing));
      }
      const errors = validate(body);
      if (errors) return json(400, { detail: "invalid", errors });
      return json(201, detail(store(body)));
    }
    if ((m = /^\/api\/v1\/visits\/([^/]+)\/$/.exec(path))) {
      const v = visits.get(m[1]);
      if (method === "GET") return v ? json(200, detail(v)) : json(404, { detail: "Not found." });
      if (method === "PUT") {
        const body = JSON.parse(init.body);
        if (!v) return json(404, { detail: "Not found." });
        if (v.revision === body.revision + 1 && v.hash === canonical(body)) return json(200, detail(v));
        if (v.revision !== body.revision) return json(409, { detail: `Revision ${body.revision} is stale: the visit is at revision ${v.revision}.`, code: "stale_revision", revision: v.revision });
        const errors = validate(body);
        if (errors) return json(400, { detail: "invalid", errors });
        const old = v.photos;
        const next = store(body, v.revision + 1);
        for (const [id, p] of old) if (next.photos.has(id) && p.received) next.photos.get(id).received = true;
        refresh(next);
        return json(200, detail(next));
      }
    }
    if (method === "PUT" && (m = /^\/api\/v1\/visits\/([^/]+)\/photos\/([^/]+)\/$/.exec(path))) {
      const v = visits.get(m[1]);
      const photo = v?.photos.get(m[2]);
      if (!photo) return json(404, { detail: "Photo not declared.", code: "photo_not_declared" });
      const file = init.body.get("file");
      const digest = sha256(await file.arrayBuffer());
      if (photo.received) {
        if (digest !== photo.sha256) return json(409, { detail: "different bytes", code: "different_photo" });
        return json(200, { photo: { id: photo.id }, visit: { id: v.body.id, status: v.status, photos: state(v) } });
      }
      if (digest !== photo.sha256) return json(400, { detail: "file: sha256 mismatch", errors: { file: [`sha256 mismatch: declared ${photo.sha256}, received ${digest}.`] } });
      photo.received = true;
      photo.fields = Object.fromEntries([...init.body.entries()].filter(([k]) => k !== "file"));
      refresh(v);
      return json(201, { photo: { id: photo.id }, visit: { id: v.body.id, status: v.status, photos: state(v) } });
    }
    return json(404, { detail: "Not found." });
  }

  async function fetch(url, init = {}) {
    const method = init.method ?? "GET";
    const path = new URL(url, "http://phone.test").pathname;
    requests.push({ method, path, body: typeof init.body === "string" ? JSON.parse(init.body) : null });
    const index = faults.findIndex((f) => f.method === method && path.includes(f.pathPart));
    const fault = index >= 0 ? faults.splice(index, 1)[0] : null;
    if (fault?.mode === "offline") throw new TypeError("Failed to fetch");
    if (fault && typeof fault.mode === "object") return json(fault.mode.status, fault.mode.data ?? { detail: `HTTP ${fault.mode.status}` }, fault.mode.headers);
    const response = await handle(method, path, init);
    if (fault?.mode === "lost") throw new TypeError("network connection was lost");
    return response;
  }

  return { fetch, visits, requests, store, fail: (method, pathPart, mode) => faults.push({ method, pathPart, mode }) };
}

/** db + fake server + api wired together. */
export async function world(options = {}) {
  const db = await freshDb();
  const server = fakeServer(options);
  const api = createApi({ fetch: server.fetch, getToken: () => options.clientToken ?? "tok" });
  return { db, server, api };
}
