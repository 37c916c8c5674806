// The pack station: a keyboard-wedge scanner types the code and presses Enter. The cursor is
// always in the scan field, each answer sounds (an error loud and low), Escape clears the
// field and, on an empty one, goes back to scan another shipment. No mouse needed.
(function () {
  "use strict";
  var sounds = {};
  function station() { return document.querySelector(".oms-pack-station"); }
  function play(kind) {
    var root = station();
    var url = root && root.dataset[kind + "Sound"];
    if (!url) { return; }
    var audio = sounds[kind] || (sounds[kind] = new Audio(url));
    audio.currentTime = 0;
    var played = audio.play();
    if (played && played.catch) { played.catch(function () {}); }  // no sound before a key press
  }
  function focusScan() {
    var field = document.getElementById("scan-code") || document.getElementById("station-code");
    if (field) { field.focus(); field.select(); }
  }
  function announce() {
    var card = document.getElementById("pack-card");
    var result = card ? card.dataset.scanResult : (document.querySelector("[data-scan-result=error]") ? "error" : "");
    if (result === "error") { play("error"); }
    else if (result === "packed") { play("packed"); }
    else if (result === "ok") { play("ok"); }
    if (result === "packed") {
      var next = document.querySelector("[data-next-shipment]");
      if (next) { next.focus(); }
      return;
    }
    focusScan();
  }
  document.addEventListener("DOMContentLoaded", announce);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "pack-card") { announce(); }
  });
  // A scan that failed on the way (the server did not answer) is an error too.
  document.addEventListener("htmx:sendError", function () { play("error"); });
  document.addEventListener("htmx:responseError", function () { play("error"); });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !station()) { return; }
    var field = event.target.closest && event.target.closest("input");
    if (field && field.value) { field.value = ""; event.preventDefault(); return; }
    var back = station().dataset.stationUrl;
    if (back) { window.location.assign(back); }
  });
  // The scanner's Enter in the lot field sends the scan too; keep the cursor in the scan field
  // if a click went elsewhere.
  document.addEventListener("click", function (event) {
    if (!station() || event.target.closest("a, button, input, select, textarea, label")) { return; }
    focusScan();
  });
})();
