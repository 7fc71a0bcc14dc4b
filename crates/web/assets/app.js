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

  // Breathing course progress, kept in this browser.
  var KEY = 'runtall.lessons.read';
  var read = [];
  try { read = JSON.parse(localStorage.getItem(KEY) || '[]'); } catch (e) { read = []; }
  var save = function () { try { localStorage.setItem(KEY, JSON.stringify(read)); } catch (e) { /* private mode */ } };
  var markBtn = document.getElementById('mark-read');
  if (markBtn) {
    var id = markBtn.getAttribute('data-lesson');
    var show = function () { markBtn.textContent = read.indexOf(id) >= 0 ? 'Read ✓ (mark as unread)' : 'Mark as read'; };
    markBtn.addEventListener('click', function () {
      var i = read.indexOf(id);
      if (i >= 0) read.splice(i, 1); else read.push(id);
      save(); show();
    });
    show();
  }
  var lessons = document.querySelector('.lessons');
  var progress = document.getElementById('course-progress');
  if (lessons && progress) {
    var total = Number(lessons.getAttribute('data-total')) || 0;
    var done = 0;
    lessons.querySelectorAll('li[data-lesson]').forEach(function (li) {
      var isRead = read.indexOf(li.getAttribute('data-lesson')) >= 0;
      if (isRead) done += 1;
      var m = li.querySelector('.done-mark');
      if (m) m.hidden = !isRead;
    });
    progress.textContent = done + ' of ' + total + ' lessons read';
  }
})();
