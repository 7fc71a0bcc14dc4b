// runtall guided session player: counts down the server's timeline (breathing pacer, holds, reps, rests).
// The server decides what happens; this only times it, shows it, and reports progress: on pause, at each new
// exercise, when the page is hidden or left, and at the end. The server turns the reports into the session's
// record (one per session, keyed by when Start was pressed) and ticks the journal when every exercise is done.
(function () {
  'use strict';
  var root = document.getElementById('player');
  var dataEl = document.getElementById('timeline');
  if (!root || !dataEl) return;
  var data;
  try { data = JSON.parse(dataEl.textContent); } catch (e) { return; }
  // Each exercise's drawing and "what you should feel", by exercise id (optional).
  var info = {};
  try { info = JSON.parse((document.getElementById('exercise-info') || {}).textContent || '{}'); } catch (e) { info = {}; }
  var segs = data.segments || [];
  if (!segs.length) return;
  root.hidden = false;
  root.setAttribute('data-state', 'idle');

  var $ = function (id) { return document.getElementById(id); };
  var el = {
    stepno: $('stepno'), name: $('step-name'), dose: $('step-dose'), phase: $('phase'), count: $('count'),
    detail: $('detail'), progress: $('progress'), start: $('start'), pause: $('pause'), skip: $('skip'),
    voice: $('voice'), vibrate: $('vibrate'), next: $('next-up'), cues: $('cues'), circle: $('circle'),
    finished: $('finished'), figure: $('step-figure')
  };
  // ?speed=N runs the session N times faster (for tests and a quick preview).
  var speed = parseFloat(new URLSearchParams(location.search).get('speed'));
  if (!(speed > 0)) speed = 1;
  speed = Math.min(Math.max(speed, 0.1), 500);
  var reduced = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  var total = segs.reduce(function (a, s) { return a + s.seconds; }, 0);
  // Where each segment starts on the timeline, summed in the same order as the server does.
  var segStart = [];
  segs.reduce(function (a, s) { segStart.push(a); return a + s.seconds; }, 0);
  if (!('vibrate' in navigator)) { el.vibrate.closest('label').hidden = true; }
  if (!('speechSynthesis' in window)) { el.voice.closest('label').hidden = true; }

  var idx = -1, remaining = 0, doneBefore = 0, running = false, last = 0, timer = null, wake = null, finished = false;
  // For the session record: when Start was pressed (browser clock, the session's key), real time paused, and the
  // timeline positions where "Skip exercise" was pressed.
  var startedAt = null, startPerf = 0, pausedMs = 0, pausedAt = null, skips = [];

  var SMALL = 0.45, BIG = 1;
  function targetScale(kind) {
    if (kind === 'inhale' || kind === 'hold-in') return BIG;
    if (kind === 'exhale' || kind === 'hold-out') return SMALL;
    if (kind === 'hold' || kind === 'work') return 0.8;
    return 0.6;
  }
  function animate(kind, seconds) {
    var scale = targetScale(kind);
    if (reduced) {
      el.circle.style.transitionDuration = '0s';
    } else {
      el.circle.style.transitionDuration = Math.max(seconds / speed, 0) + 's';
    }
    el.circle.style.transform = 'scale(' + scale + ')';
  }
  function freeze() {
    var t = getComputedStyle(el.circle).transform;
    el.circle.style.transitionDuration = '0s';
    el.circle.style.transform = t === 'none' ? '' : t;
  }
  function say(text) {
    if (!el.voice.checked || !('speechSynthesis' in window)) return;
    try {
      window.speechSynthesis.cancel();
      var u = new SpeechSynthesisUtterance(text);
      u.rate = 0.95;
      window.speechSynthesis.speak(u);
    } catch (e) { /* no voice available */ }
  }
  function buzz(ms) {
    if (el.vibrate.checked && navigator.vibrate) { try { navigator.vibrate(ms); } catch (e) { /* ignore */ } }
  }
  function lockScreen() {
    if (!('wakeLock' in navigator) || wake) return;
    navigator.wakeLock.request('screen').then(function (w) {
      wake = w;
      w.addEventListener('release', function () { wake = null; });
    }).catch(function () { /* not allowed: the session still works */ });
  }
  function unlockScreen() { if (wake) { wake.release().catch(function () {}); wake = null; } }
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && running) lockScreen();
  });

  var meta = document.querySelector('meta[name="csrf-token"]');
  var progressUrl = root.getAttribute('data-progress');
  var runAttr = root.getAttribute('data-run');
  function position() {
    if (finished) return total;
    if (idx < 0) return 0;
    return segStart[idx] + segs[idx].seconds - Math.max(remaining, 0);
  }
  // "Too easy / about right / too hard" for each exercise, asked as it ends; the engine stores the marks with
  // the session and the dose progression reads them.
  var marks = {};
  var effortBox = $('effort'), effortName = $('effort-name'), asking = -1, onMarked = null;
  function askEffort(step, then) {
    if (!effortBox) { if (then) then(); return; }
    asking = step; onMarked = then || null;
    effortName.textContent = data.steps[step].name;
    effortBox.hidden = false;
  }
  if (effortBox) {
    effortBox.addEventListener('click', function (ev) {
      var b = ev.target.closest('button[data-effort]');
      if (!b || asking < 0) return;
      if (b.getAttribute('data-effort') !== 'none') marks[asking] = b.getAttribute('data-effort');
      effortBox.hidden = true; asking = -1;
      var then = onMarked; onMarked = null;
      if (then) then(); else checkpoint();
    });
  }
  function report(ended) {
    var now = performance.now();
    var paused = pausedMs + (pausedAt !== null ? now - pausedAt : 0);
    return {
      started_at: startedAt,
      ended: ended,
      position_s: position(),
      skips: skips.slice(),
      elapsed_s: Math.round((now - startPerf) / 1000),
      paused_s: Math.round(paused / 1000),
      speed: speed,
      run: runAttr ? Number(runAttr) : null,
      efforts: Object.keys(marks).map(function (k) { return { step: Number(k), effort: marks[k] }; })
    };
  }
  function post(body, keepalive) {
    return fetch(progressUrl, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: !!keepalive,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': meta ? meta.content : '' },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, body: j }; });
    });
  }
  // One report in flight at a time; a newer checkpoint replaces a waiting one, and the final report waits for
  // the one in flight so it always arrives last.
  var busy = false, wanted = null;
  function pump() {
    if (busy || !wanted) return;
    var w = wanted; wanted = null; busy = true;
    post(report(w.ended), false).then(function (res) {
      busy = false; if (w.done) w.done(res); pump();
    }, function (err) {
      busy = false; if (w.fail) w.fail(err); pump();
    });
  }
  function checkpoint() {
    if (!startedAt || finished || !progressUrl) return;
    if (!wanted) wanted = { ended: 'in-progress' };
    pump();
  }
  // The page is going away: send now (keepalive lets the request outlive the page) and do not wait.
  function farewell(ended) {
    if (!startedAt || finished || !progressUrl) return;
    try { post(report(ended), true).catch(function () {}); } catch (e) { /* nothing more can be done */ }
  }
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') farewell('in-progress');
  });
  window.addEventListener('pagehide', function () { farewell('quit'); });

  function stepOf(i) { return data.steps[segs[i].step]; }
  function nextStepIndex(i) {
    var s = segs[i].step;
    for (var j = i + 1; j < segs.length; j++) if (segs[j].step !== s) return j;
    return -1;
  }
  function showFigure(step) {
    var f = info[step.exercise] && info[step.exercise].figure;
    if (!el.figure) return;
    if (!f) { el.figure.hidden = true; return; }
    if (el.figure.getAttribute('src') !== f.src) el.figure.src = f.src;
    el.figure.alt = f.alt;
    el.figure.hidden = false;
  }
  function showCues(step) {
    el.cues.textContent = '';
    var feel = info[step.exercise] && info[step.exercise].feel;
    if (feel) { var pf = document.createElement('p'); pf.className = 'feel'; pf.textContent = feel; el.cues.appendChild(pf); }
    if (!step.cues || !step.cues.length) return;
    var h = document.createElement('h3'); h.className = 'small'; h.textContent = 'Cues';
    var ul = document.createElement('ul');
    step.cues.forEach(function (c) { var li = document.createElement('li'); li.textContent = c; ul.appendChild(li); });
    el.cues.appendChild(h); el.cues.appendChild(ul);
    if (step.stop_if && step.stop_if.length) {
      var h2 = document.createElement('h3'); h2.className = 'small'; h2.textContent = 'Stop if';
      var ul2 = document.createElement('ul'); ul2.className = 'note';
      step.stop_if.forEach(function (c) { var li = document.createElement('li'); li.textContent = c; ul2.appendChild(li); });
      el.cues.appendChild(h2); el.cues.appendChild(ul2);
    }
    if (step.cautions && step.cautions.length) {
      var h3 = document.createElement('h3'); h3.className = 'small'; h3.textContent = 'Cautions';
      var ul3 = document.createElement('ul'); ul3.className = 'note';
      step.cautions.forEach(function (c) { var li = document.createElement('li'); li.textContent = c; ul3.appendChild(li); });
      el.cues.appendChild(h3); el.cues.appendChild(ul3);
    }
  }
  function go(i) {
    if (i < 0 || i >= segs.length) { finish(); return; }
    var prevStep = idx >= 0 ? segs[idx].step : -1;
    if (idx >= 0) doneBefore += segs[idx].seconds - Math.max(remaining, 0);
    idx = i;
    var seg = segs[i], step = stepOf(i);
    remaining = seg.seconds;
    el.stepno.textContent = 'Exercise ' + (seg.step + 1) + ' of ' + data.steps.length;
    el.name.textContent = step.name;
    el.dose.textContent = step.dose;
    el.phase.textContent = seg.label;
    el.detail.textContent = seg.detail || '';
    root.setAttribute('data-kind', seg.kind);
    var n = nextStepIndex(i);
    el.next.textContent = n >= 0 ? 'Next up: ' + data.steps[segs[n].step].name : 'Last exercise';
    if (seg.step !== prevStep) {
      showCues(step); showFigure(step); say(step.name + '. ' + seg.label);
      if (prevStep >= 0) { checkpoint(); askEffort(prevStep); }
    } else { say(seg.label); }
    buzz(seg.kind === 'ready' || seg.kind === 'rest' ? [80, 60, 80] : 50);
    animate(seg.kind, seg.seconds);
    render();
  }
  function render() {
    el.count.textContent = idx >= 0 ? String(Math.max(Math.ceil(remaining - 1e-6), 0)) : '';
    var elapsed = doneBefore + (idx >= 0 ? segs[idx].seconds - Math.max(remaining, 0) : 0);
    el.progress.value = total > 0 ? Math.min(elapsed / total, 1) : 0;
  }
  function tick() {
    if (!running) return;
    var now = performance.now();
    var dt = (now - last) / 1000 * speed;
    last = now;
    remaining -= dt;
    while (running && remaining <= 0) {
      var carry = -remaining;
      if (idx + 1 >= segs.length) { remaining = 0; finish(); return; }
      go(idx + 1);
      remaining -= carry;
    }
    render();
    timer = setTimeout(tick, Math.max(16, Math.min(200, 100 / speed)));
  }
  function start() {
    if (finished) return;
    if (!startedAt) { startedAt = new Date().toISOString(); startPerf = performance.now(); }
    if (pausedAt !== null) { pausedMs += performance.now() - pausedAt; pausedAt = null; }
    if (idx < 0) go(0);
    else animate(segs[idx].kind, Math.max(remaining, 0));
    running = true;
    root.setAttribute('data-state', 'running');
    last = performance.now();
    el.start.hidden = true;
    el.pause.disabled = false; el.pause.textContent = 'Pause';
    el.skip.disabled = false;
    lockScreen();
    clearTimeout(timer);
    timer = setTimeout(tick, 50);
  }
  function pause() {
    if (!running) { start(); return; }
    running = false;
    clearTimeout(timer);
    freeze();
    root.setAttribute('data-state', 'paused');
    el.pause.textContent = 'Resume';
    el.phase.textContent = 'Paused';
    say('Paused');
    pausedAt = performance.now();
    checkpoint();
  }
  function skip() {
    if (finished || idx < 0) return;
    var n = nextStepIndex(idx);
    skips.push(position());
    if (n < 0) { finish(); return; }
    go(n);
    if (!running) { el.phase.textContent = 'Paused'; freeze(); }
  }
  function finish() {
    if (finished) return;
    finished = true;
    running = false;
    clearTimeout(timer);
    unlockScreen();
    doneBefore = total; idx = segs.length - 1; remaining = 0;
    el.progress.value = 1;
    el.count.textContent = '';
    el.phase.textContent = 'Well done';
    el.detail.textContent = '';
    el.next.textContent = '';
    el.start.hidden = true; el.pause.disabled = true; el.skip.disabled = true;
    animate('ready', 0.6);
    say('Well done. Session complete.');
    buzz([100, 80, 100, 80, 200]);
    if (pausedAt !== null) { pausedMs += performance.now() - pausedAt; pausedAt = null; }
    el.finished.hidden = false;
    el.finished.textContent = 'Well done. Recording the session…';
    root.setAttribute('data-state', 'recording');
    var failed = function () {
      el.finished.textContent = 'Done — but it could not be recorded. Use "Mark as done" below.';
      el.finished.classList.remove('ok');
      root.setAttribute('data-state', 'error');
    };
    var lastStep = segs[segs.length - 1].step;
    var send = function () {
    wanted = {
      ended: 'finished',
      done: function (res) {
        if (!res.ok) { failed(); if (res.body && res.body.message) el.finished.textContent += ' (' + res.body.message + ')'; return; }
        el.finished.textContent = res.body.message || 'Done: recorded.';
        root.setAttribute('data-state', 'done');
      },
      fail: failed
    };
    pump();
    };
    // The last exercise is asked about before the session is recorded (one final report, so the journal gets
    // one entry); no answer within 20 s records it without a mark.
    var sent = false, once = function () { if (!sent) { sent = true; if (effortBox) effortBox.hidden = true; send(); } };
    askEffort(lastStep, once);
    setTimeout(once, 20000);
  }

  el.start.addEventListener('click', start);
  el.pause.addEventListener('click', pause);
  el.skip.addEventListener('click', skip);
  document.addEventListener('keydown', function (e) {
    if (e.target && /INPUT|TEXTAREA|SELECT|BUTTON|A/.test(e.target.tagName)) return;
    if (e.key === ' ') { e.preventDefault(); if (idx < 0) start(); else pause(); }
  });
  el.name.textContent = data.name;
  el.dose.textContent = data.steps.length + ' exercises';
  el.next.textContent = 'First: ' + data.steps[0].name;
  showFigure(data.steps[0]);
  el.circle.style.transform = 'scale(' + SMALL + ')';
})();
