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
})();
