/**
 * IndexedDB: the schema and every read and write of it, so no other module
 * touches a transaction. The phone's outbox lives here; losing it loses a
 * shopper's visit, hence the read-back check on photos and the refusals below.
 */

import { wrap } from "../vendor/idb/index.js";
import { sha256Hex } from "./hash.js";

export const DB_NAME = "mystery-shopper";
export const DB_VERSION = 1;
/** Finalized and not yet confirmed by the server. */
export const UNSENT_STATES = Object.freeze(["queued", "sending", "waiting", "attention"]);

/** Thrown by wipe() while anything would be lost. `.count` says how many visits. */
export class UnsentError extends Error {
  constructor(count) {
    super(`${count} visit(s) not sent yet; nothing was deleted`);
    this.name = "UnsentError";
    this.count = count;
  }
}

/** Thrown by saveVisit() when a stale copy would undo what the server confirmed. */
export class StaleVisitError extends Error {
  constructor(id) {
    super(`visit ${id} changed since this copy was read (the server holds it); reload it`);
    this.name = "StaleVisitError";
  }
}

/** Thrown by savePhoto() when the stored bytes do not hash to the photo's sha256. */
export class PhotoCheckError extends Error {
  constructor(id) {
    super(`photo ${id} was not stored intact; take it again`);
    this.name = "PhotoCheckError";
  }
}

// WebKit drops connections ("Connection to Indexed Database server lost",
// UnknownError) and a closed connection throws InvalidStateError: both heal
// by reopening. Anything else (QuotaExceededError, DataError…) is real.
const CONNECTION_ERRORS = new Set(["InvalidStateError", "UnknownError", "TransactionInactiveError"]);

function upgrade(db, oldVersion) {
  if (oldVersion < 1) {
    db.createObjectStore("kv");
    db.createObjectStore("checklists");
    db.createObjectStore("visits", { keyPath: "id" });
    db.createObjectStore("photos", { keyPath: "id" }).createIndex("visitId", "visitId");
  }
}

/** A visit holds the shopper's work unless it is an untouched draft or already sent. */
export function holdsWork(visit) {
  if (visit.state === "sent") return false;
  if (visit.state !== "draft") return true;
  return Object.keys(visit.answers ?? {}).length > 0 || (visit.photos ?? []).length > 0 || Boolean(visit.comment);
}

/** Structured clone keeps ArrayBuffers intact; WebKit loses Blobs, so only bytes are stored. */
function asArrayBuffer(bytes) {
  if (bytes instanceof ArrayBuffer) return bytes;
  if (ArrayBuffer.isView(bytes)) return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  throw new TypeError("photo bytes must be an ArrayBuffer or a typed array, not a Blob");
}

/**
 * Open (and create or upgrade) the database.
 * @param {object} [options]
 * @param {IDBFactory} [options.indexedDB] fake-indexeddb's in Node
 * @param {string} [options.name]
 * @param {() => number} [options.now] clock for updatedAt
 * @returns {Promise<object>} the Db; every method reopens once after a lost connection
 */
export async function openDb({ indexedDB = globalThis.indexedDB, name = DB_NAME, now = () => Date.now() } = {}) {
  if (!indexedDB) throw new Error("IndexedDB is unavailable (private browsing?)");
  let connection = null; // Promise<IDBPDatabase> | null

  function connect() {
    if (!connection) {
      // idb's openDB() always uses the global indexedDB; open on the factory we were given.
      const request = indexedDB.open(name, DB_VERSION);
      request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
      const opening = wrap(request);
      connection = opening;
      const forget = () => { if (connection === opening) connection = null; };
      opening.then((db) => {
        // The browser closed it (WebKit does): reopen on the next call.
        db.addEventListener("close", forget);
        // Another tab or a new app version wants to upgrade: step aside, reopen later.
        db.addEventListener("versionchange", () => { forget(); db.close(); });
      }, forget);
    }
    return connection;
  }

  async function run(operation) {
    const db = await connect();
    try {
      return await operation(db);
    } catch (error) {
      if (!CONNECTION_ERRORS.has(error?.name)) throw error;
      // Once only: a second failure is a real one and must surface.
      if (connection) connection = null;
      try { db.close(); } catch { /* already closed */ }
      return operation(await connect());
    }
  }

  const get = (store, key) => run((db) => db.get(store, key));
  const put = (store, value, key) => run((db) => (key === undefined ? db.put(store, value) : db.put(store, value, key)));
  const remove = (store, key) => run((db) => db.delete(store, key));
  const all = (store) => run((db) => db.getAll(store));

  const api = {
    get,
    put,
    delete: remove,
    all,

    getSession: async () => (await get("kv", "session")) ?? null,
    setSession: (session) => put("kv", session, "session"),
    clearSession: () => remove("kv", "session"),

    /**
     * Store a visit (one transaction), stamping updatedAt. Refuses a copy that
     * would move the visit backwards (sent → unsent, or body stored → not stored)
     * for the same revision: that is a screen saving a stale copy over the outbox.
     */
    saveVisit(visit) {
      return run(async (db) => {
        const tx = db.transaction("visits", "readwrite");
        tx.done.catch(() => {});
        const existing = await tx.store.get(visit.id);
        if (existing && existing.kind === visit.kind && existing.revision === visit.revision &&
            ((existing.state === "sent" && visit.state !== "sent") ||
             (existing.sync?.answersSent && !visit.sync?.answersSent))) {
          throw new StaleVisitError(visit.id);
        }
        const saved = { ...visit, updatedAt: new Date(now()).toISOString() };
        await tx.store.put(saved);
        await tx.done;
        return saved;
      });
    },
    getVisit: (id) => get("visits", id),
    listVisits: () => all("visits"),

    /**
     * Store a photo, then read it back and hash the stored bytes: a photo that
     * did not land intact is removed and reported now, while the shopper is
     * still in the shop, not at upload time.
     */
    async savePhoto(photo) {
      const record = { ...photo, bytes: asArrayBuffer(photo.bytes) };
      await put("photos", record);
      const stored = await get("photos", photo.id);
      const digest = stored?.bytes ? await sha256Hex(stored.bytes) : null;
      if (digest !== String(photo.sha256).toLowerCase()) {
        await remove("photos", photo.id);
        throw new PhotoCheckError(photo.id);
      }
      return stored;
    },
    getPhoto: (id) => get("photos", id),
    /** Every photo record of one visit (with bytes where still held). */
    photosOf: (visitId) => run((db) => db.getAllFromIndex("photos", "visitId", visitId)),
    /** Drop the bytes, keep the record (id, question, sha256…) for the receipt and the screens. */
    deletePhotoBytes(id) {
      return run(async (db) => {
        const tx = db.transaction("photos", "readwrite");
        const photo = await tx.store.get(id);
        if (photo && photo.bytes) await tx.store.put({ ...photo, bytes: null });
        await tx.done;
      });
    },

    /** Finalized and not sent (queued/sending/waiting/attention), oldest first. */
    async unsentVisits() {
      const visits = (await all("visits")).filter((v) => UNSENT_STATES.includes(v.state));
      return visits.sort((a, b) => String(a.finalizedAt ?? a.createdAt).localeCompare(String(b.finalizedAt ?? b.createdAt)));
    },

    /**
     * Drop cached checklists no longer needed: keeps `keepVersionIds` (the
     * current assignments') and every version an unsent visit or draft started with.
     */
    async pruneChecklists(keepVersionIds = []) {
      const keep = new Set(keepVersionIds.map(String));
      for (const visit of await all("visits")) if (visit.state !== "sent") keep.add(String(visit.checklistVersionId));
      const keys = await run((db) => db.getAllKeys("checklists"));
      for (const key of keys) if (!keep.has(String(key).split(":")[0])) await remove("checklists", key);
    },

    /**
     * Delete everything (sign-out of a shared phone). Refuses with UnsentError
     * while any visit is unsent or a draft holds answers or photos: only the
     * server's confirmation frees a shopper's work.
     */
    async wipe() {
      await run(async (db) => {
        // One transaction: a visit finalized by another tab meanwhile cannot slip through.
        const tx = db.transaction(["kv", "checklists", "visits", "photos"], "readwrite");
        tx.done.catch(() => {});
        const held = (await tx.objectStore("visits").getAll()).filter(holdsWork).length;
        if (held) {
          tx.abort();
          throw new UnsentError(held);
        }
        await Promise.all([...tx.objectStoreNames].map((store) => tx.objectStore(store).clear()));
        await tx.done;
      });
    },

    /** navigator.storage.estimate() where there is one, else null. */
    async estimate() {
      const storage = globalThis.navigator?.storage;
      return storage?.estimate ? storage.estimate() : null;
    },

    /** The live connection (tests close it to play WebKit dropping it). */
    connection: connect,

    /** Close the connection; a later call reopens it. */
    async close() {
      const current = connection;
      connection = null;
      if (current) (await current).close();
    },
  };
  await connect(); // fail here, not on the first write, when IndexedDB is unusable
  return api;
}
