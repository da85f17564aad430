import { test } from "node:test";
import assert from "node:assert/strict";
import { createApi, kindOf } from "../src/core/api.js";

function recorder(respond) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    return respond(url, init, calls.length);
  };
  return { calls, fetch };
}
const json = (status, data, headers = {}) => new Response(data === undefined ? null : JSON.stringify(data), { status, headers: { "Content-Type": "application/json", ...headers } });

test("every status is classified into one kind", () => {
  const kinds = Object.fromEntries([200, 201, 304, 400, 401, 403, 404, 409, 413, 429, 500, 503].map((s) => [s, kindOf(s)]));
  assert.deepEqual(kinds, {
    200: "ok", 201: "ok", 304: "not_modified", 400: "invalid", 401: "auth", 403: "forbidden", 404: "not_found",
    409: "conflict", 413: "invalid", 429: "throttled", 500: "server", 503: "server",
  });
});

test("a network failure resolves as kind network instead of throwing", async () => {
  const api = createApi({ fetch: async () => { throw new TypeError("Failed to fetch"); } });
  const result = await api.getVisit("v");
  assert.equal(result.kind, "network");
  assert.equal(result.ok, false);
  assert.equal(result.status, 0);
});

test("a request that hangs past the timeout counts as a network error", async () => {
  const api = createApi({ timeoutMs: 20, fetch: (url, init) => new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")))) });
  assert.equal((await api.postVisit({})).kind, "network");
});

test("requests carry the token, JSON and no cookies, to the same origin only", async () => {
  const { calls, fetch } = recorder(() => json(201, { id: "v" }));
  const api = createApi({ fetch, getToken: async () => "abc" });
  const result = await api.postVisit({ id: "v" });
  assert.equal(result.kind, "ok");
  assert.deepEqual(result.data, { id: "v" });
  assert.equal(calls[0].url, "/api/v1/visits/");
  assert.equal(calls[0].init.method, "POST");
  assert.equal(calls[0].init.headers.Authorization, "Token abc");
  assert.equal(calls[0].init.headers["Content-Type"], "application/json");
  assert.equal(calls[0].init.credentials, "omit");
  assert.equal(calls[0].init.body, '{"id":"v"}');
});

test("login sends no token and returns the server's expiry", async () => {
  const { calls, fetch } = recorder(() => json(200, { token: "t", role: "shopper", username: "ana", expires_at: "2025-07-01T00:00:00Z" }));
  const api = createApi({ fetch, getToken: () => "old" });
  const result = await api.login("ana", "pw");
  assert.equal(result.data.expires_at, "2025-07-01T00:00:00Z");
  assert.equal(calls[0].init.headers.Authorization, undefined);
  assert.deepEqual(JSON.parse(calls[0].init.body), { username: "ana", password: "pw" });
});

test("logout posts to /auth/logout/ with the token", async () => {
  const { calls, fetch } = recorder(() => new Response(null, { status: 204 }));
  const result = await createApi({ fetch, getToken: () => "t" }).logout();
  assert.equal(result.kind, "ok");
  assert.equal(calls[0].url, "/api/v1/auth/logout/");
  assert.equal(calls[0].init.headers.Authorization, "Token t");
});

test("config sends If-None-Match and returns the server time on 200 and on 304", async () => {
  const { calls, fetch } = recorder((url, init, n) => (n === 1
    ? json(200, { photos_per_visit_max: 30 }, { ETag: '"e1"', "X-Server-Time": "2025-06-02T09:00:00+00:00" })
    : new Response(null, { status: 304, headers: { ETag: '"e1"', "X-Server-Time": "2025-06-02T09:05:00+00:00" } })));
  const api = createApi({ fetch });
  const first = await api.config();
  assert.deepEqual(first.data, { photos_per_visit_max: 30, serverTime: "2025-06-02T09:00:00+00:00" });
  assert.equal(first.etag, '"e1"');
  const second = await api.config('"e1"');
  assert.equal(second.kind, "not_modified");
  assert.deepEqual(second.data, { serverTime: "2025-06-02T09:05:00+00:00" });
  assert.equal(calls[1].init.headers["If-None-Match"], '"e1"');
});

test("checklist asks for the language by query and header and sends the held ETag", async () => {
  const { calls, fetch } = recorder(() => new Response(null, { status: 304 }));
  const result = await createApi({ fetch }).checklist(7, "zh-Hans", '"x"');
  assert.equal(result.kind, "not_modified");
  assert.equal(calls[0].url, "/api/v1/checklists/7/?lang=zh-Hans");
  assert.equal(calls[0].init.headers["Accept-Language"], "zh-Hans");
  assert.equal(calls[0].init.headers["If-None-Match"], '"x"');
});

test("assignments follows every page, on this origin only", async () => {
  const { calls, fetch } = recorder((url) => (url === "/api/v1/assignments/"
    ? json(200, { count: 3, next: "http://internal:8000/api/v1/assignments/?page=2", results: [{ id: 1 }, { id: 2 }] })
    : json(200, { count: 3, next: null, results: [{ id: 3 }] })));
  const result = await createApi({ fetch }).assignments();
  assert.deepEqual(result.data.map((a) => a.id), [1, 2, 3]);
  assert.deepEqual(calls.map((c) => c.url), ["/api/v1/assignments/", "/api/v1/assignments/?page=2"]);
});

test("a failed page fails the whole list", async () => {
  const { fetch } = recorder(() => json(401, { detail: "Invalid token." }));
  assert.equal((await createApi({ fetch }).assignments()).kind, "auth");
});

test("a photo goes as multipart `file` with its type, question and capture time", async () => {
  const { calls, fetch } = recorder(() => json(201, { visit: { status: "submitted" } }));
  const bytes = new Uint8Array([1, 2, 3]).buffer;
  await createApi({ fetch }).putPhoto("v", "p", bytes, "image/jpeg", undefined, { question: "counter", taken_at: "2025-06-02T09:00:00.000Z" });
  const form = calls[0].init.body;
  assert.equal(calls[0].url, "/api/v1/visits/v/photos/p/");
  assert.equal(calls[0].init.method, "PUT");
  assert.equal(form.get("question"), "counter");
  assert.equal(form.get("taken_at"), "2025-06-02T09:00:00.000Z");
  const file = form.get("file");
  assert.equal(file.type, "image/jpeg");
  assert.equal(file.name, "p.jpg");
  assert.deepEqual([...new Uint8Array(await file.arrayBuffer())], [1, 2, 3]);
});

test("an HTML error page from a proxy is kept as a detail, not thrown", async () => {
  const { fetch } = recorder(() => new Response("<html>502 Bad Gateway</html>", { status: 502 }));
  const result = await createApi({ fetch }).getVisit("v");
  assert.equal(result.kind, "server");
  assert.match(result.data.detail, /502/);
});

test("Retry-After is passed through for the outbox's backoff", async () => {
  const { fetch } = recorder(() => json(429, { detail: "slow" }, { "Retry-After": "30" }));
  const result = await createApi({ fetch }).postVisit({});
  assert.equal(result.kind, "throttled");
  assert.equal(result.retryAfter, "30");
});
