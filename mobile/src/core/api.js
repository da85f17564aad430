/**
 * The HTTP client. Every call resolves to one plain result, {ok, status, data,
 * etag, kind, retryAfter, headers?, error?}, and never throws for HTTP or
 * network trouble: the outbox engine decides by `kind` alone, and a dropped
 * connection cannot escape as an exception mid-write. Kinds: see kindOf.
 */

const KINDS = { 304: "not_modified", 400: "invalid", 401: "auth", 403: "forbidden", 404: "not_found", 409: "conflict", 429: "throttled" };

/**
 * "ok" | "not_modified" | "server" (5xx) | "auth" (401) | "forbidden" | "not_found" | "conflict" (409)
 * | "throttled" (429) | "invalid" (400, 413 and any other 4xx: the content is refused). ("network": no answer.)
 * @param {number} status
 */
export function kindOf(status) {
  if (status >= 200 && status < 300) return "ok";
  if (status >= 500) return "server";
  return KINDS[status] ?? "invalid";
}

const EXTENSIONS = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic" };

/**
 * @param {object} options
 * @param {string} [options.base] API root, same origin (no other host is ever asked)
 * @param {typeof fetch} [options.fetch]
 * @param {() => (string|null|Promise<string|null>)} [options.getToken]
 * @param {number} [options.timeoutMs] a request that hangs this long counts as a network error,
 *   so a half-dead connection cannot hold the outbox lock forever
 */
export function createApi({ base = "/api/v1", fetch = globalThis.fetch, getToken = () => null, timeoutMs = 60_000 } = {}) {
  async function request(method, path, { json, form, headers = {}, auth = true } = {}) {
    const init = { method, headers: { Accept: "application/json", ...headers }, cache: "no-store", credentials: "omit" };
    // credentials "omit": a Django admin session cookie in the same browser would
    // otherwise make DRF demand a CSRF token on our token-authenticated POSTs.
    if (auth) {
      const token = await getToken();
      if (token) init.headers.Authorization = `Token ${token}`;
    }
    if (json !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(json);
    } else if (form) init.body = form;
    const controller = typeof AbortController === "function" ? new AbortController() : null;
    if (controller) init.signal = controller.signal;
    const timer = controller && timeoutMs ? setTimeout(() => controller.abort(), timeoutMs) : null;
    let response;
    let text;
    try {
      response = await fetch(path, init);
      // Read inside the try: a body cut off mid-way means we do not know what the server said.
      text = await response.text();
    } catch (error) {
      return { ok: false, status: 0, data: null, etag: null, kind: "network", retryAfter: null, error: String(error?.message ?? error) };
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = { detail: text.slice(0, 200) }; // a proxy's HTML error page
      }
    }
    const kind = kindOf(response.status);
    return {
      ok: kind === "ok",
      status: response.status,
      data,
      etag: response.headers.get("ETag"),
      kind,
      retryAfter: response.headers.get("Retry-After"),
      headers: response.headers,
    };
  }

  const url = (path) => `${base}${path}`;

  return {
    request,

    /** POST /auth/token/ → data {token, role, username, expires_at} */
    login: (username, password) => request("POST", url("/auth/token/"), { json: { username, password }, auth: false }),

    /** POST /auth/logout/: revokes the token on the server; callers treat failure as done (best effort). */
    logout: () => request("POST", url("/auth/logout/")),

    /** GET /config/ with If-None-Match; data.serverTime from X-Server-Time (also on 304, data then holds only it). */
    async config(etag) {
      const result = await request("GET", url("/config/"), { headers: etag ? { "If-None-Match": etag } : {} });
      const serverTime = result.headers?.get("X-Server-Time") ?? null;
      if (result.kind === "ok" || result.kind === "not_modified") result.data = { ...(result.data ?? {}), serverTime };
      return result;
    },

    /** GET /assignments/, following every page; data is the array of all items. */
    async assignments() {
      let next = url("/assignments/");
      const items = [];
      for (let page = 0; next && page < 100; page++) {
        const result = await request("GET", next);
        if (!result.ok) return result;
        items.push(...(Array.isArray(result.data) ? result.data : result.data?.results ?? []));
        next = result.data?.next ?? null;
        // DRF writes absolute next links; keep only path and query so we never
        // follow a link to another origin (or http behind a TLS proxy).
        if (next) {
          const link = new URL(next, "http://same-origin.invalid");
          next = link.pathname + link.search;
        }
      }
      return { ok: true, status: 200, data: items, etag: null, kind: "ok", retryAfter: null };
    },

    /** GET /checklists/{id}/?lang=…, If-None-Match when an etag is held. */
    checklist: (versionId, lang, etag) =>
      request("GET", url(`/checklists/${encodeURIComponent(versionId)}/?lang=${encodeURIComponent(lang)}`), {
        headers: { "Accept-Language": lang, ...(etag ? { "If-None-Match": etag } : {}) },
      }),

    /** POST /visits/: 201 stored, 200 already stored with this body, 409 stored with another. */
    postVisit: (body) => request("POST", url("/visits/"), { json: body }),

    /** PUT /visits/{id}/: a correction; the body carries `revision`. */
    putVisit: (id, body) => request("PUT", url(`/visits/${id}/`), { json: body }),

    /** GET /visits/{id}/ */
    getVisit: (id) => request("GET", url(`/visits/${id}/`)),

    /**
     * PUT /visits/{visitId}/photos/{photoId}/ as multipart `file`, one photo per request.
     * @param {{question?: string, taken_at?: string|null}} [fields] sent along: the server
     *   checks the question against the manifest and uses taken_at when the file has no EXIF time
     */
    putPhoto(visitId, photoId, bytes, type, filename, fields = {}) {
      const form = new FormData();
      for (const [key, value] of Object.entries(fields)) if (value) form.append(key, value);
      const name = filename || `${photoId}.${EXTENSIONS[type] ?? "jpg"}`;
      form.append("file", new Blob([bytes], { type: type || "application/octet-stream" }), name);
      return request("PUT", url(`/visits/${visitId}/photos/${photoId}/`), { form });
    },
  };
}
