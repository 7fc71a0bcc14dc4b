// runtall: small progressive enhancements. Every page works without this file.
(function () {
  'use strict';

  // Focus the error summary so screen-reader and keyboard users land on what needs fixing.
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();

  // Pain intensity slider: show the number as it moves.
  var slider = document.getElementById('f-intensity');
  var out = document.getElementById('intensity-out');
  if (slider && out) {
    slider.addEventListener('input', function () { out.textContent = slider.value; });
  }

  // Body map: a tap on a region chooses it in the form instead of reloading the page.
  // Chest links are left alone: they go to the safety check.
  var map = document.querySelector('.bodymap');
  if (map) {
    var radios = document.querySelectorAll('input[name="region"]');
    var mark = function (id) {
      map.querySelectorAll('.region').forEach(function (r) {
        r.classList.toggle('selected', r.getAttribute('data-region') === id);
        if (r.getAttribute('data-region') !== 'chest') {
          r.setAttribute('aria-pressed', r.getAttribute('data-region') === id ? 'true' : 'false');
        }
      });
    };
    map.querySelectorAll('.region').forEach(function (r) {
      var id = r.getAttribute('data-region');
      if (id === 'chest') return;
      r.setAttribute('role', 'button');
      r.addEventListener('click', function (ev) {
        ev.preventDefault();
        radios.forEach(function (x) { x.checked = x.value === id; });
        mark(id);
      });
    });
    radios.forEach(function (x) {
      x.addEventListener('change', function () { if (x.checked) mark(x.value); });
    });
    var chosen = document.querySelector('input[name="region"]:checked');
    mark(chosen ? chosen.value : '');
  }

  // The installable app: a service worker keeps the player, run mode, breathing and the logs working offline and
  // sends logs saved offline when the server is back (see /sw.js).
  if ('serviceWorker' in navigator && window.isSecureContext) {
    var sw = navigator.serviceWorker;
    var purge = document.querySelector('meta[name="runtall-offline"][content="purge"]');
    sw.register('/sw.js').then(function () { return sw.ready; }).then(function (reg) {
      var worker = reg.active;
      if (!worker) return;
      if (purge) { worker.postMessage({ type: 'purge' }); return; }
      worker.postMessage({ type: 'flush' });
      // Keep a fresh copy of the pages used offline, at most once an hour.
      var last = 0;
      try { last = Number(localStorage.getItem('runtall.warmed') || 0); } catch (e) { last = 0; }
      if (Date.now() - last > 3600 * 1000) {
        worker.postMessage({ type: 'warm', urls: ['/today', '/breathe', '/run-mode', '/pain', '/day'] });
        try { localStorage.setItem('runtall.warmed', String(Date.now())); } catch (e) { /* private mode */ }
      }
    }).catch(function () { /* no offline mode: the app still works online */ });
    window.addEventListener('online', function () {
      if (sw.controller) sw.controller.postMessage({ type: 'flush' });
    });
    sw.addEventListener('message', function (ev) {
      var d = ev.data || {};
      if (d.type !== 'runtall-flushed' || !d.sent) return;
      var note = document.createElement('div');
      note.className = 'notice ok toast';
      note.setAttribute('role', 'status');
      note.textContent = d.sent + (d.sent === 1 ? ' entry' : ' entries') + ' saved offline sent to runtall.' +
        (d.refused && d.refused.length ? ' Not accepted: ' + d.refused.join(', ') + '.' : '');
      var main = document.getElementById('main');
      if (main) main.insertBefore(note, main.firstChild);
    });
  }
})();
