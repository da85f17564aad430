/**
 * The last resort of F4: everything not yet confirmed by the server in one
 * JSON file a shopper can hand to support when the phone cannot send. Photos
 * go in as base64 with their sha256, so support can upload them exactly as
 * the phone would have. The token never goes in.
 */

export const EXPORT_FORMAT = "mystery-shopper-unsent/1";

/** Base64 of bytes, in chunks so a 10 MB photo does not overflow the call stack. */
export function toBase64(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (let i = 0; i < view.length; i += 0x8000) binary += String.fromCharCode.apply(null, view.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Build the export (pure).
 * @param {{visits: object[], photos: object[], session?: object|null, exportedAt: string, app?: string}} input
 *   visits: every visit record; photos: their photo records (bytes as ArrayBuffer or null)
 * @returns {{format: string, exportedAt: string, app: string|null, username: string|null,
 *   visits: object[], photos: object[], receipts: object[]}}
 *   visits: the unsent ones (drafts included: they are the shopper's work too);
 *   photos: theirs, bytes as `base64`; receipts: of the visits the server confirmed
 */
export function buildExport({ visits, photos, session = null, exportedAt, app = null }) {
  const unsent = visits.filter((v) => v.state !== "sent");
  const ids = new Set(unsent.map((v) => v.id));
  return {
    format: EXPORT_FORMAT,
    exportedAt,
    app,
    username: session?.username ?? null,
    visits: unsent,
    photos: photos.filter((p) => ids.has(p.visitId)).map(({ bytes, ...meta }) => ({ ...meta, base64: bytes ? toBase64(bytes) : null })),
    receipts: visits.filter((v) => v.state === "sent" && v.receipt).map((v) => v.receipt),
  };
}

/**
 * Read the outbox and make the file's text and name; the screen turns it into
 * a download or a share.
 * @param {object} db from openDb()
 * @param {{now?: () => number, app?: string}} [options]
 * @returns {Promise<{json: string, filename: string, count: number}>}
 */
export async function exportUnsent(db, { now = () => Date.now(), app = null } = {}) {
  const visits = await db.listVisits();
  const photos = [];
  for (const visit of visits) if (visit.state !== "sent") photos.push(...(await db.photosOf(visit.id)));
  const exportedAt = new Date(now()).toISOString();
  const data = buildExport({ visits, photos, session: await db.getSession(), exportedAt, app });
  return {
    json: JSON.stringify(data),
    filename: `unsent-visits-${exportedAt.slice(0, 19).replace(/[:T]/g, "-")}.json`,
    count: data.visits.length,
  };
}
