// Sign in once with a username and password; the token is kept on the phone.
// After an expiry the same screen signs the shopper in again without touching
// drafts or the outbox, and refuses another account while visits are unsent
// (they belong to the first account and only it may send them).

import { h, replace } from "../dom.js";
import { t } from "../i18n.js";

export async function render(app, main) {
  const previous = app.session || (await app.db.get("kv", "lastUser")) || null;
  const message = h("p", { class: "error", role: "alert", id: "signin-error" });
  const username = h("input", {
    id: "username", name: "username", autocomplete: "username", required: true,
    autocapitalize: "none", spellcheck: "false", value: previous?.username ?? "",
  });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit", class: "primary" }, t("signIn"));

  async function onSubmit(event) {
    event.preventDefault();
    message.textContent = "";
    submit.disabled = true;
    submit.textContent = t("signingIn");
    try {
      await signIn(app, username.value.trim(), password.value, message);
    } finally {
      submit.disabled = false;
      submit.textContent = t("signIn");
    }
  }

  replace(main, 
    h("h1", { text: t("signInTitle") }),
    app.authRequired && app.session ? h("p", { class: "notice" }, t("signInExpired")) : null,
    h("form", { class: "stack", method: "post", onsubmit: onSubmit, "aria-describedby": "signin-error" },
      h("label", { for: "username" }, t("username")), username,
      h("label", { for: "password" }, t("password")), password,
      submit,
      message),
  );
  return { ready: () => (username.value ? password : username).focus() };
}

async function signIn(app, username, password, message) {
  const owner = (await app.db.unsentVisits())[0] ? (app.session?.username ?? (await app.db.get("kv", "lastUser"))?.username) : null;
  if (owner && owner !== username) {
    message.textContent = t("signInOtherUser", { user: owner });
    return;
  }
  const result = await app.api.login(username, password);
  if (!result.ok) {
    message.textContent = {
      network: t("signInOffline"),
      server: t("signInOffline"),
      throttled: t("signInThrottled"),
    }[result.kind] ?? t("signInWrong");
    return;
  }
  if (result.data.role !== "shopper") {
    message.textContent = t("signInNotShopper");
    return;
  }
  const session = {
    token: result.data.token,
    username: result.data.username,
    role: result.data.role,
    expiresAt: result.data.expires_at ?? null,
  };
  await app.db.setSession(session);
  // Who last signed in, kept across an expiry so unsent visits stay with their owner.
  await app.db.put("kv", { username: session.username }, "lastUser");
  await app.signedIn(session);
}
