// runtall import: drag-and-drop, upload progress, then live job progress. The plain form works without this file.
(function () {
  'use strict';

  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';

  function sizeText(bytes) {
    if (bytes >= 1e6) return (bytes / 1e6).toFixed(bytes >= 1e7 ? 0 : 1) + ' MB';
    return Math.max(1, Math.round(bytes / 1e3)) + ' kB';
  }

  // --- The upload form -------------------------------------------------------------------------------------
  var form = document.getElementById('upload');
  if (form) {
    var input = document.getElementById('f-files');
    var zone = document.getElementById('dropzone');
    var chosen = document.getElementById('chosen');
    var box = document.getElementById('upload-progress');
    var bar = document.getElementById('upload-bar');
    var text = document.getElementById('upload-text');
    var error = document.getElementById('upload-error');
    var go = document.getElementById('upload-go');
    var dropped = null;

    var files = function () { return dropped || input.files; };
    var list = function () {
      chosen.textContent = '';
      var f = files();
      var total = 0;
      for (var i = 0; i < f.length; i++) total += f[i].size;
      for (var j = 0; j < Math.min(f.length, 8); j++) {
        var li = document.createElement('li');
        li.textContent = f[j].name + ' (' + sizeText(f[j].size) + ')';
        chosen.appendChild(li);
      }
      if (f.length > 8) {
        var more = document.createElement('li');
        more.textContent = '… and ' + (f.length - 8) + ' more';
        chosen.appendChild(more);
      }
      if (f.length > 0) {
        var sum = document.createElement('li');
        sum.className = 'muted';
        sum.textContent = f.length + (f.length === 1 ? ' file, ' : ' files, ') + sizeText(total) + ' in all';
        chosen.appendChild(sum);
      }
    };
    input.addEventListener('change', function () { dropped = null; list(); });

    ['dragenter', 'dragover'].forEach(function (name) {
      zone.addEventListener(name, function (ev) { ev.preventDefault(); zone.classList.add('over'); });
    });
    ['dragleave', 'drop'].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove('over'); });
    });
    zone.addEventListener('drop', function (ev) {
      ev.preventDefault();
      if (!ev.dataTransfer || !ev.dataTransfer.files.length) return;
      dropped = ev.dataTransfer.files;
      list();
    });

    var fail = function (message) {
      box.hidden = true;
      go.disabled = false;
      error.textContent = message;
      error.hidden = false;
    };

    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var f = files();
      error.hidden = true;
      if (!f || f.length === 0) { fail('Choose at least one watch file or an export zip first.'); return; }
      var data = new FormData();
      for (var i = 0; i < f.length; i++) data.append('files', f[i], f[i].name);
      var xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/import');
      xhr.setRequestHeader('X-CSRF-Token', csrf);
      xhr.responseType = 'json';
      xhr.upload.addEventListener('progress', function (e) {
        if (!e.lengthComputable) return;
        var p = Math.round(e.loaded / e.total * 100);
        bar.value = p;
        bar.textContent = p + '%';
        text.textContent = p + '% of ' + sizeText(e.total);
      });
      xhr.addEventListener('load', function () {
        var body = xhr.response || {};
        if (xhr.status === 202 && body.page) { window.location.assign(body.page); return; }
        var msg = (body.fields && body.fields.files) || body.message || ('The upload failed (' + xhr.status + ').');
        fail(msg);
      });
      xhr.addEventListener('error', function () { fail('The upload was interrupted. Check the connection and try again.'); });
      box.hidden = false;
      go.disabled = true;
      xhr.send(data);
    });
  }

  // --- A running job: poll the server-rendered status ------------------------------------------------------
  var status = document.getElementById('job-status');
  if (status && status.getAttribute('data-running') === 'true') {
    var id = status.getAttribute('data-job');
    var poll = function () {
      fetch('/import/jobs/' + id + '/status', { credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (html) {
          var holder = document.createElement('div');
          holder.innerHTML = html;
          var fresh = holder.firstElementChild;
          if (!fresh) return;
          status.replaceWith(fresh);
          status = fresh;
          if (fresh.getAttribute('data-running') === 'true') setTimeout(poll, 400);
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 300);
  }
})();
