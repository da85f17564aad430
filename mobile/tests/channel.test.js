import { test } from "node:test";
import assert from "node:assert/strict";
import { asksForLocation, channelOf, correctionVisit, edit, newVisit, uploadBody } from "../src/core/visit.js";
import { channelLabel } from "../src/ui/i18n.js";
import { ASSIGNMENT, CHECKLIST, T0 } from "./support.js";

const HERE = { lat: 31.2304, lng: 121.4737, accuracy_m: 12 };
const PHONE_CHECKLIST = { ...CHECKLIST, channel: "phone" };
const PHONE_ASSIGNMENT = { ...ASSIGNMENT, channel: "phone" };
const start = (assignment, checklist) => newVisit({ assignment, checklist, lang: "en", now: T0, id: "v-1" });

test("a visit takes its channel from the checklist, else from the assignment", () => {
  assert.equal(start(ASSIGNMENT, PHONE_CHECKLIST).channel, "phone");
  assert.equal(start({ ...ASSIGNMENT, channel: "written" }, CHECKLIST).channel, "written");
  assert.equal(channelOf(PHONE_ASSIGNMENT, { ...CHECKLIST, channel: "branch" }), "branch");
});

test("an assignment and checklist cached before channels existed are a branch visit", () => {
  assert.equal(start(ASSIGNMENT, CHECKLIST).channel, "branch");
  assert.equal(asksForLocation(start(ASSIGNMENT, CHECKLIST)), true);
  const { channel, ...oldDraft } = start(ASSIGNMENT, CHECKLIST);
  assert.equal(channel, "branch");
  assert.equal(asksForLocation(oldDraft), true);
});

test("only a branch visit asks for the location", () => {
  assert.equal(asksForLocation(start(PHONE_ASSIGNMENT, PHONE_CHECKLIST)), false);
  assert.equal(asksForLocation(start(ASSIGNMENT, { ...CHECKLIST, channel: "written" })), false);
  assert.equal(asksForLocation(start(ASSIGNMENT, { ...CHECKLIST, channel: "branch" })), true);
});

test("a phone visit uploads no location, even one recorded before the checklist said phone", () => {
  const visit = edit(start(PHONE_ASSIGNMENT, PHONE_CHECKLIST), { location: HERE }, T0);
  assert.equal(uploadBody(visit).location, null);
});

test("a branch visit still uploads its location", () => {
  const visit = edit(start(ASSIGNMENT, CHECKLIST), { location: HERE }, T0);
  assert.deepEqual(uploadBody(visit).location, HERE);
});

test("a returned phone visit is corrected without a location", () => {
  const serverVisit = { id: "v-9", revision: 1, checklist_version: 7, started_at: "2025-06-02T09:00:00Z", ended_at: "2025-06-02T09:04:00Z", location: HERE, answers: [] };
  const visit = correctionVisit({ assignment: PHONE_ASSIGNMENT, serverVisit, checklist: PHONE_CHECKLIST, lang: "en", now: T0 });
  assert.equal(visit.location, null);
  assert.equal(uploadBody(visit).location, null);
});

test("the assignment list names a mystery call and a written shop in both languages, and a branch visit not at all", () => {
  assert.equal(channelLabel("phone", "en"), "Mystery call");
  assert.equal(channelLabel("phone", "zh-Hans"), "神秘来电");
  assert.match(channelLabel("written", "en"), /letter, e-mail or web form/);
  assert.match(channelLabel("written", "zh-Hans"), /^书面/);
  assert.equal(channelLabel("branch", "en"), null);
  assert.equal(channelLabel(undefined, "zh-Hans"), null);
});
