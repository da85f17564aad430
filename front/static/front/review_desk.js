// Keyboard shortcuts of the review desk's visit page (front/templates/front/review_visit.html).
// A static file: the CSP allows scripts from this origin only, never inline.
//   a        approve (focuses the Approve button, asks to confirm, then submits)
//   r        focus the note on the first question (return notes); after Esc, r goes to the next one
//   x        focus the reason for a rejection
//   j or n   open the next visit in the queue
//   Esc      leave the text box being typed in, so the keys above work again
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "textarea" || tag === "select" || (tag === "input" && target.type !== "checkbox") || target.isContentEditable;
  }

  function focusField(field) {
    if (!field) return;
    var details = field.closest("details");
    if (details) details.open = true;
    field.scrollIntoView({ block: "center" });
    field.focus();
  }

  // The note on a question last typed in (reached with r or clicked): r goes on to the next one.
  var lastNote = null;
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-return-note]")) lastNote = event.target;
  });

  function nextReturnNote() {
    var notes = Array.prototype.slice.call(document.querySelectorAll("textarea[data-return-note]"));
    if (!notes.length) return document.getElementById("return-note");
    return notes[(notes.indexOf(lastNote) + 1) % notes.length];
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key.toLowerCase();
    if (key === "a") {
      var form = document.getElementById("approve-form");
      var button = document.getElementById("approve-button");
      if (!form || !button) return;
      event.preventDefault();
      button.focus();
      if (window.confirm(form.dataset.confirm || "Approve?")) form.requestSubmit(button);
    } else if (key === "r") {
      var note = nextReturnNote();
      if (!note) return;
      event.preventDefault();
      focusField(note);
    } else if (key === "x") {
      var reason = document.getElementById("reject-note");
      if (!reason) return;
      event.preventDefault();
      focusField(reason);
    } else if (key === "j" || key === "n") {
      var next = document.getElementById("next-in-queue");
      if (!next) return;
      event.preventDefault();
      window.location.assign(next.href);
    }
  });
})();
