// Language, who is signed in, sign-out (refused while any work is unsent), storage.

import { holdsWork, UnsentError } from "../../core/db.js";
import { h, replace } from "../dom.js";
import { formatBytes, getLang, t, visitsWord } from "../i18n.js";

export async function render(app, main) {
  const message = h("p", { class: "error", role: "alert", id: "signout-message" });
  const storage = h("p", { class: "muted" });
  const signOutButton = h("button", { type: "button", class: "danger", onclick: onSignOut }, t("signOut"));

  async function onSignOut() {
    message.textContent = "";
    const unsent = await app.db.unsentVisits();
    if (unsent.length) {
      message.textContent = t("signOutRefused", { n: unsent.length, visits: visitsWord(unsent.length) });
      return;
    }
    if ((await app.db.listVisits()).some(holdsWork)) {
      message.textContent = t("signOutRefusedDraft");
      return;
    }
    signOutButton.disabled = true;
    try {
      await app.db.wipe(); // refuses by itself if a visit was finalized meanwhile
      await app.db.put("kv", getLang(), "lang"); // the phone's language is not the shopper's data
    } catch (error) {
      signOutButton.disabled = false;
      message.textContent = error instanceof UnsentError
        ? t("signOutRefused", { n: error.count, visits: visitsWord(error.count) }) : error.message;
      return;
    }
    // Revoke the token on the server; offline, the wipe alone still signs this phone out.
    const token = app.session?.token;
    if (token) app.api.request("POST", "/api/v1/auth/logout/", { headers: { Authorization: `Token ${token}` }, auth: false });
    await app.signedOut();
  }

  const langs = [["zh-Hans", "中文"], ["en", "English"]];
  const iOS = /iPhone|iPad|iPod/.test(navigator.userAgent) && !navigator.standalone;
  replace(main, 
    h("h1", {}, t("settingsTitle")),
    h("fieldset", { class: "item" },
      h("legend", {}, t("language")),
      h("div", { class: "choices" }, langs.map(([code, label]) => {
        const input = h("input", {
          type: "radio", name: "lang", id: `lang-${code}`, value: code, checked: getLang() === code,
          onchange: () => app.setLanguage(code),
        });
        return h("label", { class: "choice", for: input.id, lang: code }, input, h("span", {}, label));
      }))),
    h("p", {}, t("signedInAs", { user: app.session?.username ?? "" })),
    signOutButton,
    message,
    iOS ? h("p", { class: "notice" }, t("installHint")) : null,
    storage,
    app.version ? h("p", { class: "muted" }, t("version", { v: app.version })) : null,
  );
  const estimate = await app.db.estimate().catch(() => null);
  storage.textContent = estimate?.usage != null ? t("storageUse", { used: formatBytes(estimate.usage) }) : t("storageUnknown");
  return null;
}
