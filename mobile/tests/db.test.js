import { test } from "node:test";
import assert from "node:assert/strict";
import { IDBFactory } from "fake-indexeddb";
import { openDb } from "../src/core/db.js";
import { freshDb, queuedVisit, sha256, someBytes, T0 } from "./support.js";

const photo = (overrides = {}) => {
  const bytes = someBytes(32);
  return { id: "p-1", visitId: "v-1", question: "counter", bytes, type: "image/jpeg", sha256: sha256(bytes), size: 32, width: 4, height: 4, takenAt: null, lat: null, lng: null, ...overrides };
};

test("the database has the agreed stores: kv, checklists, visits (by id) and photos (by id, indexed by visit)", async () => {
  const db = await freshDb();
  const raw = await db.connection();
  assert.equal(raw.name, "mystery-shopper");
  assert.equal(raw.version, 1);
  assert.deepEqual([...raw.objectStoreNames].sort(), ["checklists", "kv", "photos", "visits"]);
  assert.equal(raw.transaction("visits").store.keyPath, "id");
  assert.deepEqual([...raw.transaction("photos").store.indexNames], ["visitId"]);
});

test("a session is kept in kv and cleared on its own", async () => {
  const db = await freshDb();
  assert.equal(await db.getSession(), null);
  await db.setSession({ token: "t", username: "ana", role: "shopper", expiresAt: null });
  assert.equal((await db.getSession()).username, "ana");
  await db.clearSession();
  assert.equal(await db.getSession(), null);
});

test("saveVisit stamps updatedAt from the clock", async () => {
  const db = await freshDb({ now: () => T0 });
  const saved = await db.saveVisit({ id: "v-1", kind: "new", revision: null, state: "draft", answers: {}, photos: [], sync: {} });
  assert.equal(saved.updatedAt, new Date(T0).toISOString());
  assert.deepEqual(await db.getVisit("v-1"), saved);
});

test("a photo is stored as an ArrayBuffer and checked by reading it back", async () => {
  const db = await freshDb();
  const p = photo();
  await db.savePhoto({ ...p, bytes: new Uint8Array(p.bytes) });
  const stored = await db.getPhoto("p-1");
  assert.ok(stored.bytes instanceof ArrayBuffer);
  assert.equal(sha256(stored.bytes), p.sha256);
  assert.deepEqual((await db.photosOf("v-1")).map((x) => x.id), ["p-1"]);
});

test("a photo whose stored bytes do not match its sha256 is refused and not kept", async () => {
  const db = await freshDb();
  await assert.rejects(db.savePhoto(photo({ sha256: "0".repeat(64) })), { name: "PhotoCheckError" });
  assert.equal(await db.getPhoto("p-1"), undefined);
});

test("a Blob is refused as photo bytes (WebKit loses Blobs in IndexedDB)", async () => {
  const db = await freshDb();
  await assert.rejects(db.savePhoto(photo({ bytes: new Blob(["x"]) })), TypeError);
});

test("deletePhotoBytes drops the bytes and keeps the record", async () => {
  const db = await freshDb();
  await db.savePhoto(photo());
  await db.deletePhotoBytes("p-1");
  const kept = await db.getPhoto("p-1");
  assert.equal(kept.bytes, null);
  assert.equal(kept.question, "counter");
});

test("a connection closed under us (as WebKit does) is reopened once and the call succeeds", async () => {
  const db = await freshDb();
  await db.put("kv", "zh-Hans", "lang");
  (await db.connection()).close();
  assert.equal(await db.get("kv", "lang"), "zh-Hans");
  (await db.connection()).close();
  await db.saveVisit({ id: "v-2", kind: "new", revision: null, state: "draft" });
  assert.equal((await db.getVisit("v-2")).state, "draft");
});

test("a QuotaExceededError surfaces with its name, is not retried, and writes nothing", async () => {
  const db = await freshDb();
  const proto = globalThis.IDBObjectStore.prototype;
  const put = proto.put;
  let calls = 0;
  proto.put = function () {
    calls += 1;
    throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
  };
  try {
    await assert.rejects(db.saveVisit({ id: "v-3", kind: "new", revision: null, state: "queued" }), { name: "QuotaExceededError" });
  } finally {
    proto.put = put;
  }
  assert.equal(calls, 1);
  assert.equal(await db.getVisit("v-3"), undefined);
});

test("unsentVisits lists finalized, unconfirmed visits oldest first; drafts and sent ones are not in it", async () => {
  const db = await freshDb();
  const later = await queuedVisit(db, { photos: 0, now: T0 + 1000 });
  const earlier = await queuedVisit(db, { photos: 0, now: T0 });
  await db.saveVisit({ ...(await queuedVisit(db, { photos: 0 })), state: "sent" });
  await db.saveVisit({ id: "d", kind: "new", revision: null, state: "draft", answers: {}, photos: [] });
  assert.deepEqual((await db.unsentVisits()).map((v) => v.id), [earlier.id, later.id]);
});

test("a stale copy cannot move a visit back from what the server confirmed", async () => {
  const db = await freshDb();
  const visit = await queuedVisit(db, { photos: 0 });
  await db.put("visits", { ...visit, state: "sent", sync: { ...visit.sync, answersSent: true } });
  await assert.rejects(db.saveVisit(visit), { name: "StaleVisitError" });
  await assert.rejects(db.saveVisit({ ...visit, state: "sent" }), { name: "StaleVisitError" });
  assert.equal((await db.getVisit(visit.id)).state, "sent");
  // A correction of the same visit is a new record and may replace it.
  await db.saveVisit({ ...visit, kind: "correction", revision: 1, state: "draft" });
});

test("wipe refuses while a visit is unsent or a draft holds work, and deletes nothing", async () => {
  const db = await freshDb();
  await db.setSession({ token: "t" });
  const visit = await queuedVisit(db, { photos: 1 });
  await assert.rejects(db.wipe(), { name: "UnsentError", count: 1 });
  assert.ok(await db.getVisit(visit.id));
  assert.ok(await db.getSession());
  await db.put("visits", { ...visit, state: "sent" });
  await db.put("visits", { id: "d", state: "draft", answers: { greet: { value: true } }, photos: [] });
  await assert.rejects(db.wipe(), { name: "UnsentError", count: 1 });
});

test("wipe clears everything once all is confirmed (empty drafts do not block it)", async () => {
  const db = await freshDb();
  await db.setSession({ token: "t" });
  await db.put("visits", { id: "s", state: "sent", answers: {}, photos: [] });
  await db.put("visits", { id: "d", state: "draft", answers: {}, photos: [] });
  await db.wipe();
  assert.deepEqual(await db.listVisits(), []);
  assert.equal(await db.getSession(), null);
});

test("pruneChecklists keeps current versions and those an unsent visit or draft started with", async () => {
  const db = await freshDb();
  for (const key of ["7:en", "7:zh-Hans", "8:en", "9:en"]) await db.put("checklists", { versionId: Number(key[0]) }, key);
  await db.put("visits", { id: "d", state: "draft", checklistVersionId: 8 });
  await db.put("visits", { id: "s", state: "sent", checklistVersionId: 9 });
  await db.pruneChecklists([7]);
  const raw = await db.connection();
  assert.deepEqual((await raw.getAllKeys("checklists")).sort(), ["7:en", "7:zh-Hans", "8:en"]);
});

test("openDb fails early when there is no IndexedDB", async () => {
  await assert.rejects(openDb({ indexedDB: null }), /IndexedDB is unavailable/);
  assert.ok(await openDb({ indexedDB: new IDBFactory(), name: "other" }));
});
