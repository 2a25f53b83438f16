// dockhand console: keeps an open page current. Every second it asks /console/pulse for the
// digest of what this page shows; when it differs from the page's, it fetches the page again and
// swaps <main> (and the header's counts). A page someone is working on (a field changed, the focus
// or the pointer in a form) is never swapped: a notice offers the newer page instead. Also asks before a form marked data-confirm is sent.
(function () {
  "use strict";
  var PERIOD_MS = 1000;
  var busy = false;

  function main() { return document.getElementById("main"); }

  // Someone is at work on the page: a field changed from what the page came with, the focus in
  // a form, or the pointer over one (a row must not move under a click).
  var pointerInForm = false;
  document.addEventListener("mouseover", function (e) {
    pointerInForm = !!(e.target.closest && e.target.closest("main form"));
  });

  function editing() {
    var m = main();
    var fields = m.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.type === "hidden") continue;
      if (f.tagName === "SELECT") {
        // A select with no option marked selected starts on its first.
        var start = 0;
        for (var j = 0; j < f.options.length; j++) {
          if (f.options[j].defaultSelected) { start = j; break; }
        }
        if (f.selectedIndex !== start) return true;
      } else if (f.value !== f.defaultValue) {
        return true;
      }
    }
    var el = document.activeElement;
    return pointerInForm || !!(el && el.closest && el.closest("main form"));
  }

  function say(text, offerReload) {
    var live = document.getElementById("live");
    live.textContent = text;
    if (offerReload) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = "Show";
      b.addEventListener("click", function () { window.location.reload(); });
      live.appendChild(b);
    }
  }

  function swap(html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var newMain = next.getElementById("main");
    var newAlerts = next.getElementById("alerts");
    if (!newMain) { window.location.reload(); return; }
    main().replaceWith(newMain);
    var alerts = document.getElementById("alerts");
    if (alerts && newAlerts) alerts.replaceWith(newAlerts);
    document.title = next.title;
    say("");
  }

  function refresh() {
    return fetch(window.location.href, { credentials: "same-origin", headers: { "X-Console-Refresh": "1" } })
      .then(function (r) {
        if (r.redirected || r.status === 401) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) { if (html) swap(html); });
  }

  function poll() {
    var m = main();
    if (busy || !m || !m.dataset.digest) return;
    busy = true;
    var url = "/console/pulse?page=" + encodeURIComponent(m.dataset.page) +
      "&site=" + encodeURIComponent(m.dataset.site);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (r.status === 401 || r.redirected) { window.location.reload(); return null; }
        return r.ok ? r.json() : null;
      })
      .then(function (p) {
        if (!p || p.digest === main().dataset.digest) return null;
        if (editing()) { say("This page has changed.", true); return null; }
        return refresh();
      })
      .catch(function () { say("The hub is not answering; retrying."); })
      .then(function () { busy = false; });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
    }
  });

  window.setInterval(poll, PERIOD_MS);
})();
