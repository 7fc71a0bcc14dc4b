// runtall breathing pacer: plays the session the server built (getting ready, then whole breaths), with optional
// voice, vibration and a soft sound at each phase, keeps the screen awake, and reports how far it got: on pause,
// when the page is hidden or left, on Stop and at the end. The server replays the report into the session record.
(function () {
  'use strict';
  var root = document.getElementById('breathe');
  var dataEl = document.getElementById('breath-timeline');
  if (!root || !dataEl) return;
  var data;
  try { data = JSON.parse(dataEl.textContent); } catch (e) { return; }
  var segs = data.segments || [];
  if (!segs.length) return;

  var $ = function (id) { return document.getElementById(id); };
  var el = {
    phase: $('phase'), count: $('count'), left: $('left'), circle: $('circle'), start: $('start'), pause: $('pause'),
    stop: $('stop'), voice: $('voice'), vibrate: $('vibrate'), sound: $('sound'), finished: $('finished')
  };
  var speed = parseFloat(new URLSearchParams(location.search).get('speed'));
  if (!(speed > 0)) speed = 1;
  speed = Math.min(Math.max(speed, 0.1), 500);
  var reduced = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  var last = segs[segs.length - 1];
  var totalMs = last.start_ms + last.duration_ms;

  // Options are remembered on this device.
  ['voice', 'vibrate', 'sound'].forEach(function (k) {
    try { el[k].checked = localStorage.getItem('runtall.breathe.' + k) === '1'; } catch (e) { /* private mode */ }
    el[k].addEventListener('change', function () {
      try { localStorage.setItem('runtall.breathe.' + k, el[k].checked ? '1' : '0'); } catch (e) { /* ignore */ }
    });
  });
  if (!('vibrate' in navigator)) el.vibrate.closest('label').hidden = true;
  if (!('speechSynthesis' in window)) el.voice.closest('label').hidden = true;
  var AudioCtx = window.AudioContext || window.webkitAudioContext;
  if (!AudioCtx) el.sound.closest('label').hidden = true;

  function label(seg) {
    var k = seg.kind || {};
    if (k.type === 'prepare') return 'Get ready';
    switch (k.phase) {
      case 'inhale': return 'Breathe in';
      case 'hold-in': return 'Hold';
      case 'exhale': return 'Breathe out';
      case 'hold-out': return 'Pause';
      default: return '';
    }
  }
  function scale(seg) {
    var p = (seg.kind || {}).phase;
    if (p === 'inhale' || p === 'hold-in') return 1;
    if (p === 'exhale' || p === 'hold-out') return 0.45;
    return 0.6;
  }

  var audio = null;
  function tone(phase) {
    if (!el.sound.checked || !AudioCtx) return;
    try {
      if (!audio) audio = new AudioCtx();
      var now = audio.currentTime;
      var osc = audio.createOscillator(), gain = audio.createGain();
      var from = 440, to = 440;
      if (phase === 'inhale') { from = 392; to = 523; } else if (phase === 'exhale') { from = 523; to = 392; }
      osc.type = 'sine';
      osc.frequency.setValueAtTime(from, now);
      osc.frequency.linearRampToValueAtTime(to, now + 0.5);
      gain.gain.setValueAtTime(0, now);
      gain.gain.linearRampToValueAtTime(0.08, now + 0.05);
      gain.gain.linearRampToValueAtTime(0, now + 0.6);
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(now); osc.stop(now + 0.65);
    } catch (e) { /* no sound available */ }
  }
  function say(text) {
    if (!el.voice.checked || !('speechSynthesis' in window)) return;
    try { window.speechSynthesis.cancel(); var u = new SpeechSynthesisUtterance(text); u.rate = 0.9; window.speechSynthesis.speak(u); } catch (e) { /* no voice */ }
  }
  function buzz(ms) { if (el.vibrate.checked && navigator.vibrate) { try { navigator.vibrate(ms); } catch (e) { /* ignore */ } } }
  var wake = null;
  function lockScreen() {
    if (!('wakeLock' in navigator) || wake) return;
    navigator.wakeLock.request('screen').then(function (w) { wake = w; w.addEventListener('release', function () { wake = null; }); }).catch(function () {});
  }
  function unlockScreen() { if (wake) { wake.release().catch(function () {}); wake = null; } }

  // Position on the timeline, in milliseconds of session time.
  var pos = 0, running = false, lastTick = 0, timer = null, idx = -1, finished = false, startedAt = null;
  function segAt(ms) {
    for (var i = segs.length - 1; i >= 0; i--) if (segs[i].start_ms <= ms + 1e-6) return i;
    return 0;
  }
  function clock(s) { s = Math.max(0, Math.ceil(s)); return Math.floor(s / 60) + ':' + ('0' + (s % 60)).slice(-2); }
  function show() {
    var i = segAt(pos), seg = segs[i];
    if (i !== idx) {
      idx = i;
      el.phase.textContent = label(seg);
      root.setAttribute('data-phase', (seg.kind && (seg.kind.phase || seg.kind.type)) || '');
      el.circle.style.transitionDuration = reduced ? '0s' : Math.max((seg.start_ms + seg.duration_ms - pos) / 1000 / speed, 0) + 's';
      el.circle.style.transform = 'scale(' + scale(seg) + ')';
      if (running) {
        say(label(seg));
        buzz(seg.kind && seg.kind.phase === 'exhale' ? [60, 60, 60] : 60);
        tone(seg.kind && seg.kind.phase);
      }
    }
    el.count.textContent = String(Math.max(Math.ceil((seg.start_ms + seg.duration_ms - pos) / 1000 - 1e-6), 0));
    el.left.textContent = clock((totalMs - pos) / 1000) + ' to go';
  }

  var meta = document.querySelector('meta[name="csrf-token"]');
  var url = root.getAttribute('data-record');
  function report(ended) {
    return {
      pattern: root.getAttribute('data-pattern'), minutes: Number(root.getAttribute('data-minutes')),
      started_at: startedAt, position_s: Math.min(pos, totalMs) / 1000, ended: ended
    };
  }
  function send(ended, keepalive) {
    if (!startedAt || !url) return Promise.resolve(null);
    return fetch(url, {
      method: 'POST', credentials: 'same-origin', keepalive: !!keepalive,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': meta ? meta.content : '' },
      body: JSON.stringify(report(ended))
    }).then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); });
  }

  function tick() {
    if (!running) return;
    var now = performance.now();
    pos += (now - lastTick) * speed;
    lastTick = now;
    if (pos >= totalMs) { pos = totalMs; finish('finished'); return; }
    show();
    timer = setTimeout(tick, Math.max(16, Math.min(200, 100 / speed)));
  }
  function start() {
    if (finished) return;
    if (!startedAt) startedAt = new Date().toISOString();
    running = true;
    idx = -1;
    lastTick = performance.now();
    root.setAttribute('data-state', 'running');
    el.start.hidden = true;
    el.pause.disabled = false; el.pause.textContent = 'Pause';
    el.stop.disabled = false;
    lockScreen();
    // The pacer fills the screen on a phone: the controls stay in view.
    if (root.scrollIntoView) root.scrollIntoView({ block: 'start', behavior: reduced ? 'auto' : 'smooth' });
    show();
    clearTimeout(timer);
    timer = setTimeout(tick, 50);
  }
  function pause() {
    if (!running) { start(); return; }
    running = false;
    clearTimeout(timer);
    var t = getComputedStyle(el.circle).transform;
    el.circle.style.transitionDuration = '0s';
    el.circle.style.transform = t === 'none' ? '' : t;
    root.setAttribute('data-state', 'paused');
    el.pause.textContent = 'Resume';
    el.phase.textContent = 'Paused';
    send('in-progress').catch(function () {});
  }
  function finish(ended) {
    if (finished) return;
    finished = true; running = false;
    clearTimeout(timer);
    unlockScreen();
    el.start.hidden = true; el.pause.disabled = true; el.stop.disabled = true;
    el.phase.textContent = ended === 'finished' ? 'Well done' : 'Stopped';
    el.count.textContent = '';
    el.circle.style.transform = 'scale(0.6)';
    if (ended === 'finished') { say('Well done.'); buzz([100, 80, 200]); }
    el.finished.hidden = false;
    el.finished.textContent = 'Recording the session…';
    root.setAttribute('data-state', 'recording');
    send(ended).then(function (res) {
      if (res && res.ok) {
        el.finished.textContent = res.body.message;
        root.setAttribute('data-state', 'done');
      } else {
        el.finished.textContent = 'Done, but it could not be recorded' + (res && res.body && res.body.message ? ': ' + res.body.message : '.');
        root.setAttribute('data-state', 'error');
      }
    }, function () {
      el.finished.textContent = 'Done. You are offline: the session will be recorded when the server is back.';
      root.setAttribute('data-state', 'queued');
    });
  }

  el.start.addEventListener('click', start);
  el.pause.addEventListener('click', pause);
  el.stop.addEventListener('click', function () { finish('quit'); });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden' && startedAt && !finished) send('in-progress', true).catch(function () {});
    if (document.visibilityState === 'visible' && running) lockScreen();
  });
  window.addEventListener('pagehide', function () { if (startedAt && !finished) { try { send('quit', true).catch(function () {}); } catch (e) { /* gone */ } } });
  root.setAttribute('data-state', 'idle');
  el.circle.style.transform = 'scale(0.45)';
})();
