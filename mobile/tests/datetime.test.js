import { test } from "node:test";
import assert from "node:assert/strict";
import { failed, finalize, isLocalDateTime, itemScore, missing, newVisit, setAnswer, uploadBody, valueProblem } from "../src/core/visit.js";
import { ASSIGNMENT, CHECKLIST, T0, freshDb } from "./support.js";

// A mystery call's checklist: when the call started is a date-time item, as in the library's phone-enquiry.
const CALL_TIME = {
  code: "CALL_TIME", text: "Date and time the call started", help: "", good_practice: "", answer_type: "datetime",
  weight: "1", critical: false, required: true, allow_na: false, photo_required: false, comment_on_failure: false,
  unit: "", tags: {}, thresholds: [], options: [],
};
const PHONE_CHECKLIST = { ...CHECKLIST, channel: "phone", sections: [{ code: "CALL", title: "The call", weight: "1", items: [CALL_TIME] }] };
const draft = () => newVisit({ assignment: { ...ASSIGNMENT, channel: "phone" }, checklist: PHONE_CHECKLIST, lang: "en", now: T0, id: "v-call" });

test("a date-time answer is what the phone's picker gives: a local date and time, seconds optional", () => {
  for (const value of ["2026-10-02T14:30", "2026-10-02T14:30:05", "2028-02-29T00:00"]) {
    assert.equal(valueProblem(CALL_TIME, value), null, value);
  }
});

test("anything else is refused as the server refuses it", () => {
  for (const value of ["2026-10-02 14:30", "2026-10-02", "14:30", "2026-10-02T14:30Z", "2026-10-02T14:30+08:00",
    "2026-02-30T10:00", "2026-10-02T24:00", "2026-10-02T14:60", "2026-10-02T14:30:00.5", "yesterday", 1759415400]) {
    assert.equal(isLocalDateTime(value), false, String(value));
    assert.equal(valueProblem(CALL_TIME, value), "must be a date and time", String(value));
  }
});

test("a date-time answer is recorded, never scored and never failed", () => {
  assert.equal(itemScore(CALL_TIME, "2026-10-02T14:30"), null);
  assert.equal(failed(CALL_TIME, "2026-10-02T14:30"), false);
});

test("a required date-time is missing until the shopper picks one, and a malformed one counts as missing", () => {
  assert.deepEqual(missing(draft(), PHONE_CHECKLIST).map((m) => m.code), ["CALL_TIME"]);
  assert.deepEqual(missing(setAnswer(draft(), "CALL_TIME", { value: "2026-10-02 14:30" }, T0), PHONE_CHECKLIST).map((m) => m.code), ["CALL_TIME"]);
  assert.deepEqual(missing(setAnswer(draft(), "CALL_TIME", { value: "2026-10-02T14:30" }, T0), PHONE_CHECKLIST), []);
});

test("a date-time answer waits in the outbox and is uploaded as picked", async () => {
  const db = await freshDb();
  const visit = finalize(setAnswer(draft(), "CALL_TIME", { value: "2026-10-02T14:30" }, T0), T0 + 60_000);
  await db.saveVisit(visit);
  const [queued] = await db.unsentVisits();
  assert.equal(queued.answers.CALL_TIME.value, "2026-10-02T14:30");
  assert.deepEqual(uploadBody(queued).answers, [{ question: "CALL_TIME", value: "2026-10-02T14:30", na: false, comment: "" }]);
});
