import { test } from "node:test";
import assert from "node:assert/strict";
import { CAP_MS, delay, retryAfterMs } from "../src/core/backoff.js";

test("the first retry waits 2.5 to 7.5 s: 5 s with ±50 % jitter", () => {
  assert.equal(delay(0, () => 0), 2500);
  assert.equal(delay(0, () => 0.5), 5000);
  assert.equal(delay(0, () => 0.999999), 7500);
});

test("each failure doubles the wait", () => {
  const mid = () => 0.5;
  assert.deepEqual([0, 1, 2, 3, 4].map((n) => delay(n, mid)), [5000, 10000, 20000, 40000, 80000]);
});

test("the wait is capped at 15 minutes before jitter, however many failures", () => {
  for (const attempts of [8, 20, 1000]) {
    assert.equal(delay(attempts, () => 0.5), CAP_MS);
    assert.ok(delay(attempts, () => 0.999999) <= CAP_MS * 1.5);
    assert.ok(delay(attempts, () => 0) >= CAP_MS * 0.5);
  }
});

test("jitter spreads phones that failed together", () => {
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const waits = new Set(Array.from({ length: 50 }, () => delay(3, random)));
  assert.ok(waits.size > 40);
  for (const w of waits) assert.ok(w >= 20000 && w <= 60000);
});

test("Retry-After is read as seconds or as an HTTP date", () => {
  const now = Date.parse("2025-06-02T09:00:00Z");
  assert.equal(retryAfterMs("120", now), 120_000);
  assert.equal(retryAfterMs("Mon, 02 Jun 2025 09:01:00 GMT", now), 60_000);
  assert.equal(retryAfterMs(null, now), null);
  assert.equal(retryAfterMs("soon", now), null);
});
