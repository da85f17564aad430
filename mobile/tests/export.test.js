import { test } from "node:test";
import assert from "node:assert/strict";
import { buildExport, EXPORT_FORMAT, exportUnsent, toBase64 } from "../src/core/export.js";
import { freshDb, queuedVisit, sha256, T0 } from "./support.js";

test("the export holds every unsent visit with its photos as base64, and the receipts of sent ones", async () => {
  const db = await freshDb();
  await db.setSession({ token: "secret-token", username: "ana", role: "shopper", expiresAt: null });
  const unsent = await queuedVisit(db, { photos: 2 });
  const sent = await queuedVisit(db, { photos: 1 });
  const receipt = { visitId: sent.id, score: "90.0", band: "exceeds", status: "submitted", photos: [], confirmedAt: "2025-06-02T10:00:00.000Z" };
  await db.put("visits", { ...sent, state: "sent", receipt });
  await db.put("visits", { id: "draft-1", state: "draft", answers: { greet: { value: true } }, photos: [] });

  const { json, filename, count } = await exportUnsent(db, { now: () => T0, app: "test" });
  const data = JSON.parse(json);
  assert.equal(data.format, EXPORT_FORMAT);
  assert.equal(data.exportedAt, new Date(T0).toISOString());
  assert.equal(data.username, "ana");
  assert.equal(count, 2);
  assert.deepEqual(data.visits.map((v) => v.id).sort(), [unsent.id, "draft-1"].sort());
  assert.deepEqual(data.receipts, [receipt]);
  assert.deepEqual(data.photos.map((p) => p.id).sort(), unsent.photos.map((p) => p.id).sort());
  for (const p of data.photos) {
    assert.equal(sha256(Buffer.from(p.base64, "base64")), p.sha256);
    assert.equal(p.bytes, undefined);
  }
  assert.ok(!json.includes("secret-token"));
  assert.match(filename, /^unsent-visits-2025-06-02-09-00-00\.json$/);
});

test("buildExport is pure and keeps photo records whose bytes were already freed", () => {
  const visits = [{ id: "v", state: "attention" }];
  const photos = [{ id: "p", visitId: "v", sha256: "x", bytes: null }, { id: "q", visitId: "other", bytes: new ArrayBuffer(1) }];
  const data = buildExport({ visits, photos, exportedAt: "t" });
  assert.deepEqual(data.photos, [{ id: "p", visitId: "v", sha256: "x", base64: null }]);
  assert.deepEqual(data.receipts, []);
  assert.equal(data.username, null);
});

test("base64 of a large photo does not overflow the stack", () => {
  const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
  assert.equal(toBase64(big), Buffer.from(big).toString("base64"));
});
