// Run mode: speaks each cue when its time comes, keeps the screen awake, and shows the next cue.
// The schedule is computed on the server (the same planner as `runtall cues`) and embedded as JSON.
(function () {
  "use strict";
  var data = document.getElementById("run-cues");
  var start = document.getElementById("rm-start");
  if (!data || !start) return;
  var cues = JSON.parse(data.textContent || "[]");
  var stop = document.getElementById("rm-stop");
  var status = document.getElementById("rm-status");
  var clock = document.getElementById("rm-clock");
  var next = document.getElementById("rm-next");
  var where = document.getElementById("rm-block");
  var blocksData = document.getElementById("run-blocks");
  var blocks = blocksData ? JSON.parse(blocksData.textContent || "[]") : [];
  var speed = Number(new URLSearchParams(location.search).get("speed")) || 1;
  var t0 = 0, timer = null, index = 0, lock = null;

  function fmt(s) { s = Math.max(0, Math.floor(s)); return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"); }
  function say(text) {
    if ("speechSynthesis" in window) { window.speechSynthesis.cancel(); window.speechSynthesis.speak(new SpeechSynthesisUtterance(text)); }
    if (navigator.vibrate) navigator.vibrate(200);
  }
  function wake() {
    if ("wakeLock" in navigator) navigator.wakeLock.request("screen").then(function (l) { lock = l; }).catch(function () {});
  }
  // Which part of a rep session the clock is in ("Rep 3 of 6", "Recovery"), from the planner's blocks.
  function part(elapsed) {
    for (var i = 0; i < blocks.length; i++) {
      var b = blocks[i];
      if (b.kind === "after" || elapsed < b.start_s || elapsed >= b.start_s + b.duration_s) continue;
      if (b.kind === "rep") return "Rep " + b.rep + " of " + b.reps + (b.distance_m ? " (" + b.distance_m + " m)" : "");
      if (b.kind === "recovery") return "Recovery, " + fmt(b.start_s + b.duration_s - elapsed) + " to the next rep";
      if (b.kind === "warm-up") return "Warm-up";
      if (b.kind === "cool-down") return "Cool-down";
      return "";
    }
    return "";
  }
  function tick() {
    var elapsed = (Date.now() - t0) / 1000 * speed;
    clock.textContent = fmt(elapsed);
    if (where) where.textContent = part(elapsed);
    while (index < cues.length && cues[index].at_s <= elapsed) {
      status.textContent = cues[index].text;
      say(cues[index].spoken);
      index += 1;
    }
    next.textContent = index < cues.length ? "Next at " + fmt(cues[index].at_s) + ": " + cues[index].text : "All cues done.";
    if (index >= cues.length) finish();
  }
  function finish() {
    clearInterval(timer); timer = null; start.disabled = false; stop.disabled = true;
    if (lock) { lock.release().catch(function () {}); lock = null; }
  }
  start.addEventListener("click", function () {
    t0 = Date.now(); index = 0; start.disabled = true; stop.disabled = false; wake();
    status.textContent = "Running";
    timer = setInterval(tick, 250); tick();
  });
  stop.addEventListener("click", function () { status.textContent = "Stopped"; finish(); });
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible" && timer) wake(); });
})();
