/**
 * The draft model, pure: every function takes a visit record and returns a new
 * one or a plain answer. The rules mirror the server's (audits/services/
 * visit_body.py, checklists/scoring.py) so a shopper learns what is missing in
 * the shop, not from a 400 hours later in a basement.
 */

/** An item scoring below this fails (scoring.PASS_MARK). */
export const PASS_MARK = 50;
const SCALE_TOPS = { scale5: 5, scale6: 6 };

const iso = (time) => new Date(time ?? Date.now()).toISOString();
const blank = (value) => value === null || value === undefined || value === "";

function emptySync() {
  return {
    answersSent: false, serverStatus: null, missing: [], attempts: 0, nextTryAt: null,
    lastTriedAt: null, error: null, fieldErrors: {}, photoErrors: {},
  };
}

/**
 * Where the shop happens: "branch", "phone" (a mystery call) or "written". The
 * checklist says, and the assignment repeats it; data cached before channels
 * existed has neither and was always a branch visit.
 */
export function channelOf(assignment, checklist) {
  return checklist?.channel ?? assignment?.channel ?? "branch";
}

/** Only a branch visit has a place to be at: no GPS prompt and no location for the others. */
export function asksForLocation(visit) {
  return (visit.channel ?? "branch") === "branch";
}

function base({ id, kind, assignment, checklist, checklistVersionId, lang, now }) {
  const at = iso(now);
  return {
    id, kind, assignmentId: assignment.id, assignment, checklistVersionId, lang,
    channel: channelOf(assignment, checklist),
    revision: null, questionNotes: {}, reviewNote: "",
    startedAt: at, endedAt: null, location: null,
    answers: {}, comment: "", photos: [], section: 0,
    state: "draft", sync: emptySync(), receipt: null,
    createdAt: at, updatedAt: at, finalizedAt: null,
  };
}

/**
 * Start a visit. Its id is made here, once: every retry of its upload reuses
 * it, which is what makes a retried upload land once on the server.
 * @param {{assignment: object, checklist?: object, lang: string, now?: number|string|Date, id?: string}} args
 */
export function newVisit({ assignment, checklist, lang, now, id = globalThis.crypto.randomUUID() }) {
  const checklistVersionId = checklist?.id ?? assignment.checklist_version;
  return base({ id, kind: "new", assignment, checklist, checklistVersionId, lang, now });
}

/**
 * A returned visit to correct: same id, the revision being corrected, the
 * reviewer's notes, and the answers and photo manifest as the server holds them
 * (bytes of photos already received stay on the server only).
 * @param {{assignment: object, serverVisit: object, checklist?: object, lang: string, now?: any}} args
 */
export function correctionVisit({ assignment, serverVisit, checklist, lang, now }) {
  const visit = base({
    id: serverVisit.id, kind: "correction", assignment, checklist, lang, now,
    checklistVersionId: checklist?.id ?? serverVisit.checklist_version,
  });
  const answers = {};
  for (const a of serverVisit.answers ?? []) answers[a.question] = { value: a.value ?? null, na: Boolean(a.na), comment: a.comment ?? "" };
  return {
    ...visit,
    revision: serverVisit.revision,
    questionNotes: serverVisit.review?.question_notes ?? assignment.visit?.question_notes ?? {},
    reviewNote: serverVisit.review?.note ?? assignment.visit?.review_note ?? "",
    startedAt: serverVisit.started_at,
    endedAt: serverVisit.ended_at, // the visit happened then; correcting it does not move it
    location: asksForLocation(visit) ? serverVisit.location ?? null : null,
    answers,
    comment: serverVisit.comment ?? "",
    photos: (serverVisit.photos?.items ?? []).map((p) => ({
      id: p.id, question: p.question ?? "", sha256: p.sha256, type: p.content_type ?? null, size: null, onServer: true,
    })),
  };
}

/**
 * Whether the shopper may still change the visit: not while it is being sent,
 * and never once the server holds its body (a stored visit changes only by a
 * correction after a reviewer returns it).
 */
export function editable(visit) {
  return visit.state !== "sent" && visit.state !== "sending" && !visit.sync?.answersSent;
}

/**
 * Apply a change to the body fields (answers, comment, location, photos, section).
 * A visit waiting for the shopper's fix (`attention`) goes back to `queued`, and
 * the field errors of the changed fields are cleared.
 * @param {object} visit
 * @param {object} patch fields to replace
 * @param {any} [now]
 * @param {string[]} [cleared] fieldErrors key prefixes answered by this change
 */
export function edit(visit, patch, now, cleared = Object.keys(patch)) {
  if (!editable(visit)) throw new Error(`visit ${visit.id} can no longer be changed (${visit.state})`);
  const next = { ...visit, ...patch, updatedAt: iso(now) };
  if (visit.state === "attention") {
    const fieldErrors = Object.fromEntries(Object.entries(visit.sync.fieldErrors ?? {})
      .filter(([key]) => !cleared.some((prefix) => key === prefix || key.startsWith(`${prefix}.`))));
    next.state = "queued";
    next.sync = { ...visit.sync, fieldErrors, photoErrors: {}, error: null, attempts: 0, nextTryAt: null };
  }
  return next;
}

/**
 * Put a visit in `attention` back in the queue unchanged (the shopper's "try
 * again" after, say, support fixed the assignment). Anything else is returned as is.
 */
export function requeue(visit, now) {
  if (visit.state !== "attention") return visit;
  return { ...visit, state: "queued", updatedAt: iso(now), sync: { ...visit.sync, error: null, photoErrors: {}, attempts: 0, nextTryAt: null } };
}

/**
 * Set (part of) one answer; `na: true` clears the value, a new value clears N/A.
 * @param {object} visit
 * @param {string} code question code
 * @param {{value?: any, na?: boolean, comment?: string}} change
 */
export function setAnswer(visit, code, { value, na, comment } = {}, now) {
  const answer = { value: null, na: false, comment: "", ...visit.answers[code] };
  if (value !== undefined) {
    answer.value = value;
    if (na === undefined && !blank(value)) answer.na = false;
  }
  if (na !== undefined) {
    answer.na = Boolean(na);
    if (answer.na) answer.value = null;
  }
  if (comment !== undefined) answer.comment = comment;
  return edit(visit, { answers: { ...visit.answers, [code]: answer } }, now, [`answers.${code}`]);
}

/** Add (or replace, by id) a photo in the manifest; its bytes live in the `photos` store. */
export function addPhoto(visit, { id, question = "", sha256, type, size }, now) {
  const photos = [...visit.photos.filter((p) => p.id !== id), { id, question, sha256, type, size }];
  return edit(visit, { photos }, now, ["photos", ...(question ? [`answers.${question}`] : [])]);
}

/** Remove a photo from the manifest (the caller deletes its record). */
export function removePhoto(visit, id, now) {
  return edit(visit, { photos: visit.photos.filter((p) => p.id !== id) }, now, ["photos"]);
}

/**
 * Why `value` is not a valid answer to `item`, or null (scoring._value_problem).
 * @returns {string|null}
 */
export function valueProblem(item, value) {
  const type = item.answer_type;
  if (blank(value)) return "needs a value";
  if (type === "yes_no") return typeof value === "boolean" ? null : "must be true or false";
  if (type in SCALE_TOPS) {
    const top = SCALE_TOPS[type];
    return Number.isInteger(value) && value >= 1 && value <= top ? null : `must be an integer from 1 to ${top}`;
  }
  if (type === "number") return typeof value === "number" && Number.isFinite(value) ? null : "must be a number";
  if (type === "choice") return (item.options ?? []).some((o) => o.value === value) ? null : "must be one of the options";
  if (type === "text") return typeof value === "string" ? null : "must be a string";
  if (type === "datetime") return isLocalDateTime(value) ? null : "must be a date and time";
  return null;
}

// What <input type="datetime-local"> gives: a local date-time with no zone, as the server takes it.
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Whether `value` is "YYYY-MM-DDTHH:MM" (seconds optional) naming a real day and time. */
export function isLocalDateTime(value) {
  const match = typeof value === "string" ? LOCAL_DATE_TIME.exec(value) : null;
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0));
  // Date.UTC rolls 02-30 over to March: a day that does not exist comes back different.
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
}

// Scores and bounds arrive as decimal strings; a choice without option scores is unscored (null).
const decimal = (value) => (blank(value) || !Number.isFinite(Number(value)) ? null : Number(value));

/**
 * The item's score from 0 to 100, or null for unscored types (text, datetime, photo)
 * and invalid values. Same rules as checklists/scoring.py.
 */
export function itemScore(item, value) {
  if (valueProblem(item, value) !== null) return null;
  const type = item.answer_type;
  if (type === "yes_no") return value ? 100 : 0;
  if (type in SCALE_TOPS) return ((value - 1) * 100) / (SCALE_TOPS[type] - 1);
  if (type === "number") {
    // First matching band wins; a value in no band scores 0.
    for (const t of item.thresholds ?? []) {
      const min = decimal(t.min);
      const max = decimal(t.max);
      if ((min === null || value >= min) && (max === null || value <= max)) return Number(t.score);
    }
    return 0;
  }
  if (type === "choice") return decimal(item.options.find((o) => o.value === value).score);
  return null;
}

/**
 * Whether the answer scores below the pass mark: the server's rule for
 * comment_on_failure (visit_body.py, bonus items included). The server rounds
 * the score half-up to one decimal before comparing with 50, so 49.95 passes.
 */
export function failed(item, value) {
  const score = itemScore(item, value);
  return score !== null && score < PASS_MARK - 0.05;
}

function* items(checklist) {
  for (const section of checklist.sections ?? []) for (const item of section.items ?? []) yield [section, item];
}

/**
 * What stops the visit from being finalized, in checklist order.
 * Reasons: "answer" (required and unanswered, an invalid value, or N/A where
 * not allowed), "comment" (a failing comment_on_failure item without one),
 * "photo" (a required photo missing), "too_many_photos".
 * @returns {Array<{code?: string, section?: string, reason: string}>}
 */
export function missing(visit, checklist, config) {
  const problems = [];
  const photographed = new Set(visit.photos.map((p) => p.question).filter(Boolean));
  for (const [section, item] of items(checklist)) {
    const { code } = item;
    const where = { code, section: section.code };
    const answer = visit.answers[code];
    const required = item.required !== false;
    const na = Boolean(answer?.na);
    if (na && !item.allow_na) {
      problems.push({ ...where, reason: "answer" });
      continue;
    }
    if (item.answer_type === "photo") {
      if ((required || item.photo_required) && !na && !photographed.has(code)) problems.push({ ...where, reason: "photo" });
      continue;
    }
    const hasValue = !na && !blank(answer?.value);
    const valid = hasValue && valueProblem(item, answer.value) === null;
    if ((required && !na && !valid) || (hasValue && !valid)) {
      problems.push({ ...where, reason: "answer" });
    } else if (item.photo_required && !na && !photographed.has(code)) {
      problems.push({ ...where, reason: "photo" });
    }
    if (valid && item.comment_on_failure && failed(item, answer.value) && !String(answer.comment ?? "").trim()) {
      problems.push({ ...where, reason: "comment" });
    }
  }
  const max = config?.photos_per_visit_max;
  if (max && visit.photos.length > max) problems.push({ reason: "too_many_photos" });
  return problems;
}

/**
 * Per section: how many items are answered (a value, N/A, or for a photo item a
 * photo) out of how many, and the codes still missing something.
 * @returns {Array<{code: string, title: string, answered: number, total: number, missing: string[]}>}
 */
export function sectionProgress(visit, checklist) {
  const problems = missing(visit, checklist);
  const photographed = new Set(visit.photos.map((p) => p.question));
  return (checklist.sections ?? []).map((section) => {
    const answered = section.items.filter((item) => {
      const answer = visit.answers[item.code];
      if (answer?.na) return true;
      return item.answer_type === "photo" ? photographed.has(item.code) : !blank(answer?.value);
    }).length;
    const codes = problems.filter((p) => p.section === section.code).map((p) => p.code);
    return { code: section.code, title: section.title, answered, total: section.items.length, missing: [...new Set(codes)] };
  });
}

/** True when the draft can be finalized: nothing missing. */
export function canFinalize(visit, checklist, config) {
  return visit.state === "draft" && missing(visit, checklist, config).length === 0;
}

/**
 * Close the draft and put it in the outbox. endedAt is never before startedAt
 * (a phone clock set back would otherwise make a body the shopper cannot fix).
 */
export function finalize(visit, now) {
  if (visit.state !== "draft") throw new Error(`visit ${visit.id} is ${visit.state}, not a draft`);
  const at = iso(now);
  const endedAt = visit.endedAt ?? (at < visit.startedAt ? visit.startedAt : at);
  return { ...visit, endedAt, finalizedAt: at, updatedAt: at, state: "queued" };
}

/**
 * The JSON body for POST /visits/ (PUT for a correction). Derived from the
 * record alone, so every retry sends the same body. Unanswered questions are
 * left out; answers are sorted by code so the mapping of `answers[i]` errors
 * back to codes is stable.
 */
export function uploadBody(visit) {
  const answers = [];
  for (const code of Object.keys(visit.answers).sort()) {
    const a = visit.answers[code];
    const value = a.na || blank(a.value) ? null : a.value;
    if (!a.na && value === null && !a.comment) continue;
    answers.push({ question: code, value, na: Boolean(a.na), comment: a.comment ?? "" });
  }
  const loc = asksForLocation(visit) ? visit.location : null;
  const body = {
    id: visit.id,
    assignment: visit.assignmentId,
    checklist_version: visit.checklistVersionId,
    started_at: visit.startedAt,
    ended_at: visit.endedAt,
    location: loc ? { lat: loc.lat, lng: loc.lng, accuracy_m: loc.accuracy_m ?? null } : null,
    answers,
    comment: visit.comment ?? "",
    photos: visit.photos.map((p) => ({ id: p.id, sha256: p.sha256, question: p.question ?? "" })),
  };
  if (visit.kind === "correction") body.revision = visit.revision;
  return body;
}

/** DRF nests errors ({answers: [{}, {value: [...]}]}); the services flatten them (answers[1].value). Accept both. */
function flatten(errors, path, out) {
  if (Array.isArray(errors) && errors.some((e) => e && typeof e === "object")) {
    errors.forEach((e, i) => flatten(e, `${path}[${i}]`, out));
  } else if (errors && typeof errors === "object" && !Array.isArray(errors)) {
    for (const [key, value] of Object.entries(errors)) {
      flatten(value, key === "non_field_errors" && path ? path : path ? `${path}.${key}` : key, out);
    }
  } else if (errors != null && errors !== "" && !(Array.isArray(errors) && !errors.length)) {
    out[path] = [...(out[path] ?? []), ...(Array.isArray(errors) ? errors : [errors]).map(String)];
  }
  return out;
}

/**
 * Map a 400's `errors` from body positions to question codes and photo ids:
 * `answers[3].value` → `answers.<code>.value`, `photos[1].sha256` → `photos.<id>.sha256`;
 * other keys (comment, location.lat, answers, photos…) stay as they are.
 * @returns {Object<string, string[]>}
 */
export function fieldErrorsByQuestion(visit, serverErrors) {
  const body = uploadBody(visit);
  const result = {};
  for (const [key, messages] of Object.entries(flatten(serverErrors ?? {}, "", {}))) {
    const match = /^(answers|photos)\[(\d+)\](?:\.(.+))?$/.exec(key);
    let name = key;
    if (match && match[1] === "answers" && body.answers[match[2]]) name = `answers.${body.answers[match[2]].question}.${match[3] ?? "value"}`;
    if (match && match[1] === "photos" && body.photos[match[2]]) name = `photos.${body.photos[match[2]].id}.${match[3] ?? "id"}`;
    result[name] = [...(result[name] ?? []), ...messages];
  }
  return result;
}
