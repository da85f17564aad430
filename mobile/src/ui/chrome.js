// The parts around every screen: the navigation and the banners (unsent
// visits, sign-in needed, no signal). The unsent banner is on every screen so a
// shopper never forgets a visit that has not reached the server.

import { h, replace } from "./dom.js";
import { getLang, t, unsentText } from "./i18n.js";

export function renderChrome(app) {
  document.getElementById("brand").textContent = t("appName");
  document.title = t("appName");
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("mainNav"));
  const link = (hash, name, label) =>
    h("a", { href: hash, "aria-current": app.route.name === name ? "page" : null }, label);
  const other = getLang() === "zh-Hans" ? "en" : "zh-Hans";
  replace(
    nav,
    app.session && link("#/", "assignments", t("navAssignments")),
    app.session && link("#/outbox", "outbox", t("navOutbox")),
    app.session && link("#/settings", "settings", t("navSettings")),
    h("button", {
      type: "button",
      class: "lang",
      lang: other,
      "aria-label": t("langSwitchLabel"),
      onclick: () => app.setLanguage(other),
    }, t("langSwitch")),
  );
}

export async function renderBanners(app) {
  const box = document.getElementById("banners");
  if (!app.db) return;
  const unsent = app.session ? await app.db.unsentVisits() : [];
  const banners = [];
  if (app.session && app.authRequired) {
    banners.push(h("p", { class: "banner warn", role: "alert" },
      t("authBanner"), " ", h("a", { href: "#/signin" }, t("authBannerAction"))));
  }
  if (unsent.length) {
    const oldest = unsent.reduce((min, v) => {
      const at = v.finalizedAt || v.createdAt;
      return !min || at < min ? at : min;
    }, null);
    banners.push(h("p", { class: "banner unsent", role: "status", id: "unsent-banner" },
      app.route.name === "outbox" ? unsentText(unsent.length, oldest)
        : h("a", { href: "#/outbox" }, unsentText(unsent.length, oldest))));
  }
  if (!navigator.onLine) banners.push(h("p", { class: "banner offline", role: "status" }, t("offlineBanner")));
  if (app.updateWaiting && app.route.name === "visit") banners.push(h("p", { class: "banner" }, t("updateReady")));
  replace(box, banners);
}
