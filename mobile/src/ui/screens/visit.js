// The checklist, one section per page, then a "finish" page with what is still
// missing, the visit's comment and photos, and the button that puts the visit
// in the outbox. Every change is saved as it is made (the phone may kill the
// tab at the camera), and the visit reopens at the section it was on.

import { StaleVisitError } from "../../core/db.js";
import {
  addPhoto, asksForLocation, edit, editable, failed, finalize, missing, removePhoto, sectionProgress, setAnswer,
} from "../../core/visit.js";
import { h, idFor, replace } from "../dom.js";
import { getLang, pickField, t } from "../i18n.js";
import { preparePhoto } from "../photo.js";
import { checklistFor } from "../work.js";

const REASONS = { answer: "reasonAnswer", comment: "reasonComment", photo: "reasonPhoto", too_many_photos: "reasonTooMany" };

export async function render(app, main, [id]) {
  let visit = await app.db.getVisit(id);
  if (!visit) {
    replace(main, h("h1", {}, t("visitNotFound")));
    return null;
  }
  const checklist = await checklistFor(app.db, visit.checklistVersionId, getLang());
  if (!checklist) {
    replace(main, h("h1", {}, t("checklistMissing")));
    return null;
  }
  const config = app.config || {};
  const sections = checklist.sections;
  const finishIndex = sections.length;
  const urls = []; // blob: URLs of thumbnails, revoked on leaving
  let left = false; // the shopper moved to another screen: late callbacks must not save this copy
  let saving = Promise.resolve();
  let pending = 0;
  let index = Math.min(Math.max(0, visit.section || 0), finishIndex);
  // Sent back by the server: open where the first refused answer is.
  if (visit.state === "attention") index = firstSectionWithError() ?? finishIndex;

  // A refused visit stays "attention" while the shopper fixes it, and is sent
  // again only when they say so (not half-typed on the next timer tick).
  const canEdit = () => editable(visit) && (visit.state === "draft" || visit.state === "attention");

  function change(next) {
    if (visit.state === "attention") next = { ...next, state: "attention" };
    visit = next;
    const snapshot = visit;
    // Saves queued but not yet written, on <html data-saving>: what a reload would lose.
    pending += 1;
    document.documentElement.dataset.saving = "true";
    saving = saving
      .then(() => app.db.saveVisit(snapshot))
      .catch(onSaveError)
      .finally(() => {
        pending -= 1;
        if (pending === 0) document.documentElement.dataset.saving = "false";
      });
    updateLive();
    return saving;
  }

  async function onSaveError(error) {
    if (error instanceof StaleVisitError) {
      // The outbox moved this visit on (e.g. the server stored it): show the stored copy.
      await app.render();
      return;
    }
    alertBox.textContent = t("saveFailed", { why: error.message });
  }

  function fieldErrors() {
    return visit.sync?.fieldErrors ?? {};
  }

  function errorsFor(code) {
    const prefix = `answers.${code}`;
    return Object.entries(fieldErrors())
      .filter(([key]) => key === prefix || key.startsWith(`${prefix}.`))
      // The server names the question ("wait: must be a number"); on the question itself that is noise.
      .flatMap(([, messages]) => messages.map((m) => m.replace(new RegExp(`^${code}: `), "")));
  }

  function firstSectionWithError() {
    const keys = Object.keys(fieldErrors());
    const i = sections.findIndex((s) => s.items.some((item) => keys.some((k) => k.startsWith(`answers.${item.code}.`) || k === `answers.${item.code}`)));
    return i < 0 ? null : i;
  }

  // --- the page -----------------------------------------------------------------

  const alertBox = h("div", { role: "alert", class: "alert-box" });
  const steps = h("ol", { class: "steps" });
  const body = h("div", { class: "section-body" });
  const live = []; // functions that refresh status texts after each change

  function updateLive() {
    for (const fn of live) fn();
    renderSteps();
  }

  function renderSteps() {
    const progress = sectionProgress(visit, checklist);
    const problems = missing(visit, checklist, config);
    const errorCodes = new Set(Object.keys(fieldErrors()).map((k) => k.split(".")[1]));
    steps.replaceChildren(
      ...progress.map((p, i) => {
        const hasError = sections[i].items.some((item) => errorCodes.has(item.code));
        return h("li", {}, h("button", {
          type: "button",
          class: `step${hasError ? " has-error" : ""}${p.answered === p.total && !p.missing.length ? " done" : ""}`,
          "aria-current": i === index ? "step" : null,
          onclick: () => go(i),
        }, `${i + 1}. ${p.title} `, h("span", { class: "count" }, `${p.answered}/${p.total}`)));
      }),
      h("li", {}, h("button", {
        type: "button",
        class: `step${problems.length ? "" : " done"}`,
        "aria-current": index === finishIndex ? "step" : null,
        onclick: () => go(finishIndex),
      }, t("finishStep"))),
    );
    // Keep the current section's tab in view; scrollLeft only, never the page.
    const current = steps.querySelector("[aria-current]");
    if (current && (current.offsetLeft < steps.scrollLeft || current.offsetLeft + current.offsetWidth > steps.scrollLeft + steps.clientWidth)) {
      steps.scrollLeft = current.offsetLeft - 8;
    }
  }

  async function go(i) {
    index = Math.min(Math.max(0, i), finishIndex);
    if (canEdit() && visit.section !== index) change(edit(visit, { section: index }, Date.now(), []));
    renderBody();
    renderSteps();
    document.getElementById("section-title")?.focus();
    window.scrollTo(0, 0);
  }

  function renderBody() {
    live.length = 0;
    for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    body.replaceChildren(index === finishIndex ? finishPage() : sectionPage(sections[index], index));
  }

  function sectionPage(section, i) {
    const progress = h("p", { class: "muted", id: "section-progress" });
    live.push(() => {
      const p = sectionProgress(visit, checklist)[i];
      progress.textContent = `${t("sectionOf", { i: i + 1, n: sections.length })} · ${t("answeredOf", { a: p.answered, n: p.total })}`;
    });
    const form = h("fieldset", { class: "plain", disabled: !canEdit() },
      h("legend", { class: "visually-hidden" }, section.title),
      section.items.map((item) => itemView(item)));
    const nav = h("div", { class: "pager" },
      i > 0 ? h("button", { type: "button", onclick: () => go(i - 1) }, t("previous")) : h("span"),
      h("button", { type: "button", class: "primary", onclick: () => go(i + 1) }, i + 1 < finishIndex ? t("next") : t("finishStep")));
    live.forEach((fn) => fn());
    return h("section", { "aria-labelledby": "section-title" },
      h("h2", { id: "section-title", tabindex: "-1" }, section.title),
      progress, form, nav);
  }

  // One question: its input by answer type, N/A, comment, photos, the reviewer's note and the server's refusal.
  function itemView(item) {
    const code = item.code;
    const base = idFor("q", code);
    const answer = () => visit.answers[code] ?? { value: null, na: false, comment: "" };
    const errors = errorsFor(code);
    const errorId = `${base}-error`;
    const noteId = `${base}-note`;
    const legendId = `${base}-label`;
    const described = [errors.length ? errorId : null, visit.questionNotes?.[code] ? noteId : null].filter(Boolean).join(" ") || null;
    const invalid = errors.length ? "true" : null;
    const controls = [];

    const setValue = (value) => change(setAnswer(visit, code, { value }, Date.now()));
    let valueInput = null;
    const type = item.answer_type;
    if (type === "yes_no" || type === "scale5" || type === "scale6" || type === "choice") {
      const options = type === "yes_no" ? [{ value: true, label: t("yes") }, { value: false, label: t("no") }]
        : type === "choice" ? item.options.map((o) => ({ value: o.value, label: o.label }))
          : (checklist.scales?.[type] ?? []).map((s) => ({ value: s.value, label: `${s.value} · ${s.label}` }));
      valueInput = h("div", { class: `choices${type.startsWith("scale") ? " scale" : ""}` },
        options.map((option, n) => {
          const input = h("input", {
            type: "radio", name: base, id: `${base}-${n}`, checked: answer().value === option.value && !answer().na,
            "aria-invalid": invalid, onchange: () => setValue(option.value),
          });
          controls.push(input);
          return h("label", { class: "choice", for: `${base}-${n}` }, input, h("span", {}, option.label));
        }));
    } else if (type === "number") {
      const unitId = `${base}-unit`;
      const input = h("input", {
        type: "number", inputmode: "decimal", step: "any", id: `${base}-value`, value: answer().value ?? "",
        "aria-labelledby": item.unit ? `${legendId} ${unitId}` : legendId, "aria-invalid": invalid, "aria-describedby": described,
        oninput: () => setValue(input.value === "" || Number.isNaN(input.valueAsNumber) ? null : input.valueAsNumber),
      });
      controls.push(input);
      valueInput = h("div", { class: "number" }, input, item.unit ? h("span", { id: unitId, class: "unit" }, item.unit) : null);
    } else if (type === "datetime") {
      // The phone's own date-time picker; the value is local time, "YYYY-MM-DDTHH:MM".
      const input = h("input", {
        type: "datetime-local", id: `${base}-value`, value: answer().value ?? "",
        "aria-labelledby": legendId, "aria-invalid": invalid, "aria-describedby": described,
        oninput: () => setValue(input.value === "" ? null : input.value),
      });
      controls.push(input);
      valueInput = input;
    } else if (type === "text") {
      const input = h("textarea", {
        id: `${base}-value`, rows: 3, maxlength: 2000, "aria-labelledby": legendId, "aria-invalid": invalid, "aria-describedby": described,
        oninput: () => setValue(input.value),
      });
      input.value = answer().value ?? "";
      controls.push(input);
      valueInput = input;
    }

    const naBox = item.allow_na ? h("input", {
      type: "checkbox", id: `${base}-na`, checked: answer().na,
      onchange: (event) => change(setAnswer(visit, code, { na: event.target.checked }, Date.now())).then(syncNa),
    }) : null;
    function syncNa() {
      for (const control of controls) {
        control.disabled = answer().na;
        if (answer().na && control.type === "radio") control.checked = false;
        if (answer().na && (control.type === "number" || control.type === "datetime-local")) control.value = "";
      }
    }

    const commentId = `${base}-comment`;
    const commentLabel = h("label", { for: commentId });
    const comment = h("textarea", {
      id: commentId, rows: 2, maxlength: 2000, class: "comment",
      oninput: () => change(setAnswer(visit, code, { comment: comment.value }, Date.now())),
    });
    comment.value = answer().comment ?? "";
    const mark = h("span", { class: "item-state", "aria-hidden": "true" });
    live.push(() => {
      const a = answer();
      const needsComment = item.comment_on_failure && !a.na && failed(item, a.value);
      commentLabel.textContent = needsComment ? t("commentRequired") : t("comment");
      comment.required = needsComment;
      comment.classList.toggle("needed", needsComment && !String(a.comment || "").trim());
      const open = missing(visit, checklist).some((p) => p.code === code);
      const given = a.na || (type === "photo" ? visit.photos.some((p) => p.question === code) : a.value !== null && a.value !== "");
      mark.textContent = given && !open && !errorsFor(code).length ? "✓" : "";
    });

    const photos = type === "photo" || item.photo_required ? photoBlock(code, item.text) : null;
    const view = h("fieldset", { class: `item${errors.length ? " invalid" : ""}`, id: base, "aria-describedby": described },
      h("legend", { id: legendId }, item.text, item.critical ? h("span", { class: "badge" }, t("critical")) : null, mark),
      item.help ? h("p", { class: "muted help" }, item.help) : null,
      visit.questionNotes?.[code] ? h("p", { class: "note", id: noteId }, h("strong", {}, `${t("reviewerNote")}: `), visit.questionNotes[code]) : null,
      errors.length ? h("p", { class: "error", id: errorId }, errors.join(" ")) : null,
      valueInput,
      naBox ? h("label", { class: "choice na", for: naBox.id }, naBox, h("span", {}, t("na"))) : null,
      type === "photo" || type === "text" ? null : h("div", { class: "comment-field" }, commentLabel, comment),
      photos);
    syncNa();
    return view;
  }

  // Photos of one question ("" for the visit's own photos).
  function photoBlock(question, questionText) {
    const base = idFor("p", question || "visit");
    const list = h("ul", { class: "thumbs" });
    const status = h("p", { class: "muted", role: "status", id: `${base}-status` });
    const max = config.photos_per_visit_max || 30;
    const accept = "image/*";

    async function fillList() {
      const mine = visit.photos.filter((p) => (p.question || "") === question);
      const items = [];
      for (const [n, photo] of mine.entries()) {
        const label = question ? t("photoOf", { i: n + 1, question: questionText }) : t("visitPhoto", { i: n + 1 });
        const record = photo.onServer ? null : await app.db.getPhoto(photo.id);
        let img;
        if (record?.bytes) {
          const url = URL.createObjectURL(new Blob([record.bytes], { type: record.type }));
          urls.push(url);
          img = h("img", { src: url, alt: label, width: 96, height: 96 });
        } else {
          img = h("span", { class: "thumb-placeholder", role: "img", "aria-label": label }, "☁");
        }
        const problem = visit.sync?.photoErrors?.[photo.id];
        items.push(h("li", {},
          img,
          problem ? h("p", { class: "error" }, problem) : null,
          canEdit() ? h("button", {
            type: "button", class: "remove", "aria-label": t("removePhoto", { i: n + 1 }),
            onclick: () => remove(photo.id),
          }, "×") : null));
      }
      list.replaceChildren(...items);
    }

    async function remove(photoId) {
      await change(removePhoto(visit, photoId, Date.now()));
      // The bytes go only after the manifest without them is saved.
      const record = await app.db.getPhoto(photoId);
      if (record && !visit.photos.some((p) => p.id === photoId)) await app.db.delete("photos", photoId);
      await fillList();
    }

    async function onFiles(input, fromCamera) {
      const files = [...(input.files ?? [])];
      input.value = "";
      for (const file of files) {
        if (visit.photos.length >= max) {
          status.textContent = t("tooManyPhotos", { n: max });
          return;
        }
        status.textContent = t("processingPhoto");
        try {
          const prepared = await preparePhoto(file, config, { fromCamera });
          const photoId = crypto.randomUUID();
          // Stored (and read back) before the manifest names it.
          await app.db.savePhoto({ id: photoId, visitId: visit.id, question, ...prepared });
          const manifest = { id: photoId, question, sha256: prepared.sha256, type: prepared.type, size: prepared.size };
          if (left) {
            // Processed after the screen was left: add it to the stored visit, not to this stale copy.
            const stored = await app.db.getVisit(visit.id);
            if (stored && editable(stored)) await app.db.saveVisit(addPhoto(stored, manifest, Date.now()));
            return;
          }
          await change(addPhoto(visit, manifest, Date.now()));
          status.textContent = t("photoSaved");
        } catch (error) {
          status.textContent = t("photoFailed", { why: error.message });
        }
        await fillList();
      }
    }

    const picker = (capture, label) => {
      const inputId = `${base}-${capture ? "camera" : "gallery"}`;
      const input = h("input", {
        type: "file", accept, id: inputId, class: "visually-hidden", capture: capture ? "environment" : null,
        multiple: !capture, onchange: () => onFiles(input, capture),
      });
      return h("label", { class: "button", for: inputId }, input, label);
    };

    fillList();
    return h("div", { class: "photos" },
      list,
      canEdit() ? h("div", { class: "photo-buttons" }, picker(true, t("takePhoto")), picker(false, t("choosePhoto"))) : null,
      status);
  }

  function finishPage() {
    const problemsList = h("ul", { class: "missing" });
    const finishButton = h("button", { type: "button", class: "primary big", onclick: onFinalize });
    live.push(() => {
      const problems = missing(visit, checklist, config);
      const texts = {};
      const where = {};
      sections.forEach((s, i) => s.items.forEach((item) => {
        texts[item.code] = item.text;
        where[item.code] = i;
      }));
      problemsList.replaceChildren(...(problems.length
        ? problems.map((p) => h("li", {}, p.code
          ? h("button", { type: "button", class: "link", onclick: () => go(where[p.code]) }, `${texts[p.code]}: ${t(REASONS[p.reason])}`)
          : t("tooManyPhotos", { n: config.photos_per_visit_max })))
        : [h("li", { class: "ok" }, t("nothingMissing"))]));
      finishButton.textContent = visit.state === "attention" ? t("resend") : t("finalize");
      finishButton.disabled = !canEdit() || problems.length > 0;
    });

    const otherErrors = Object.entries(fieldErrors()).filter(([key]) => !key.startsWith("answers."));
    const commentId = "visit-comment";
    const comment = h("textarea", {
      id: commentId, rows: 3, maxlength: 5000, disabled: !canEdit(),
      "aria-invalid": fieldErrors().comment ? "true" : null,
      oninput: () => change(edit(visit, { comment: comment.value }, Date.now())),
    });
    comment.value = visit.comment || "";
    const loc = visit.location;
    live.forEach((fn) => fn());
    return h("section", { "aria-labelledby": "section-title" },
      h("h2", { id: "section-title", tabindex: "-1" }, t("finishStep")),
      otherErrors.length ? h("ul", { class: "error" }, otherErrors.map(([key, messages]) => h("li", {}, `${key}: ${messages.join(" ")}`))) : null,
      h("h3", { id: "missing-title" }, t("missingTitle")),
      problemsList,
      h("div", { class: "comment-field" }, h("label", { for: commentId }, t("visitComment")), comment),
      h("fieldset", { class: "item" }, h("legend", {}, t("visitPhotos")), photoBlock("", "")),
      asksForLocation(visit) ? h("p", { class: "muted" }, `${t("location")}: `, loc ? t("locationKept", { m: Math.round(loc.accuracy_m ?? 0) }) : t("locationNone")) : null,
      canEdit() ? h("p", { class: "muted" }, t("finalizeHint")) : null,
      finishButton);
  }

  async function onFinalize(event) {
    const button = event.currentTarget;
    button.disabled = true; // one tap, one visit in the outbox (F1)
    await saving;
    if (missing(visit, checklist, config).length || !canEdit()) {
      updateLive();
      return;
    }
    const next = visit.state === "draft" ? finalize(visit, Date.now())
      : { ...visit, state: "queued", sync: { ...visit.sync, error: null, fieldErrors: {}, photoErrors: {}, attempts: 0, nextTryAt: null } };
    try {
      await app.db.saveVisit(next);
    } catch (error) {
      alertBox.textContent = t("saveFailed", { why: error.message });
      button.disabled = false;
      return;
    }
    visit = next;
    app.requestBackgroundSync();
    app.kick("button");
    app.go("#/outbox");
  }

  // Where the shopper is: a location helps the review checks; the visit never waits for it.
  // A mystery call or a letter is made from anywhere: no prompt, nothing recorded.
  if (visit.state === "draft" && asksForLocation(visit) && !visit.location && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition((pos) => {
      if (left || visit.state !== "draft" || visit.location) return;
      const { latitude, longitude, accuracy } = pos.coords;
      change(edit(visit, { location: { lat: latitude, lng: longitude, accuracy_m: accuracy } }, Date.now(), ["location"]));
    }, () => {}, { enableHighAccuracy: true, timeout: 30_000, maximumAge: 300_000 });
  }

  const branch = visit.assignment?.branch;
  replace(
    main,
    h("h1", { class: "visit-title" }, pickField(branch, "name")),
    h("p", { class: "muted" }, checklist.title),
    visit.reviewNote ? h("p", { class: "note" }, h("strong", {}, `${t("reviewerNote")}: `), visit.reviewNote) : null,
    !canEdit() ? h("p", { class: "notice" }, t("readOnly")) : null,
    visit.state === "attention" ? h("p", { class: "error" },
      Object.keys(fieldErrors()).length ? t("serverRefused") : visit.sync?.error?.message || t("serverRefused")) : null,
    alertBox,
    h("nav", { "aria-label": t("sectionsNav") }, steps),
    body,
  );
  renderBody();
  renderSteps();
  return {
    ready() {
      renderSteps(); // now that it is on screen, the current section's tab can be scrolled to
      // Opened to fix a refusal: put the shopper on the first refused answer.
      const refused = body.querySelector("[aria-invalid='true']");
      refused?.scrollIntoView({ block: "center" });
      refused?.focus({ preventScroll: true });
    },
    leave() {
      left = true;
      for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    },
  };
}
