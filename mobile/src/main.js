// Boot: open the database, restore the session, register the service worker,
// start the outbox and its triggers, and route between screens. Everything a
// screen needs travels in `app`; the screens never talk to each other.

import { openDb } from "./core/db.js";
import { createApi } from "./core/api.js";
import { createSync } from "./core/sync.js";
import { detectLang, setLang, t } from "./ui/i18n.js";
import { renderChrome, renderBanners } from "./ui/chrome.js";
import { refreshWork } from "./ui/work.js";
import * as signin from "./ui/screens/signin.js";
import * as assignments from "./ui/screens/assignments.js";
import * as visitScreen from "./ui/screens/visit.js";
import * as outbox from "./ui/screens/outbox.js";
import * as settings from "./ui/screens/settings.js";

const SCREENS = { signin, assignments, visit: visitScreen, outbox, settings };

const app = {
  db: null,
  api: null,
  sync: null,
  session: null,
  config: null,
  authRequired: false,
  route: { name: "assignments", params: [] },
  screen: null, // {update?, leave?} returned by the current screen
  registration: null,
  updateWaiting: null,
  version: null,
  go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  render: () => route(),
  kick: (reason) => kick(reason),
  requestBackgroundSync: () => requestBackgroundSync(),
  refreshWork: () => refresh(),
  signedIn: (session) => signedIn(session),
  signedOut: () => signedOut(),
  setLanguage: (lang) => setLanguage(lang),
};

async function boot() {
  try {
    app.db = await openDb();
  } catch (error) {
    document.getElementById("main").textContent = `${t("saveFailed", { why: error.message })}`;
    return;
  }
  setLang((await app.db.get("kv", "lang")) || detectLang());
  app.session = await app.db.getSession();
  app.config = await app.db.get("kv", "config");
  if (app.session?.expiresAt && new Date(app.session.expiresAt).getTime() <= Date.now()) app.authRequired = true;
  // The token is read from the database on each request: the service worker
  // and other tabs share it, and a new sign-in takes effect at once.
  app.api = createApi({ getToken: async () => (await app.db.getSession())?.token ?? null });
  app.sync = createSync({ db: app.db, api: app.api, onChange: () => scheduleUpdate() });

  window.addEventListener("hashchange", route);
  // The fragment is the router's: the skip link moves focus instead of navigating.
  document.querySelector(".skip")?.addEventListener("click", (event) => {
    event.preventDefault();
    document.getElementById("main").focus();
  });
  window.addEventListener("online", () => {
    kick("online");
    refresh();
  });
  window.addEventListener("offline", () => scheduleUpdate());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") kick("visible");
  });
  registerWorker();
  await route();
  if (app.session) {
    app.sync.start();
    refresh();
    persistStorage();
  }
}

let routing = 0;

async function route() {
  const turn = ++routing; // a later hashchange wins over a render still loading
  const [name = "", ...params] = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  let screenName = SCREENS[name] ? name : "assignments";
  if (!app.session) screenName = "signin";
  app.screen?.leave?.();
  app.screen = null;
  app.route = { name: screenName, params };
  renderChrome(app);
  await renderBanners(app);
  if (turn !== routing) return;
  // Each screen draws into its own element, shown only if no later route came meanwhile.
  const view = document.createElement("div");
  const screen = (await SCREENS[screenName].render(app, view, params)) || null;
  if (turn !== routing) {
    screen?.leave?.();
    return;
  }
  document.getElementById("main").replaceChildren(view);
  app.screen = screen;
  screen?.ready?.();
  // A new app version waits until no visit is open (a visit's screen is the only editor).
  if (screenName !== "visit") applyUpdateIfWaiting();
}

let updateQueued = false;
function scheduleUpdate() {
  if (updateQueued) return;
  updateQueued = true;
  queueMicrotask(async () => {
    updateQueued = false;
    const status = app.sync?.status();
    if (status?.authRequired && !app.authRequired) app.authRequired = true;
    await renderBanners(app);
    await app.screen?.update?.();
  });
}

function kick(reason) {
  if (!app.session || !app.sync) return;
  app.sync.kick(reason);
  scheduleUpdate();
}

async function refresh() {
  if (!app.session) return null;
  const result = await refreshWork(app);
  if (result.auth) app.authRequired = true;
  app.config = (await app.db.get("kv", "config")) || app.config;
  scheduleUpdate();
  return result;
}

async function signedIn(session) {
  app.session = session;
  app.authRequired = false;
  app.go("#/");
  // The list shows what the phone has and fills in as the download arrives.
  refresh();
  app.sync.start();
  persistStorage();
}

async function signedOut() {
  app.sync.stop();
  app.session = null;
  app.config = null;
  app.authRequired = false;
  app.go("#/signin");
}

async function setLanguage(lang) {
  setLang(lang);
  await app.db.put("kv", lang, "lang");
  await route();
}

// Background Sync exists only in Chromium: elsewhere the page's own triggers do the work.
async function requestBackgroundSync() {
  try {
    if ("SyncManager" in window && app.registration?.sync) await app.registration.sync.register("outbox");
  } catch {
    // Refused (permission, or no active worker yet): the page's triggers still run.
  }
}

function persistStorage() {
  // Asks the browser not to evict our data under storage pressure; headless says no, phones mostly yes.
  navigator.storage?.persist?.().catch(() => {});
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    app.registration = await navigator.serviceWorker.register("/app/sw.js", {
      type: "module",
      scope: "/app/",
      updateViaCache: "none",
    });
  } catch {
    return; // no worker (e.g. a browser without module workers): the app still runs online
  }
  const reg = app.registration;
  const noteWaiting = () => {
    if (reg.waiting && navigator.serviceWorker.controller) {
      app.updateWaiting = reg.waiting;
      if (app.route.name !== "visit") applyUpdateIfWaiting();
      else scheduleUpdate();
    }
  };
  reg.addEventListener("updatefound", () => reg.installing?.addEventListener("statechange", noteWaiting));
  noteWaiting();
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "outbox") scheduleUpdate();
    if (event.data?.type === "version") app.version = event.data.version;
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // Only a switch we asked for reloads the page; the first install just takes control.
    if (app.reloadOnControllerChange) location.reload();
  });
  navigator.serviceWorker.ready.then((ready) => ready.active?.postMessage({ type: "version?" }));
  if (app.session && (await app.db.unsentVisits()).length) requestBackgroundSync();
}

function applyUpdateIfWaiting() {
  const waiting = app.updateWaiting;
  if (!waiting || app.route.name === "visit") return;
  app.updateWaiting = null;
  app.reloadOnControllerChange = true;
  waiting.postMessage({ type: "apply-update" });
}

boot();
