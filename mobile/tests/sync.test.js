import { test } from "node:test";
import assert from "node:assert/strict";
import { createSync } from "../src/core/sync.js";
import { createApi } from "../src/core/api.js";
import { correctionVisit, edit, finalize, setAnswer, uploadBody } from "../src/core/visit.js";
import { ASSIGNMENT, CHECKLIST, clock, queuedVisit, someBytes, world } from "./support.js";

async function setup(options = {}) {
  const w = await world(options);
  const time = clock();
  const changes = [];
  const sync = createSync({ db: w.db, api: w.api, now: time.now, random: () => 0.5, locks: null, onChange: (s) => changes.push(s), ...options.sync });
  return { ...w, time, sync, changes };
}

const posts = (server) => server.requests.filter((r) => r.method === "POST" && r.path === "/api/v1/visits/");
const photoPuts = (server) => server.requests.filter((r) => r.method === "PUT" && r.path.includes("/photos/"));

test("a visit is sent after 201, its photos, and the server's `submitted`: receipt kept, photo bytes freed", async () => {
  const { db, server, sync } = await setup();
  const visit = await queuedVisit(db, { photos: 2 });
  const result = await sync.runOnce();
  assert.deepEqual(result.sent, [visit.id]);
  const after = await db.getVisit(visit.id);
  assert.equal(after.state, "sent");
  assert.equal(server.visits.get(visit.id).status, "submitted");
  assert.deepEqual(after.receipt, {
    visitId: visit.id, score: "87.5", band: "exceeds", status: "submitted",
    photos: visit.photos.map((p) => ({ id: p.id, sha256: p.sha256 })), confirmedAt: after.receipt.confirmedAt,
  });
  for (const p of visit.photos) {
    const photo = await db.getPhoto(p.id);
    assert.equal(photo.bytes, null);
    assert.equal(photo.sha256, p.sha256);
  }
  assert.equal(photoPuts(server).length, 2);
  assert.equal(sync.status().unsent, 0);
});

test("photos are uploaded with their question and capture time", async () => {
  const { db, server, sync } = await setup();
  const visit = await queuedVisit(db, { photos: 1 });
  await sync.runOnce();
  const stored = server.visits.get(visit.id).photos.get(visit.photos[0].id);
  assert.deepEqual(stored.fields, { question: "counter", taken_at: "2025-06-02T09:00:00.000Z" });
});

test("a visit stays unsent until the server says submitted: a 201 alone is not enough", async () => {
  const { db, server, sync } = await setup();
  const visit = await queuedVisit(db, { photos: 1 });
  server.fail("PUT", "/photos/", "offline");
  await sync.runOnce();
  const after = await db.getVisit(visit.id);
  assert.equal(after.state, "waiting");
  assert.equal(after.sync.answersSent, true);
  assert.deepEqual(after.sync.missing, [visit.photos[0].id]);
  assert.equal(after.receipt, null);
  assert.ok((await db.getPhoto(visit.photos[0].id)).bytes);
});

test("a lost response is retried with the same id and the server stores the visit once", async () => {
  const { db, server, sync, time } = await setup();
  const visit = await queuedVisit(db, { photos: 1 });
  server.fail("POST", "/visits/", "lost"); // stored on the server, the phone sees a network error
  await sync.runOnce();
  assert.equal((await db.getVisit(visit.id)).state, "waiting");
  assert.equal(server.visits.size, 1);
  time.advance(60 * 60_000);
  await sync.runOnce();
  assert.equal((await db.getVisit(visit.id)).state, "sent");
  assert.equal(server.visits.size, 1);
  assert.deepEqual(posts(server).map((r) => r.body.id), [visit.id, visit.id]);
  assert.deepEqual(posts(server)[0].body, posts(server)[1].body);
});

test("a 500 on the second photo waits, and the retry sends only the photo still missing", async () => {
  const { db, server, sync, time } = await setup();
  const visit = await queuedVisit(db, { photos: 2 });
  const [first, second] = visit.photos;
  server.fail("PUT", second.id, { status: 500 });
  await sync.runOnce();
  let after = await db.getVisit(visit.id);
  assert.equal(after.state, "waiting");
  assert.deepEqual(after.sync.missing, [second.id]);
  assert.equal(after.sync.error.status, 500);
  time.advance(60 * 60_000);
  await sync.runOnce();
  after = await db.getVisit(visit.id);
  assert.equal(after.state, "sent");
  assert.deepEqual(photoPuts(server).map((r) => r.path.split("/")[6]), [first.id, second.id, second.id]);
  assert.equal(posts(server).length, 1);
});

test("network errors wait with backoff and do not try the rest of the outbox in the same pass", async () => {
  const { db, server, sync, time } = await setup();
  const a = await queuedVisit(db, { photos: 0, now: time.now() });
  const b = await queuedVisit(db, { photos: 0, now: time.now() + 1000 });
  server.fail("POST", "/visits/", "offline");
  await sync.runOnce();
  const first = await db.getVisit(a.id);
  assert.equal(first.state, "waiting");
  assert.equal(first.sync.attempts, 1);
  assert.equal(first.sync.nextTryAt, new Date(time.now() + 5000).toISOString()); // 5 s · 2^0 · (0.5 + 0.5)
  assert.equal((await db.getVisit(b.id)).state, "queued");
  assert.equal(posts(server).length, 1);
});

test("a 429 waits at least as long as Retry-After says", async () => {
  const { db, server, sync, time } = await setup();
  const visit = await queuedVisit(db, { photos: 0 });
  server.fail("POST", "/visits/", { status: 429, data: { detail: "slow down" }, headers: { "Retry-After": "120" } });
  await sync.runOnce();
  const after = await db.getVisit(visit.id);
  assert.equal(after.state, "waiting");
  assert.equal(after.sync.nextTryAt, new Date(time.now() + 120_000).toISOString());
});

test("a waiting visit is not retried before nextTryAt, unless kicked", async () => {
  const { db, server, sync } = await setup();
  const visit = await queuedVisit(db, { photos: 0 });
  server.fail("POST", "/visits/", "offline");
  await sync.runOnce();
  await sync.runOnce();
  assert.equal(posts(server).length, 1);
  await sync.kick("online");
  assert.equal(posts(server).length, 2);
  assert.equal((await db.getVisit(visit.id)).state, "sent");
});

test("a 400 puts the visit in attention with errors by question code, and it is not retried", async () => {
  const { db, server, sync, time } = await setup({ validate: (body) => (body.comment === "" ? { "answers[1].value": ["must be a number"], "answers[0].comment": ["say why"], comment: ["too short"] } : null) });
  const visit = await queuedVisit(db, { photos: 0 });
  await sync.runOnce();
  const after = await db.getVisit(visit.id);
  assert.equal(after.state, "attention");
  const codes = posts(server)[0].body.answers.map((a) => a.question);
  assert.deepEqual(after.sync.fieldErrors, {
    [`answers.${codes[1]}.value`]: ["must be a number"],
    [`answers.${codes[0]}.comment`]: ["say why"],
    comment: ["too short"],
  });
  time.advance(24 * 3600_000);
  await sync.kick("button");
  assert.equal(posts(server).length, 1);
});

test("editing a visit in attention requeues it, and it is resent with the same id", async () => {
  const { db, server, sync } = await setup({ validate: (body) => (body.comment === "" ? { comment: ["say something"] } : null) });
  const visit = await queuedVisit(db, { photos: 0 });
  await sync.runOnce();
  const flagged = await db.getVisit(visit.id);
  const edited = { ...flagged, ...edit(flagged, { comment: "Queue was long." }) };
  assert.equal(edited.state, "queued");
  assert.deepEqual(edited.sync.fieldErrors, {});
  await db.saveVisit(edited);
  await sync.runOnce();
  assert.equal((await db.getVisit(visit.id)).state, "sent");
  assert.deepEqual(posts(server).map((r) => r.body.id), [visit.id, visit.id]);
  assert.equal(server.visits.size, 1);
});

test("a 409 fetches the visit the server holds and goes on with its missing photos", async () => {
  const { db, server, sync } = await setup();
  const visit = await queuedVisit(db, { photos: 1 });
  server.store({ ...uploadBody(visit), comment: "sent earlier from this phone before an edit" });
  await sync.runOnce();
  const after = await db.getVisit(visit.id);
  assert.equal(after.state, "sent");
  assert.equal(after.id, visit.id);
  assert.deepEqual(server.requests.map((r) => r.method + " " + r.path.replace(visit.id, "V").replace(visit.photos[0].id, "P")),
    ["POST /api/v1/visits/", "GET /api/v1/visits/V/", "PUT /api/v1/visits/V/photos/P/"]);
});

test("a 409 whose visit cannot be fetched goes to attention with the server's message", async () => {
  const { db, server, sync } = await setup();
  const visit = await queuedVisit(db, { photos: 0 });
  server.fail("POST", "/visits/", { status: 409, data: { detail: "Assignment 11 already has visit X.", code: "assignment_has_visit" } });
  await sync.runOnce();
  const after = await db.getVisit(visit.id);
  assert.equal(after.state, "attention");
  assert.deepEqual(after.sync.error, { message: "Assignment 11 already has visit X.", status: 409, code: "assignment_has_visit" });
});

test("a 401 stops the pass, reports authRequired and leaves the outbox untouched", async () => {
  const { db, server, sync, changes } = await setup({ clientToken: "expired" });
  const a = await queuedVisit(db, { photos: 1 });
  const b = await queuedVisit(db, { photos: 0 });
  const before = await db.listVisits();
  const result = await sync.runOnce();
  assert.equal(result.authRequired, true);
  assert.equal(sync.status().authRequired, true);
  assert.equal(changes.at(-1).authRequired, true);
  assert.deepEqual(await db.listVisits(), before);
  assert.equal(server.requests.length, 1);
  assert.ok((await db.getPhoto(a.photos[0].id)).bytes);
  assert.equal((await db.getVisit(b.id)).sync.attempts, 0);
});

test("a 401 on a photo keeps what the server confirmed and the visit's state", async () => {
  const { db, server, sync } = await setup();
  const visit = await queuedVisit(db, { photos: 2 });
  server.fail("PUT", visit.photos[1].id, { status: 401, data: { detail: "Token expired.", code: "token_expired" } });
  await sync.runOnce();
  const after = await db.getVisit(visit.id);
  assert.equal(sync.status().authRequired, true);
  assert.equal(after.state, "queued");
  assert.equal(after.sync.answersSent, true);
  assert.deepEqual(after.sync.missing, [visit.photos[1].id]);
  assert.equal(after.sync.attempts, 0);
});

test("concurrent runOnce calls send each visit once", async () => {
  const { db, server, sync } = await setup();
  await queuedVisit(db, { photos: 2 });
  await Promise.all([sync.runOnce(), sync.runOnce(), sync.kick("online"), sync.runOnce()]);
  assert.equal(posts(server).length, 1);
  assert.equal(photoPuts(server).length, 2);
});

test("a pass runs inside the Web Lock `outbox`, and skips while another context holds it", async () => {
  const held = [];
  let busy = false;
  const locks = {
    async request(name, options, callback) {
      held.push([name, options.ifAvailable]);
      return callback(busy ? null : { name });
    },
  };
  const timers = [];
  const { db, server, sync, time } = await setup({ sync: { locks, setTimer: (fn, ms) => timers.push(ms), clearTimer: () => {} } });
  await queuedVisit(db, { photos: 0 });
  busy = true;
  assert.deepEqual(await sync.start(), { ran: false, busy: true });
  assert.equal(server.requests.length, 0);
  assert.deepEqual(timers, [5000]); // looks again later, does not spin
  assert.equal(sync.status().nextTryAt, new Date(time.now() + 5000).toISOString());
  sync.stop();
  busy = false;
  await sync.runOnce();
  assert.deepEqual(held, [["outbox", true], ["outbox", true]]);
  assert.equal(posts(server).length, 1);
});

test("a sha256 mismatch is retried once with the bytes re-read from IndexedDB", async () => {
  const { db, server, sync } = await setup();
  const visit = await queuedVisit(db, { photos: 1 });
  server.fail("PUT", "/photos/", { status: 400, data: { detail: "file: sha256 mismatch", code: "sha256_mismatch", errors: { file: ["sha256 mismatch"] } } });
  await sync.runOnce();
  assert.equal((await db.getVisit(visit.id)).state, "sent");
  assert.equal(photoPuts(server).length, 2);
});

test("a second sha256 mismatch puts the photo in attention", async () => {
  const { db, server, sync } = await setup();
  const visit = await queuedVisit(db, { photos: 1 });
  const mismatch = { status: 400, data: { detail: "file: sha256 mismatch", errors: { file: ["sha256 mismatch: declared a, received b."] } } };
  server.fail("PUT", "/photos/", mismatch);
  server.fail("PUT", "/photos/", mismatch);
  await sync.runOnce();
  const after = await db.getVisit(visit.id);
  assert.equal(after.state, "attention");
  assert.deepEqual(Object.keys(after.sync.photoErrors), [visit.photos[0].id]);
  assert.equal(photoPuts(server).length, 2);
});

test("bytes damaged on the phone are found by re-hashing and not sent again", async () => {
  const { db, server, sync } = await setup();
  const visit = await queuedVisit(db, { photos: 1 });
  const photo = await db.getPhoto(visit.photos[0].id);
  server.fail("PUT", "/photos/", { status: 400, data: { detail: "file: sha256 mismatch", code: "sha256_mismatch" } });
  await db.put("photos", { ...photo, bytes: someBytes(10) });
  await sync.runOnce();
  const after = await db.getVisit(visit.id);
  assert.equal(after.state, "attention");
  assert.match(after.sync.photoErrors[photo.id], /damaged/);
  assert.equal(photoPuts(server).length, 1);
});

test("another photo refusal goes to attention with that photo's message, the other photos still upload", async () => {
  const { db, server, sync } = await setup();
  const visit = await queuedVisit(db, { photos: 2 });
  server.fail("PUT", visit.photos[0].id, { status: 413, data: { detail: "file: The file is 20.0 MB; the limit is 15.0 MB.", code: "too_large" } });
  await sync.runOnce();
  const after = await db.getVisit(visit.id);
  assert.equal(after.state, "attention");
  assert.deepEqual(after.sync.photoErrors, { [visit.photos[0].id]: "file: The file is 20.0 MB; the limit is 15.0 MB." });
  assert.equal(server.visits.get(visit.id).photos.get(visit.photos[1].id).received, true);
  assert.ok((await db.getPhoto(visit.photos[0].id)).bytes);
});

test("a QuotaExceededError stops the pass, is reported, and keeps the visit and its bytes for the next pass", async () => {
  const { db, server, time } = await setup();
  const visit = await queuedVisit(db, { photos: 1 });
  let puts = 0;
  const flaky = { ...db, put: async (...args) => {
    if (args[0] === "visits" && ++puts === 2) throw Object.assign(new Error("quota"), { name: "QuotaExceededError" });
    return db.put(...args);
  } };
  const changes = [];
  const sync = createSync({ db: flaky, api: createApi({ fetch: server.fetch, getToken: () => "tok" }), now: time.now, random: () => 0.5, locks: null, onChange: (s) => changes.push(s) });
  const result = await sync.runOnce();
  assert.equal(result.error.name, "QuotaExceededError");
  assert.equal(sync.status().lastError.name, "QuotaExceededError");
  const after = await db.getVisit(visit.id);
  assert.equal(after.state, "sending"); // the marker of a pass that died; due at once next time
  assert.equal(after.sync.answersSent, false);
  assert.ok((await db.getPhoto(visit.photos[0].id)).bytes);
  await sync.runOnce();
  assert.equal((await db.getVisit(visit.id)).state, "sent");
  assert.equal(server.visits.size, 1);
  assert.equal(posts(server).length, 2);
});

test("a failure deleting photo bytes after the receipt is finished on the next pass", async () => {
  const { db, server, time } = await setup();
  const visit = await queuedVisit(db, { photos: 1 });
  let fail = true;
  const flaky = { ...db, deletePhotoBytes: async (id) => {
    if (fail) { fail = false; throw Object.assign(new Error("lost"), { name: "UnknownError" }); }
    return db.deletePhotoBytes(id);
  } };
  const sync = createSync({ db: flaky, api: createApi({ fetch: server.fetch, getToken: () => "tok" }), now: time.now, locks: null });
  assert.equal((await sync.runOnce()).error.name, "UnknownError");
  assert.equal((await db.getVisit(visit.id)).state, "sent");
  assert.ok((await db.getPhoto(visit.photos[0].id)).bytes);
  await sync.runOnce();
  assert.equal((await db.getPhoto(visit.photos[0].id)).bytes, null);
  assert.equal((await db.getVisit(visit.id)).sync.purged, true);
});

test("a correction is PUT with its revision and sent when the server resubmits it", async () => {
  const { db, server, sync } = await setup();
  const first = await queuedVisit(db, { photos: 1 });
  await sync.runOnce();
  server.visits.get(first.id).status = "returned";
  const served = await (await server.fetch(`/api/v1/visits/${first.id}/`, { headers: { Authorization: "Token tok" } })).json();
  let correction = correctionVisit({ assignment: ASSIGNMENT, serverVisit: { ...served, checklist_version: 7, started_at: first.startedAt, ended_at: first.endedAt }, checklist: CHECKLIST, lang: "en" });
  correction = setAnswer(correction, "greet", { value: false, comment: "Nobody greeted me." });
  await db.saveVisit(finalize(correction));
  await sync.runOnce();
  const put = server.requests.find((r) => r.method === "PUT" && !r.path.includes("/photos/"));
  assert.equal(put.body.revision, 1);
  assert.equal(put.body.id, first.id);
  const after = await db.getVisit(first.id);
  assert.equal(after.state, "sent");
  assert.equal(server.visits.get(first.id).revision, 2);
});

test("a correction answered 409 stale_revision goes to attention with the server's message", async () => {
  const { db, server, sync } = await setup();
  const first = await queuedVisit(db, { photos: 0 });
  await sync.runOnce();
  server.visits.get(first.id).revision = 3;
  const correction = correctionVisit({ assignment: ASSIGNMENT, serverVisit: { id: first.id, revision: 2, answers: [], photos: { items: [] }, checklist_version: 7, started_at: first.startedAt, ended_at: first.endedAt }, checklist: CHECKLIST, lang: "en" });
  await db.saveVisit({ ...correction, state: "queued", finalizedAt: new Date().toISOString() });
  await sync.runOnce();
  const after = await db.getVisit(first.id);
  assert.equal(after.state, "attention");
  assert.equal(after.sync.error.code, "stale_revision");
  assert.equal(after.sync.error.message, "Revision 2 is stale: the visit is at revision 3.");
});

test("start() runs at once, then again when the earliest waiting visit is due", async () => {
  const timers = [];
  const { db, server, time, sync } = await setup({ sync: { setTimer: (fn, ms) => { timers.push({ fn, ms }); return timers.length; }, clearTimer: () => {} } });
  const visit = await queuedVisit(db, { photos: 0 });
  server.fail("POST", "/visits/", "offline");
  await sync.start();
  assert.equal(sync.status().nextTryAt, new Date(time.now() + 5000).toISOString());
  assert.equal(timers.at(-1).ms, 5000);
  time.advance(5000);
  timers.at(-1).fn();
  await sync.runOnce();
  assert.equal((await db.getVisit(visit.id)).state, "sent");
  assert.equal(posts(server).length, 2);
  sync.stop();
});

test("status() counts unsent visits and the oldest one", async () => {
  const { db, server, sync, time } = await setup();
  const a = await queuedVisit(db, { photos: 0 });
  await queuedVisit(db, { photos: 0, now: time.now() + 3600_000 });
  server.fail("POST", "/visits/", "offline");
  await sync.runOnce();
  assert.equal(sync.status().unsent, 2);
  assert.equal(sync.status().oldestUnsentAt, a.finalizedAt);
  assert.equal(sync.status().sending, false);
});
