// runtall break page: counts down to the next sitting break, asks the server every 30 s (and when the countdown
// ends) where things stand, and when a break comes due shows it: the page reloads with the prompt, the tab title
// says so, and a notification appears where the runner allowed them. The answers are plain forms.
(function () {
  'use strict';
  var root = document.getElementById('breaks');
  var stateEl = document.getElementById('break-state');
  var state = {};
  try { state = JSON.parse(stateEl ? stateEl.textContent : '{}'); } catch (e) { state = {}; }
  var baseTitle = document.title;
  var countdown = document.getElementById('countdown');
  var shownPrompt = root ? root.getAttribute('data-prompt') : null;
  var nextIn = root && root.hasAttribute('data-next-in') ? Number(root.getAttribute('data-next-in')) : null;
  var loadedAt = Date.now();

  function clock(s) { s = Math.max(0, Math.round(s)); return Math.floor(s / 60) + ':' + ('0' + (s % 60)).slice(-2); }
  function pending(st) { return st && st.status && st.status.pending ? st.status.pending : null; }

  // Notifications: offered only where the browser has them; asked for only on a click.
  var canNotify = 'Notification' in window;
  var row = document.getElementById('notify-row'), btn = document.getElementById('notify'), note = document.getElementById('notify-state');
  function showNotifyState() {
    if (!canNotify || !row) return;
    row.hidden = false;
    var p = Notification.permission;
    btn.hidden = p !== 'default';
    note.textContent = p === 'granted' ? 'Notifications are on for this page.' : p === 'denied' ? 'Notifications are blocked in this browser.' : '';
  }
  if (btn) btn.addEventListener('click', function () {
    Notification.requestPermission().then(showNotifyState, showNotifyState);
  });
  showNotifyState();

  function notify(p) {
    if (!canNotify || Notification.permission !== 'granted') return;
    var body = p.body || '';
    var opts = { body: body, tag: 'runtall-break', icon: '/assets/icon-192.png', data: { url: '/breaks' } };
    // A service worker can show notifications on phones, where `new Notification` is not allowed.
    if (navigator.serviceWorker && navigator.serviceWorker.getRegistration) {
      navigator.serviceWorker.getRegistration().then(function (reg) {
        if (reg && reg.showNotification) reg.showNotification(p.title, opts);
        else new Notification(p.title, opts);
      }).catch(function () { try { new Notification(p.title, opts); } catch (e) { /* not allowed */ } });
    } else {
      try { new Notification(p.title, opts); } catch (e) { /* not allowed */ }
    }
  }

  var p0 = pending(state);
  if (p0) document.title = '● ' + p0.title + ' · runtall';

  function check() {
    fetch('/api/breaks', { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (st) {
        if (!st) return;
        var p = pending(st);
        var id = p ? String(p.id) : null;
        if (id !== shownPrompt) {
          if (p) notify(p);
          location.reload();
          return;
        }
        if (st.next_in_s !== undefined && st.next_in_s !== null) { nextIn = st.next_in_s; loadedAt = Date.now(); }
      })
      .catch(function () { /* offline: keep counting */ });
  }

  function tick() {
    if (countdown && nextIn !== null) {
      var left = nextIn - (Date.now() - loadedAt) / 1000;
      countdown.textContent = clock(left);
      document.title = (left > 0 ? clock(left) + ' to a break · ' : '') + baseTitle;
      if (left <= 0 && !tick.due) { tick.due = true; setTimeout(check, 1500); }
    }
  }
  if (state.state === 'on') {
    setInterval(tick, 1000);
    setInterval(check, 30000);
    tick();
  }
})();
