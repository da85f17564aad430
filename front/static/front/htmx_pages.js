// What the pages that use htmx (front/templates/front/htmx.html) add around it.
// A static file: the CSP allows scripts from this origin only, never inline.
//
// The plain links and forms stay the fallback: whenever a swap cannot show what the
// address would, the browser goes to the address itself, as it would without htmx:
//   - an error (a 400 naming a bad parameter, a 500): the same page, loaded whole;
//   - a whole page where a fragment was expected (the session ended and the request
//     was sent to the login page): that page;
//   - no connection: the browser's own error, as for a link.
// While a region is being replaced it is aria-busy; if the focus was inside it and
// its element is gone (htmx puts it back on an element of the same id), it goes to
// the region itself rather than to the top of the page.
(function () {
  "use strict";

  function leaveFor(url) {
    if (url) window.location.assign(url);
  }

  function requestedUrl(detail) {
    return detail.pathInfo && (detail.pathInfo.finalRequestPath || detail.pathInfo.requestPath);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && target.setAttribute) target.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target && target.removeAttribute) target.removeAttribute("aria-busy");
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var whole = /^\s*<!doctype html/i.test(String(detail.serverResponse || ""));
    if (detail.isError || whole) {
      detail.shouldSwap = false;
      detail.isError = false; // handled here: no htmx:responseError after it
      leaveFor((detail.xhr && detail.xhr.responseURL) || requestedUrl(detail));
      return;
    }
    var target = detail.target;
    if (target) target.__hadFocus = target.contains(document.activeElement);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || !target.__hadFocus) return;
    target.__hadFocus = false;
    if (!target.contains(document.activeElement)) target.focus({ preventScroll: true });
  });

  document.addEventListener("htmx:sendError", function (event) {
    leaveFor(requestedUrl(event.detail));
  });
})();
