// "Add a row" for the admin's threshold and option tables (checklists/admin_forms.py).
// The tables already carry spare blank rows, so this only saves a save-and-reload
// when more are needed. A file rather than inline code: the CSP is script-src 'self'.
"use strict";

(function () {
  function addRow(editor) {
    var name = editor.dataset.name;
    var count = editor.querySelector('input[name="' + name + '-rows"]');
    var body = editor.querySelector("tbody");
    var last = body.lastElementChild;
    var index = parseInt(count.value, 10);
    var row = last.cloneNode(true);
    row.querySelector(".row-number").textContent = String(index + 1);
    row.querySelectorAll("input[data-column]").forEach(function (input) {
      input.name = name + "-" + index + "-" + input.dataset.column;
      input.value = "";
      input.setAttribute("aria-label", input.dataset.heading + " " + (index + 1));
    });
    body.appendChild(row);
    count.value = String(index + 1);
    row.querySelector("input").focus();
  }

  function setUp(editor) {
    if (editor.dataset.ready) return;
    editor.dataset.ready = "1";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = "Add a row";
    button.addEventListener("click", function () {
      addRow(editor);
    });
    editor.appendChild(button);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".row-editor").forEach(setUp);
  });
})();
