import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addPhoto, canFinalize, correctionVisit, edit, editable, failed, fieldErrorsByQuestion, finalize, itemScore,
  missing, newVisit, removePhoto, requeue, sectionProgress, setAnswer, uploadBody,
} from "../src/core/visit.js";
import { answered, ASSIGNMENT, CHECKLIST, CONFIG, T0 } from "./support.js";

const ITEMS = Object.fromEntries(CHECKLIST.sections.flatMap((s) => s.items).map((i) => [i.code, i]));
const draft = () => newVisit({ assignment: ASSIGNMENT, checklist: CHECKLIST, lang: "en", now: T0, id: "v-1" });
const withPhotos = (visit, ...questions) => questions.reduce((v, q, i) => addPhoto(v, { id: `p-${i}`, question: q, sha256: "a".repeat(64), type: "image/jpeg", size: 10 }), visit);
const complete = () => withPhotos(answered(draft()), "counter", "queue");
const reasons = (visit, config) => missing(visit, CHECKLIST, config).map((m) => `${m.code ?? "-"}:${m.reason}`);

test("a new visit gets its id once, when it starts, and is a draft of the assignment's checklist version", () => {
  const visit = newVisit({ assignment: ASSIGNMENT, checklist: CHECKLIST, lang: "en", now: T0 });
  assert.match(visit.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(visit.state, "draft");
  assert.equal(visit.checklistVersionId, 7);
  assert.equal(visit.startedAt, new Date(T0).toISOString());
  assert.notEqual(newVisit({ assignment: ASSIGNMENT, checklist: CHECKLIST, lang: "en" }).id, visit.id);
});

test("a draft with every required answer and photo has nothing missing and can be finalized", () => {
  assert.deepEqual(reasons(complete(), CONFIG), []);
  assert.equal(canFinalize(complete(), CHECKLIST, CONFIG), true);
});

test("every required unanswered item is missing an answer, in checklist order; optional text is not", () => {
  assert.deepEqual(reasons(draft()), ["greet:answer", "wait:answer", "smile:answer", "advice:answer", "outcome:answer", "counter:photo", "queue:answer"]);
  assert.equal(canFinalize(draft(), CHECKLIST, CONFIG), false);
});

test("values of the wrong kind count as missing answers, for every answer type", () => {
  const bad = { greet: "yes", wait: "3", smile: 6, advice: 2.5, outcome: "maybe", notes: 42 };
  let visit = complete();
  for (const [code, value] of Object.entries(bad)) visit = setAnswer(visit, code, { value });
  assert.deepEqual(reasons(visit), ["greet:answer", "wait:answer", "smile:answer", "advice:answer", "outcome:answer", "notes:answer"]);
});

test("N/A answers an item that allows it and is refused where it is not allowed", () => {
  let visit = setAnswer(complete(), "smile", { na: true });
  assert.deepEqual(reasons(visit), []);
  visit = setAnswer(visit, "greet", { na: true });
  assert.deepEqual(reasons(visit), ["greet:answer"]);
});

test("N/A clears the value and a new value clears N/A", () => {
  let visit = setAnswer(draft(), "smile", { value: 4 });
  visit = setAnswer(visit, "smile", { na: true });
  assert.deepEqual(visit.answers.smile, { value: null, na: true, comment: "" });
  visit = setAnswer(visit, "smile", { value: 2 });
  assert.deepEqual(visit.answers.smile, { value: 2, na: false, comment: "" });
});

test("item scores follow the server: yes/no, scales, number thresholds, choice options; text and photo unscored", () => {
  assert.equal(itemScore(ITEMS.greet, true), 100);
  assert.equal(itemScore(ITEMS.greet, false), 0);
  assert.equal(itemScore(ITEMS.smile, 3), 50);
  assert.equal(itemScore(ITEMS.advice, 3), 40);
  assert.equal(itemScore(ITEMS.wait, 5), 100); // first matching band wins
  assert.equal(itemScore(ITEMS.wait, 7.5), 49.95);
  assert.equal(itemScore(ITEMS.wait, 12), 40);
  assert.equal(itemScore(ITEMS.wait, 99), 0); // in no band
  assert.equal(itemScore(ITEMS.outcome, "partly"), 50);
  assert.equal(itemScore(ITEMS.notes, "fine"), null);
  assert.equal(itemScore(ITEMS.counter, null), null);
});

test("a choice without option scores is unscored and never needs a failure comment", () => {
  const survey = { ...ITEMS.outcome, options: [{ value: "a", label: "A", score: null }, { value: "b", label: "B", score: "None" }] };
  assert.equal(itemScore(survey, "a"), null);
  assert.equal(itemScore(survey, "b"), null);
  assert.equal(failed(survey, "a"), false);
});

test("an item fails below 50 after the server's rounding to one decimal (49.95 passes)", () => {
  assert.equal(failed(ITEMS.smile, 3), false);
  assert.equal(failed(ITEMS.smile, 2), true);
  assert.equal(failed(ITEMS.advice, 3), true);
  assert.equal(failed(ITEMS.advice, 4), false);
  assert.equal(failed(ITEMS.wait, 7), false);
  assert.equal(failed(ITEMS.wait, 15), true);
  assert.equal(failed(ITEMS.outcome, "partly"), false);
  assert.equal(failed(ITEMS.outcome, "no"), true);
  assert.equal(failed(ITEMS.greet, false), true);
  assert.equal(failed(ITEMS.notes, "bad"), false);
});

test("a failing comment_on_failure answer needs a comment, for every scored type", () => {
  let visit = complete();
  for (const [code, value] of [["greet", false], ["wait", 15], ["smile", 1], ["advice", 2], ["outcome", "no"]]) visit = setAnswer(visit, code, { value });
  assert.deepEqual(reasons(visit), ["greet:comment", "wait:comment", "smile:comment", "advice:comment", "outcome:comment"]);
  visit = setAnswer(visit, "greet", { comment: "  " });
  assert.ok(reasons(visit).includes("greet:comment"));
  visit = setAnswer(visit, "greet", { comment: "No one at the door." });
  assert.ok(!reasons(visit).includes("greet:comment"));
});

test("a photo item and a photo_required item each need a photo with their question, unless N/A", () => {
  const visit = withPhotos(answered(draft()), "counter", "");
  assert.deepEqual(reasons(visit), ["queue:photo"]);
  assert.deepEqual(reasons(setAnswer(visit, "queue", { na: true })), []);
  assert.deepEqual(reasons(withPhotos(answered(draft()), "queue")), ["counter:photo"]);
});

test("more photos than photos_per_visit_max is missing-by-excess", () => {
  const visit = withPhotos(answered(draft()), "counter", "queue", "", "");
  assert.deepEqual(reasons(visit, CONFIG), ["-:too_many_photos"]);
  assert.deepEqual(reasons(removePhoto(visit, "p-3"), CONFIG), []);
});

test("section progress counts values, N/A and photos, and lists what is missing", () => {
  const visit = setAnswer(setAnswer(draft(), "greet", { value: true }), "smile", { na: true });
  const [s1, s2] = sectionProgress(withPhotos(visit, "counter"), CHECKLIST);
  assert.deepEqual(s1, { code: "S1", title: "Welcome", answered: 2, total: 3, missing: ["wait"] });
  assert.deepEqual(s2, { code: "S2", title: "Service", answered: 1, total: 5, missing: ["advice", "outcome", "queue"] });
});

test("finalize queues the draft and stamps its end, never before its start", () => {
  const visit = finalize(complete(), T0 + 3600_000);
  assert.equal(visit.state, "queued");
  assert.equal(visit.endedAt, new Date(T0 + 3600_000).toISOString());
  assert.equal(visit.finalizedAt, visit.endedAt);
  assert.equal(finalize(complete(), T0 - 3600_000).endedAt, complete().startedAt);
  assert.throws(() => finalize(visit, T0));
});

test("the upload body carries the visit's id and leaves unanswered questions out", () => {
  let visit = setAnswer(complete(), "notes", { value: "" });
  visit = { ...finalize(visit, T0 + 60_000), location: { lat: 31.2, lng: 121.5, accuracy_m: 12, at: "x" } };
  const body = uploadBody(visit);
  assert.deepEqual(Object.keys(body), ["id", "assignment", "checklist_version", "started_at", "ended_at", "location", "answers", "comment", "photos"]);
  assert.equal(body.id, "v-1");
  assert.equal(body.assignment, 11);
  assert.equal(body.checklist_version, 7);
  assert.deepEqual(body.location, { lat: 31.2, lng: 121.5, accuracy_m: 12 });
  assert.deepEqual(body.answers.map((a) => a.question), ["advice", "greet", "outcome", "queue", "smile", "wait"]);
  assert.deepEqual(body.answers.find((a) => a.question === "smile"), { question: "smile", value: null, na: true, comment: "" });
  assert.deepEqual(body.photos, [{ id: "p-0", sha256: "a".repeat(64), question: "counter" }, { id: "p-1", sha256: "a".repeat(64), question: "queue" }]);
  assert.deepEqual(uploadBody(visit), body); // the same body on every retry
});

test("a comment on an unanswered question is still sent", () => {
  const body = uploadBody(setAnswer(draft(), "notes", { comment: "Closed early" }));
  assert.deepEqual(body.answers, [{ question: "notes", value: null, na: false, comment: "Closed early" }]);
});

test("server errors by body position are mapped to question codes and photo ids", () => {
  const visit = finalize(complete(), T0 + 60_000);
  const errors = fieldErrorsByQuestion(visit, {
    "answers[1].value": ["must be true or false"],
    "answers[5].comment": ["say why"],
    "photos[1].sha256": ["Must be 64 hexadecimal characters."],
    comment: ["too long"],
    answers: ["Question 'x' is required but has no answer."],
  });
  assert.deepEqual(errors, {
    "answers.greet.value": ["must be true or false"],
    "answers.wait.comment": ["say why"],
    "photos.p-1.sha256": ["Must be 64 hexadecimal characters."],
    comment: ["too long"],
    answers: ["Question 'x' is required but has no answer."],
  });
});

test("DRF's nested serializer errors are mapped the same way", () => {
  const visit = finalize(complete(), T0 + 60_000);
  const errors = fieldErrorsByQuestion(visit, { answers: [{}, { comment: ["Ensure this field has no more than 2000 characters."] }], location: { lat: ["Ensure this value is less than or equal to 90."] } });
  assert.deepEqual(errors, {
    "answers.greet.comment": ["Ensure this field has no more than 2000 characters."],
    "location.lat": ["Ensure this value is less than or equal to 90."],
  });
});

test("editing a visit in attention requeues it and clears that field's errors only", () => {
  const visit = { ...finalize(complete(), T0), state: "attention" };
  visit.sync = { ...visit.sync, attempts: 4, fieldErrors: { "answers.greet.value": ["x"], "answers.wait.value": ["y"] }, error: { message: "invalid" } };
  const edited = setAnswer(visit, "greet", { value: false, comment: "Nobody" });
  assert.equal(edited.state, "queued");
  assert.deepEqual(edited.sync.fieldErrors, { "answers.wait.value": ["y"] });
  assert.equal(edited.sync.error, null);
  assert.equal(edited.sync.attempts, 0);
  assert.equal(edited.id, visit.id);
});

test("a visit whose body the server holds, or that is being sent, cannot be edited", () => {
  const sent = { ...complete(), sync: { ...complete().sync, answersSent: true } };
  assert.equal(editable(sent), false);
  assert.throws(() => setAnswer(sent, "greet", { value: false }), /can no longer be changed/);
  assert.throws(() => edit({ ...complete(), state: "sending" }, { comment: "x" }));
  assert.equal(editable(complete()), true);
});

test("requeue puts a visit in attention back in the queue unchanged", () => {
  const visit = { ...finalize(complete(), T0), state: "attention" };
  const again = requeue(visit, T0);
  assert.equal(again.state, "queued");
  assert.deepEqual(again.answers, visit.answers);
  const draftVisit = complete();
  assert.equal(requeue(draftVisit), draftVisit);
});

test("a correction keeps the visit's id, the revision it corrects, the reviewer's notes and the server's answers", () => {
  const serverVisit = {
    id: "v-9", checklist_version: 7, revision: 2, started_at: "2025-06-01T10:00:00Z", ended_at: "2025-06-01T10:30:00Z",
    location: null, comment: "", answers: [{ question: "greet", value: false, na: false, comment: "" }],
    photos: { items: [{ id: "p-9", question: "counter", sha256: "b".repeat(64), content_type: "image/jpeg" }] },
    review: { note: "Please explain greet.", question_notes: { greet: "Why no?" } },
  };
  const visit = correctionVisit({ assignment: ASSIGNMENT, serverVisit, checklist: CHECKLIST, lang: "en", now: T0 });
  assert.equal(visit.id, "v-9");
  assert.equal(visit.kind, "correction");
  assert.equal(visit.revision, 2);
  assert.deepEqual(visit.questionNotes, { greet: "Why no?" });
  assert.equal(visit.reviewNote, "Please explain greet.");
  assert.deepEqual(visit.answers.greet, { value: false, na: false, comment: "" });
  const body = uploadBody(finalize(visit, T0));
  assert.equal(body.revision, 2);
  assert.equal(body.ended_at, "2025-06-01T10:30:00Z");
  assert.deepEqual(body.photos, [{ id: "p-9", sha256: "b".repeat(64), question: "counter" }]);
});
