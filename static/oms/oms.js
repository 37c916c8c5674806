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
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
