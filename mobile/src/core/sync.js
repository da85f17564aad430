/**
 * The outbox engine: pushes finalized visits to the server until the server
 * itself says `submitted`, then keeps a receipt and frees the photo bytes.
 * No DOM; runs in the page or the service worker. Its safety rests on three
 * things: the visit id made when the visit started is the only id ever sent
 * (so a retry after a lost response lands once), nothing local is freed before
 * a server response confirms it, and only one pass runs at a time anywhere
 * (Web Lock "outbox" across tabs and the worker, a flag within one).
 */

import { delay, retryAfterMs } from "./backoff.js";
import { sha256Hex } from "./hash.js";
import { fieldErrorsByQuestion, uploadBody } from "./visit.js";
import { UNSENT_STATES } from "./db.js";

/** Server statuses that mean the visit arrived whole (submitted, or already reviewed). */
export const CONFIRMED = Object.freeze(["submitted", "returned", "approved", "rejected"]);
const TRANSIENT = new Set(["network", "server", "throttled"]);

class AuthStop extends Error {}

/** A 400 that says the bytes were damaged on the way (README: code sha256_mismatch; the server today says it on `file`). */
function isShaMismatch(result) {
  const data = result.data ?? {};
  return data.code === "sha256_mismatch" || (data.errors?.file ?? []).some((m) => /sha256 mismatch/i.test(m));
}

const errorOf = (result) => ({
  message: result.data?.detail ?? result.error ?? `HTTP ${result.status}`,
  status: result.status,
  code: result.data?.code ?? result.kind,
});

/**
 * @param {object} deps
 * @param {object} deps.db from openDb()
 * @param {object} deps.api from createApi()
 * @param {() => number} [deps.now] ms clock
 * @param {() => number} [deps.random] for jitter
 * @param {Function} [deps.setTimer] @param {Function} [deps.clearTimer]
 * @param {LockManager} [deps.locks] navigator.locks where there is one
 * @param {(status: object) => void} [deps.onChange] called after every change of state
 * @param {(bytes: ArrayBuffer) => Promise<string>} [deps.hash]
 * @returns {{runOnce: Function, start: Function, kick: Function, stop: Function, status: Function, refresh: Function}}
 */
export function createSync({
  db, api, now = () => Date.now(), random = Math.random, setTimer = setTimeout, clearTimer = clearTimeout,
  locks = globalThis.navigator?.locks, onChange = () => {}, hash = sha256Hex,
}) {
  const state = { authRequired: false, sending: false, current: null, nextTryAt: null, unsent: 0, oldestUnsentAt: null, lastError: null, lastRunAt: null };
  let running = null; // the pass in progress (the in-process half of "never two at once")
  let again = false; // asked for while a pass ran: run once more after it
  let kicked = false; // the next pass ignores nextTryAt
  let started = false;
  let timer = null;
  let failedPasses = 0; // passes in a row that ended on an error, for their own backoff
  let writes = 0; // commits so far: tells a 401 whether anything was confirmed since a visit's turn began

  const isoNow = () => new Date(now()).toISOString();
  const status = () => ({ ...state });
  const emit = () => {
    try { onChange(status()); } catch { /* a screen's bug must not stop the outbox */ }
  };

  // Sync's writes go through db.put, not saveVisit: they are not the shopper's
  // edits, so updatedAt keeps meaning "last edited".
  async function commit(visit) {
    await db.put("visits", visit);
    writes += 1;
    emit();
    return visit;
  }

  function waiting(visit, result) {
    const attempts = visit.sync.attempts ?? 0;
    const after = retryAfterMs(result.retryAfter, now());
    const ms = Math.max(delay(attempts, random), after ?? 0);
    return {
      ...visit, state: "waiting",
      sync: { ...visit.sync, attempts: attempts + 1, nextTryAt: new Date(now() + ms).toISOString(), error: errorOf(result) },
    };
  }

  const attention = (visit, result, extra = {}) => ({
    ...visit, state: "attention", sync: { ...visit.sync, nextTryAt: null, error: errorOf(result), ...extra },
  });

  /** The server holds the body: remember what it said. */
  const stored = (visit, data) => ({
    ...visit,
    sync: {
      ...visit.sync, answersSent: true, serverStatus: data.status, missing: data.photos?.missing ?? [],
      attempts: 0, error: null, fieldErrors: {}, score: data.score ?? null, band: data.band ?? null,
    },
  });

  /** Step 1: the body. Returns the visit stored, or an outcome visit (waiting/attention). */
  async function sendBody(visit) {
    const body = uploadBody(visit);
    const result = visit.kind === "correction" ? await api.putVisit(visit.id, body) : await api.postVisit(body);
    if (result.kind === "ok") return { visit: await commit(stored(visit, result.data)) };
    if (result.kind === "auth") throw new AuthStop();
    if (TRANSIENT.has(result.kind)) return { visit: waiting(visit, result), done: true, stop: result.kind !== "server" };
    if (result.kind === "invalid") {
      return { visit: attention(visit, result, { fieldErrors: fieldErrorsByQuestion(visit, result.data?.errors) }), done: true };
    }
    if (result.kind === "conflict" && visit.kind === "new") {
      // This id is on the server already (our earlier try landed, or another
      // device sent it). Never a new id: fetch what the server holds and go on.
      const got = await api.getVisit(visit.id);
      if (got.kind === "ok") return { visit: await commit(stored(visit, got.data)) };
      if (got.kind === "auth") throw new AuthStop();
      if (TRANSIENT.has(got.kind)) return { visit: waiting(visit, got), done: true, stop: got.kind !== "server" };
    }
    // stale_revision, assignment_has_visit, 403, 404…: the shopper (or support) must act.
    return { visit: attention(visit, result), done: true };
  }

  /** Step 2: every photo the server still misses, one request each. */
  async function sendPhotos(visit) {
    const failed = {};
    let serverPhotos = null;
    const manifest = new Map(visit.photos.map((p) => [p.id, p]));
    for (;;) {
      if (CONFIRMED.includes(visit.sync.serverStatus)) break;
      const id = (visit.sync.missing ?? []).find((m) => !(m in failed));
      if (!id) break;
      let outcome = null;
      for (let tries = 0; tries < 2 && !outcome; tries++) {
        // Read afresh each try: a sha256 mismatch is retried with bytes re-read from IndexedDB.
        const photo = await db.getPhoto(id);
        const declared = manifest.get(id);
        if (!photo?.bytes || !declared) {
          outcome = { error: "This photo is no longer on this phone." };
          break;
        }
        if (tries > 0 && (await hash(photo.bytes)) !== String(declared.sha256).toLowerCase()) {
          outcome = { error: "The photo stored on this phone is damaged." };
          break;
        }
        const taken = photo.takenAt == null ? null : new Date(photo.takenAt);
        const result = await api.putPhoto(visit.id, id, photo.bytes, photo.type, undefined, {
          question: declared.question || "", taken_at: taken && !Number.isNaN(taken.getTime()) ? taken.toISOString() : null,
        });
        if (result.kind === "ok") {
          const server = result.data?.visit ?? {};
          serverPhotos = server.photos?.items ?? serverPhotos;
          visit = await commit({
            ...visit, sync: { ...visit.sync, missing: server.photos?.missing ?? visit.sync.missing.filter((m) => m !== id), serverStatus: server.status ?? visit.sync.serverStatus, attempts: 0, error: null },
          });
          outcome = { ok: true };
        } else if (result.kind === "auth") {
          throw new AuthStop();
        } else if (TRANSIENT.has(result.kind)) {
          return { visit: waiting(visit, result), done: true, stop: result.kind !== "server" };
        } else if (!(result.kind === "invalid" && isShaMismatch(result) && tries === 0)) {
          outcome = { error: errorOf(result).message };
        }
      }
      if (outcome?.error) failed[id] = outcome.error;
    }
    if (Object.keys(failed).length) {
      return { visit: attention(visit, { status: 0, data: { detail: "Some photos were refused.", code: "photo" } }, { photoErrors: failed }), done: true };
    }
    return { visit, serverPhotos };
  }

  /** Free the photo bytes of a confirmed visit, then mark it purged. */
  async function purge(visit) {
    const records = await db.photosOf(visit.id);
    for (const photo of records) if (photo.bytes) await db.deletePhotoBytes(photo.id);
    return commit({ ...visit, sync: { ...visit.sync, purged: true } });
  }

  /** One visit through steps 1–3. Returns {visit (as stored), stop (end the pass)}. */
  async function sendVisit(original) {
    state.current = original.id;
    let visit = await commit({ ...original, state: "sending", sync: { ...original.sync, lastTriedAt: isoNow() } });
    const marked = writes;
    try {
      if (!visit.sync.answersSent) {
        const step = await sendBody(visit);
        if (step.done) return { visit: await commit(step.visit), stop: step.stop };
        visit = step.visit;
      }
      const step = await sendPhotos(visit);
      if (step.done) return { visit: await commit(step.visit), stop: step.stop };
      visit = step.visit;
      let serverPhotos = step.serverPhotos;
      if (!CONFIRMED.includes(visit.sync.serverStatus)) {
        // Nothing left to send yet not confirmed: ask once, else try later.
        const got = await api.getVisit(visit.id);
        if (got.kind === "auth") throw new AuthStop();
        if (got.kind === "ok") {
          serverPhotos = got.data.photos?.items ?? serverPhotos;
          visit = { ...visit, sync: { ...visit.sync, serverStatus: got.data.status, missing: got.data.photos?.missing ?? [] } };
        }
        if (!CONFIRMED.includes(visit.sync.serverStatus)) {
          const reason = got.kind === "ok" ? { status: 200, kind: "ok", data: { detail: `The server has the visit as ${got.data.status}.` } } : got;
          return { visit: await commit(waiting(visit, reason)), stop: got.kind === "network" };
        }
      }
      // Step 3: the server said so, in a response. Receipt first, bytes after.
      const receipt = {
        visitId: visit.id, score: visit.sync.score ?? null, band: visit.sync.band ?? null, status: visit.sync.serverStatus,
        photos: (serverPhotos ?? visit.photos).map((p) => ({ id: p.id, sha256: p.sha256 })), confirmedAt: isoNow(),
      };
      visit = await commit({ ...visit, state: "sent", receipt, sync: { ...visit.sync, missing: [], error: null, nextTryAt: null, photoErrors: {}, purged: false } });
      return { visit: await purge(visit) };
    } catch (error) {
      if (error instanceof AuthStop) {
        // Leave the outbox as it was, keeping only what the server confirmed meanwhile.
        const progressed = writes > marked ? await db.getVisit(original.id) : null;
        await db.put("visits", progressed ? { ...progressed, state: original.state } : original);
      }
      throw error;
    }
  }

  function isDue(visit, ignoreWait) {
    if (visit.state === "queued" || visit.state === "sending") return true; // "sending" here: a pass died mid-way
    if (visit.state !== "waiting") return false;
    return ignoreWait || !visit.sync?.nextTryAt || Date.parse(visit.sync.nextTryAt) <= now();
  }

  /** Recount the outbox for status() and the timer. */
  async function refresh() {
    const visits = await db.listVisits();
    const unsent = visits.filter((v) => UNSENT_STATES.includes(v.state));
    state.unsent = unsent.length;
    state.oldestUnsentAt = unsent.map((v) => v.finalizedAt ?? v.createdAt).sort()[0] ?? null;
    const waits = unsent.filter((v) => v.state === "waiting" && v.sync?.nextTryAt).map((v) => Date.parse(v.sync.nextTryAt));
    // Queued ones left over mean a pass stopped early (offline, an error): back off too.
    if (unsent.some((v) => v.state === "queued" || v.state === "sending")) waits.push(now() + delay(failedPasses, random));
    state.nextTryAt = waits.length ? new Date(Math.min(...waits)).toISOString() : null;
    return visits;
  }

  async function pass() {
    const ignoreWait = kicked;
    kicked = false;
    const result = { ran: true, sent: [], waiting: [], attention: [], authRequired: false, error: null };
    Object.assign(state, { sending: true, authRequired: false, lastError: null });
    emit();
    try {
      const visits = await db.listVisits();
      for (const visit of visits) if (visit.state === "sent" && visit.sync?.purged === false) await purge(visit);
      const due = visits.filter((v) => isDue(v, ignoreWait))
        .sort((a, b) => String(a.finalizedAt ?? a.createdAt).localeCompare(String(b.finalizedAt ?? b.createdAt)));
      for (const visit of due) {
        const { visit: after, stop } = await sendVisit(visit);
        result[after.state]?.push(after.id);
        if (stop) break; // offline or throttled: the rest would fail the same way
      }
      failedPasses = 0;
    } catch (error) {
      if (error instanceof AuthStop) {
        state.authRequired = result.authRequired = true;
      } else {
        failedPasses += 1;
        state.lastError = result.error = { name: error?.name ?? "Error", message: String(error?.message ?? error) };
      }
    } finally {
      Object.assign(state, { sending: false, current: null, lastRunAt: isoNow() });
      await refresh().catch((error) => { state.lastError ??= { name: error?.name ?? "Error", message: String(error?.message ?? error) }; });
      emit();
    }
    return result;
  }

  async function exclusive() {
    if (!locks?.request) return pass();
    // ifAvailable: when another tab or the worker holds the outbox, it is doing
    // this work; look again a little later (not at once: that would spin).
    return locks.request("outbox", { ifAvailable: true }, (lock) => {
      if (lock) return pass();
      state.nextTryAt = new Date(now() + delay(0, random)).toISOString();
      return { ran: false, busy: true };
    });
  }

  function schedule() {
    if (timer !== null) clearTimer(timer);
    timer = null;
    if (!started || state.authRequired || !state.nextTryAt) return;
    const wait = Math.min(2 ** 31 - 1, Math.max(0, Date.parse(state.nextTryAt) - now()));
    timer = setTimer(() => { timer = null; runOnce(); }, wait);
  }

  /**
   * One pass over the outbox. A call during a pass returns that pass's promise
   * and makes it run once more afterwards (new work may have been queued).
   * Never rejects: the result says {ran, sent, waiting, attention, authRequired, error}.
   */
  function runOnce() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let result;
      try {
        let rounds = 0;
        do {
          again = false;
          result = await exclusive();
        } while (again && ++rounds < 3);
      } catch (error) {
        result = { ran: false, error: { name: error?.name ?? "Error", message: String(error?.message ?? error) } };
      } finally {
        running = null;
      }
      schedule();
      return result;
    })();
    return running;
  }

  /** "online" | "visible" | "button" | "background-sync" | "start": run now, waiting visits included. */
  function kick(reason) { // eslint-disable-line no-unused-vars -- the reason is for the caller's logs
    kicked = true;
    return runOnce();
  }

  return {
    runOnce,
    kick,
    /** Start scheduling: runs now, then at the earliest nextTryAt. */
    start() {
      started = true;
      return kick("start");
    },
    /** Stop scheduling (a pass in progress finishes). */
    stop() {
      started = false;
      if (timer !== null) clearTimer(timer);
      timer = null;
    },
    /** {authRequired, sending, current, nextTryAt, unsent, oldestUnsentAt, lastError, lastRunAt} */
    status,
    /** Recount the outbox now (e.g. after the UI finalized a visit) and notify. */
    async refresh() {
      await refresh();
      emit();
      return status();
    },
  };
}
