// Small behaviours shared by every page. No framework: Bootstrap and htmx do the rest.
(function () {
  "use strict";
  // A 422 answer carries the form with its errors: show it like any other answer.
  if (window.htmx) {
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "422", swap: true },
      { code: "[45]..", swap: false, error: true },
    ];
  }
  // Put the cursor on the first field with an error, so the user can fix it at once.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector(".oms-form .is-invalid");
    if (invalid) { invalid.focus(); }
  });
  // Entry forms marked data-keep-entering (adding order lines) empty themselves after a
  // successful htmx post and put the cursor back on their first field, ready for the next.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-keep-entering]");
    if (!form) { return; }
    if (event.detail.successful && event.detail.xhr.status === 200) { form.reset(); }
    var first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.focus(); }
  });
  // Print views: a button instead of an inline handler (the CSP allows no inline script).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
  // A copy button (data-copy="#field") puts the field's text on the clipboard and says so.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var field = document.querySelector(button.dataset.copy);
    if (!field) { return; }
    field.select();
    var done = function () {
      button.dataset.label = button.dataset.label || button.innerHTML;
      button.textContent = button.dataset.copied || "✓";
      window.setTimeout(function () { button.innerHTML = button.dataset.label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
  // A field that matters for one choice of another (data-show-when="scope=product|category")
  // is hidden for the other choices; the server ignores and clears what does not apply.
  function showDependents(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (field) {
      var rule = field.dataset.showWhen.split("="), control = form.elements[rule[0]];
      var box = field.closest("[class*='col-']") || field;
      box.hidden = !!control && rule[1].split("|").indexOf(control.value) < 0;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-when]")) { return; }
      showDependents(form);
      form.addEventListener("change", function () { showDependents(form); });
    });
  });
  // A button with data-confirm asks first and says what will happen.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); return; }
    // One click, one request: the buttons rest until the page answers (the server also
    // refuses a form token twice). Disabled after this tick, so the button's value is sent.
    var form = event.target;
    if (form.hasAttribute("hx-post")) { return; }  // htmx forms: hx-disabled-elt below
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]:not([disabled]), input[type=submit]:not([disabled])").forEach(function (b) {
        b.disabled = true; b.dataset.busy = "1";
      });
      // A form that may answer with a file (batch printing) leaves the page where it is:
      // its buttons come back after a while.
      if (form.hasAttribute("data-may-download")) {
        window.setTimeout(function () { release(form); }, 3000);
      }
    }, 0);
  });
  // htmx requests disable their form's buttons while they run.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest && event.target.closest("form");
    if (form) {
      form.querySelectorAll("button:not([disabled])").forEach(function (b) {
        b.disabled = true; b.dataset.busy = "1";
      });
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form");
    if (form) { release(form); }
  });
  // Back/forward cache: a page shown again must not keep its buttons disabled.
  window.addEventListener("pageshow", function () {
    release(document);
  });
  // Progress bars carry their width in data-progress (the CSP allows no inline style).
  function sizeBars(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = bar.dataset.progress + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { sizeBars(document); });
  document.addEventListener("htmx:load", function (event) { sizeBars(event.detail.elt); });
  // A header checkbox with data-check-all="name" ticks or clears every row's box of that name.
  document.addEventListener("change", function (event) {
    var all = event.target.closest && event.target.closest("[data-check-all]");
    if (!all) { return; }
    var table = all.closest("table") || document;
    table.querySelectorAll('input[type="checkbox"][name="' + all.dataset.checkAll + '"]').forEach(
      function (box) { box.checked = all.checked; }
    );
  });
  function release(root) {
    root.querySelectorAll("[data-busy]").forEach(function (b) {
      b.disabled = false; delete b.dataset.busy;
    });
  }
})();
