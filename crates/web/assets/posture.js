// runtall posture: side photos and run videos measured in this browser. MediaPipe Pose (vendored, served from
// /assets/pose/) finds the landmarks; the runner drags the markers; every number comes from the server
// (/api/posture/measure), so the page, the CLI and the stored checks agree. The photo and the video never leave the
// browser unless "keep the photo" is ticked.
//
// Why the model runs on the page and not in a worker: @mediapipe/pose 0.5.1675469404 cannot run in a worker as
// shipped (it passes its model files to importScripts, and never sets the WebGL context its frame upload uses, so
// landmarks come back outside the picture). On the page it works; video frames are processed one at a time with
// the page redrawn between them, and Cancel stops at the next frame.
(function () {
  'use strict';

  var $ = function (id) { return document.getElementById(id); };
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  var SVGNS = 'http://www.w3.org/2000/svg';
  // MediaPipe Pose landmark indices.
  var NOSE = 0;
  var SIDE = {
    left: { ear: 7, shoulder: 11, hip: 23, knee: 25, ankle: 27 },
    right: { ear: 8, shoulder: 12, hip: 24, knee: 26, ankle: 28 }
  };
  var MARKERS = [
    ['tragus', 'Tragus'], ['c7', 'C7'], ['shoulder', 'Shoulder (acromion)'], ['hip', 'Hip (greater trochanter)'],
    ['knee', 'Knee'], ['ankle', 'Ankle']
  ];

  function post(url, body, type) {
    return fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': type || 'application/json', 'X-CSRF-Token': csrf },
      body: type ? body : JSON.stringify(body)
    });
  }

  async function errorText(r) {
    try {
      var j = await r.json();
      var fields = j.fields ? Object.keys(j.fields).map(function (k) { return k + ': ' + j.fields[k]; }) : [];
      return fields.length ? fields.join('; ') : (j.message || ('error ' + r.status));
    } catch (e) { return 'error ' + r.status; }
  }

  // --- The pose model, loaded on first use ----------------------------------------------------------------------
  var pose = null, poseModel = null, pending = null, clock = 0;

  function simdSupported() {
    // A minimal module using a v128 instruction: validates only where WebAssembly SIMD is available.
    return typeof WebAssembly === 'object' && WebAssembly.validate(new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]));
  }

  function loadScript(src) {
    return new Promise(function (res, rej) {
      var s = document.createElement('script');
      s.src = src;
      s.onload = res;
      s.onerror = function () { rej(new Error('cannot load ' + src)); };
      document.head.appendChild(s);
    });
  }

  async function getPose(model) {
    if (pose && poseModel === model) return pose;
    if (!simdSupported()) throw new Error('this browser has no WebAssembly SIMD, which the pose model needs');
    if (pose) { await pose.close(); pose = null; }
    if (typeof window.Pose === 'undefined') await loadScript('/assets/pose/pose.js');
    var p = new window.Pose({ locateFile: function (f) { return '/assets/pose/' + f; } });
    p.setOptions({
      modelComplexity: model === 'full' ? 1 : 0, smoothLandmarks: false, enableSegmentation: false,
      minDetectionConfidence: 0.5, minTrackingConfidence: 0.5
    });
    p.onResults(function (r) { var f = pending; pending = null; if (f) f(r); });
    await p.initialize();
    pose = p;
    poseModel = model;
    return p;
  }

  // Landmarks of one image (canvas or video frame); null when no person was found.
  async function detect(image, at) {
    clock = Math.max(clock + 1, at || 0);
    var got = new Promise(function (res) { pending = res; });
    await pose.send({ image: image }, clock);
    var r = await got;
    return r.poseLandmarks && r.poseLandmarks.length === 33 ? r.poseLandmarks : null;
  }

  function vis(l) { return l && typeof l.visibility === 'number' ? l.visibility : 0; }

  // The side nearer the camera: its ear, shoulder and hip are the more visible ones.
  function nearSide(lms) {
    var score = function (s) { return vis(lms[s.ear]) + vis(lms[s.shoulder]) + vis(lms[s.hip]); };
    return score(SIDE.left) >= score(SIDE.right) ? 'left' : 'right';
  }

  // --- Side photo -------------------------------------------------------------------------------------------------
  var photo = {
    canvas: $('photo-canvas'), svg: $('photo-markers'), points: {}, width: 0, height: 0, c7Moved: false,
    hints: null, nose: null, timer: null, seq: 0, href: null, zoom: null
  };

  function status(id, text) { var el = $(id); if (el) el.textContent = text; }

  function landmarksFile() {
    var pts = {};
    Object.keys(photo.points).forEach(function (k) { pts[k] = { x: photo.points[k].x, y: photo.points[k].y }; });
    if (photo.nose) pts.nose = photo.nose;
    var f = { image: { width: photo.width, height: photo.height }, points: pts, c7_estimated: !photo.c7Moved };
    if (photo.hints) f.model = photo.hints;
    return f;
  }

  // The part of the photo on show: all of it, or the head and shoulders when zoomed (for fine placement on a phone).
  function view() { return photo.zoom || [0, 0, photo.width, photo.height]; }

  // Image pixels per screen pixel, so markers keep a finger-sized grip whatever the photo's size and the zoom.
  function unitsPerPixel() {
    var rect = photo.svg.getBoundingClientRect();
    return rect.width > 0 ? view()[2] / rect.width : 1;
  }

  function el(name, attrs) {
    var e = document.createElementNS(SVGNS, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  function drawMarkers() {
    var svg = photo.svg;
    svg.textContent = '';
    svg.setAttribute('viewBox', view().join(' '));
    svg.setAttribute('data-width', photo.width);
    svg.setAttribute('data-height', photo.height);
    if (photo.href) svg.appendChild(el('image', { href: photo.href, x: 0, y: 0, width: photo.width, height: photo.height }));
    var u = unitsPerPixel(), p = photo.points, r = 8 * u;
    if (p.tragus && p.c7) {
      svg.appendChild(el('line', { class: 'guide', x1: p.c7.x - 6 * r, y1: p.c7.y, x2: p.c7.x + 6 * r, y2: p.c7.y }));
      svg.appendChild(el('line', { class: 'guide neck', x1: p.c7.x, y1: p.c7.y, x2: p.tragus.x, y2: p.tragus.y }));
    }
    if (p.shoulder && p.hip) {
      svg.appendChild(el('line', { class: 'guide', x1: p.shoulder.x, y1: p.shoulder.y, x2: p.hip.x, y2: p.hip.y }));
    }
    MARKERS.forEach(function (m) {
      var pt = p[m[0]];
      if (!pt) return;
      var g = el('g', {
        class: 'marker m-' + m[0], tabindex: '0', role: 'button', 'data-name': m[0],
        'aria-label': m[1] + ' marker at ' + Math.round(pt.x) + ', ' + Math.round(pt.y) + '; drag it, or use the arrow keys'
      });
      g.appendChild(el('circle', { class: 'grip', cx: pt.x, cy: pt.y, r: 22 * u }));
      g.appendChild(el('circle', { class: 'dot', cx: pt.x, cy: pt.y, r: r }));
      var t = el('text', { x: pt.x + r * 1.4, y: pt.y - r * 0.7, 'font-size': 13 * u });
      t.textContent = m[0] === 'c7' ? 'C7' : m[1].split(' ')[0];
      g.appendChild(t);
      svg.appendChild(g);
    });
  }

  function moveMarker(name, x, y) {
    x = Math.max(0, Math.min(photo.width, x));
    y = Math.max(0, Math.min(photo.height, y));
    photo.points[name] = { x: x, y: y };
    if (name === 'c7') photo.c7Moved = true;
    drawMarkers();
    scheduleMeasure();
  }

  function svgPoint(ev) {
    var pt = photo.svg.createSVGPoint();
    pt.x = ev.clientX;
    pt.y = ev.clientY;
    return pt.matrixTransform(photo.svg.getScreenCTM().inverse());
  }

  var dragging = null;
  // The marker nearest the finger within its grip, not the topmost element: tragus, C7 and shoulder sit close
  // together and their grips overlap.
  photo.svg.addEventListener('pointerdown', function (ev) {
    var q = svgPoint(ev), best = null, bestD = 22 * unitsPerPixel();
    Object.keys(photo.points).forEach(function (name) {
      var pt = photo.points[name], d = Math.hypot(pt.x - q.x, pt.y - q.y);
      if (d <= bestD) { best = name; bestD = d; }
    });
    if (!best) return;
    ev.preventDefault();
    dragging = best;
    photo.svg.setPointerCapture(ev.pointerId);
  });
  photo.svg.addEventListener('pointermove', function (ev) {
    if (!dragging) return;
    var q = svgPoint(ev);
    moveMarker(dragging, q.x, q.y);
    var g = photo.svg.querySelector('.m-' + dragging);
    if (g) g.classList.add('dragging');
  });
  var endDrag = function (ev) {
    if (!dragging) return;
    var name = dragging;
    dragging = null;
    if (photo.svg.hasPointerCapture(ev.pointerId)) photo.svg.releasePointerCapture(ev.pointerId);
    drawMarkers();
    var g = photo.svg.querySelector('.m-' + name);
    if (g) g.focus();
  };
  photo.svg.addEventListener('pointerup', endDrag);
  photo.svg.addEventListener('pointercancel', endDrag);
  photo.svg.addEventListener('keydown', function (ev) {
    var g = ev.target.closest && ev.target.closest('.marker');
    if (!g) return;
    var step = ev.shiftKey ? 10 : 1;
    var d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[ev.key];
    if (!d) return;
    ev.preventDefault();
    var name = g.getAttribute('data-name');
    var pt = photo.points[name];
    moveMarker(name, pt.x + d[0], pt.y + d[1]);
    var again = photo.svg.querySelector('.m-' + name);
    if (again) again.focus();
  });

  function scheduleMeasure() {
    clearTimeout(photo.timer);
    photo.timer = setTimeout(measure, 120);
  }

  function row(dl, term, value) {
    var dt = document.createElement('dt');
    dt.textContent = term;
    var dd = document.createElement('dd');
    dd.textContent = value;
    dl.appendChild(dt);
    dl.appendChild(dd);
  }

  async function measure() {
    var seq = ++photo.seq;
    var r = await post('/api/posture/measure', landmarksFile());
    if (seq !== photo.seq) return null;
    var dl = $('photo-measures'), q = $('photo-quality');
    dl.textContent = '';
    q.textContent = '';
    if (!r.ok) {
      $('photo-save').disabled = true;
      row(dl, 'Check the markers', await errorText(r));
      return null;
    }
    var j = await r.json();
    var m = j.measures;
    $('photo-save').disabled = false;
    row(dl, 'CVA', m.cva_deg.toFixed(1) + '° (± ' + j.cva_mdc_deg + '° measurement error)');
    row(dl, 'Head forward', m.head_forward.toFixed(2) + ' trunk lengths of the tragus ahead of the shoulder');
    row(dl, 'Trunk lean', m.trunk_lean_deg.toFixed(1) + '° ' + (m.trunk_lean_deg >= 0 ? 'forward' : 'backward'));
    row(dl, 'Stack', 'within ' + m.stack.spread.toFixed(2) + ' trunk lengths of one vertical line');
    row(dl, 'Facing', m.facing + ' (' + m.facing + ' side to the camera)');
    dl.setAttribute('data-cva', m.cva_deg.toFixed(4));
    (j.quality_text || []).forEach(function (t) {
      var li = document.createElement('li');
      li.textContent = t;
      q.appendChild(li);
    });
    return j;
  }

  function pointFrom(l) { return { x: l.x * photo.width, y: l.y * photo.height }; }

  async function onPhoto(file) {
    $('photo-result').hidden = true;
    status('photo-status', 'Reading the photo…');
    var bmp;
    try {
      bmp = await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch (e) {
      status('photo-status', 'That file could not be read as a picture (' + (file.type || 'unknown type') + ').');
      return;
    }
    var scale = Math.min(1, 1600 / Math.max(bmp.width, bmp.height));
    photo.width = Math.round(bmp.width * scale);
    photo.height = Math.round(bmp.height * scale);
    photo.canvas.width = photo.width;
    photo.canvas.height = photo.height;
    photo.canvas.getContext('2d').drawImage(bmp, 0, 0, photo.width, photo.height);
    bmp.close();
    // Shown inside the marker layer, so zooming moves photo and markers together (a data: URL: nothing leaves).
    photo.href = photo.canvas.toDataURL('image/jpeg', 0.85);
    photo.zoom = null;
    $('photo-zoom').textContent = 'Zoom to head and shoulders';
    $('photo-stage').hidden = false;
    drawMarkers();
    photo.points = {};
    photo.nose = null;
    photo.hints = null;
    photo.c7Moved = false;
    status('photo-status', 'Finding landmarks in this browser (the first photo loads the model: a few seconds)…');
    var lms = null, model = $('pose-model').value, problem = null;
    try {
      await getPose(model);
      clock += 1000;
      lms = await detect(photo.canvas);
    } catch (e) {
      problem = String(e && e.message || e);
    }
    if (lms) {
      var side = SIDE[nearSide(lms)];
      ['ear', 'shoulder', 'hip', 'knee', 'ankle'].forEach(function (k) {
        var l = lms[side[k]];
        if (k === 'ear' || k === 'shoulder' || k === 'hip' || vis(l) >= 0.5) photo.points[k === 'ear' ? 'tragus' : k] = pointFrom(l);
      });
      if (vis(lms[NOSE]) >= 0.5) photo.nose = pointFrom(lms[NOSE]);
      photo.hints = {
        left_shoulder: pointFrom(lms[11]), right_shoulder: pointFrom(lms[12]),
        ear_visibility: vis(lms[side.ear]), shoulder_visibility: vis(lms[side.shoulder]), model: model
      };
      status('photo-status', 'Found one person; markers placed by the model (' + model + '). Check each one, C7 above all.');
    } else {
      var w = photo.width, h = photo.height;
      photo.points = {
        tragus: { x: w * 0.52, y: h * 0.18 }, shoulder: { x: w * 0.5, y: h * 0.3 }, hip: { x: w * 0.5, y: h * 0.58 },
        knee: { x: w * 0.5, y: h * 0.76 }, ankle: { x: w * 0.5, y: h * 0.94 }
      };
      status('photo-status', (problem ? 'The pose model could not run here (' + problem + ')' : 'No person found in this photo') +
        ': place the markers by hand on the tragus, C7, shoulder, hip, knee and ankle.');
    }
    // C7: the server's estimate from the shoulder and ear (one rule, in Rust).
    var est = await measure();
    photo.points.c7 = est ? est.measures.c7 : { x: photo.points.shoulder.x, y: photo.points.shoulder.y * 0.95 };
    drawMarkers();
    $('photo-result').hidden = false;
    await measure();
  }

  if (photo.canvas) {
    $('photo-zoom').addEventListener('click', function () {
      var p = photo.points;
      if (photo.zoom || !p.tragus || !p.shoulder) {
        photo.zoom = null;
        this.textContent = 'Zoom to head and shoulders';
      } else {
        // A square around ear, C7 and shoulder, three times their spread.
        var xs = [p.tragus.x, p.shoulder.x, (p.c7 || p.shoulder).x], ys = [p.tragus.y, p.shoulder.y, (p.c7 || p.shoulder).y];
        var cx = (Math.min.apply(null, xs) + Math.max.apply(null, xs)) / 2, cy = (Math.min.apply(null, ys) + Math.max.apply(null, ys)) / 2;
        var side = Math.max(60, 3 * Math.max(Math.max.apply(null, xs) - Math.min.apply(null, xs), Math.max.apply(null, ys) - Math.min.apply(null, ys)));
        photo.zoom = [cx - side / 2, cy - side / 2, side, side];
        this.textContent = 'Show the whole photo';
      }
      drawMarkers();
    });
    window.addEventListener('resize', function () { if (photo.width) drawMarkers(); });
    $('photo-file').addEventListener('change', function (ev) {
      var f = ev.target.files && ev.target.files[0];
      if (f) onPhoto(f);
    });
    $('photo-save').addEventListener('click', async function () {
      var btn = $('photo-save');
      btn.disabled = true;
      status('photo-status', 'Saving…');
      var r = await post('/api/posture', {
        landmarks: landmarksFile(), kind: $('photo-kind').value, taken_on: $('photo-date').value
      });
      if (!r.ok) {
        status('photo-status', 'Not saved: ' + await errorText(r));
        btn.disabled = false;
        return;
      }
      var check = await r.json();
      if ($('photo-keep').checked) {
        // Re-encoded from the canvas: no camera metadata (location, device) goes with it.
        var blob = await new Promise(function (res) { photo.canvas.toBlob(res, 'image/jpeg', 0.9); });
        var k = await post('/api/posture/' + check.id + '/photo', blob, 'image/jpeg');
        if (!k.ok) {
          status('photo-status', 'The check is saved, but the photo was not kept: ' + await errorText(k));
          return;
        }
      }
      window.location.href = '/posture/' + check.id;
    });
  }

  // --- Run video --------------------------------------------------------------------------------------------------
  var video = $('video-el'), cancelled = false;

  function seek(t) {
    return new Promise(function (res) {
      var done = function () { video.removeEventListener('seeked', done); res(); };
      video.addEventListener('seeked', done);
      video.currentTime = t;
    });
  }

  function frameOf(t, lms) {
    if (!lms) return { t: t };
    var side = SIDE[nearSide(lms)];
    var w = video.videoWidth, h = video.videoHeight;
    var p = function (i) { return { x: lms[i].x * w, y: lms[i].y * h }; };
    var f = {
      t: t, ear: p(side.ear), shoulder: p(side.shoulder), hip: p(side.hip),
      confidence: Math.min(vis(lms[side.ear]), vis(lms[side.shoulder]), vis(lms[side.hip]))
    };
    if (vis(lms[NOSE]) >= 0.5) f.nose = p(NOSE);
    return f;
  }

  async function onVideo(file) {
    cancelled = false;
    var url = URL.createObjectURL(file);
    var box = $('video-progress-box'), bar = $('video-progress'), label = $('video-progress-label');
    status('video-status', 'Opening the video…');
    video.hidden = false;
    video.src = url;
    try {
      await new Promise(function (res, rej) {
        video.onloadeddata = res;
        video.onerror = function () { rej(new Error('this browser cannot play that video')); };
      });
    } catch (e) {
      status('video-status', String(e.message));
      URL.revokeObjectURL(url);
      return;
    }
    var duration = video.duration, model = $('pose-model').value;
    if (!isFinite(duration) || duration <= 0) { status('video-status', 'The video has no length to analyse.'); return; }
    status('video-status', 'Loading the pose model…');
    try { await getPose(model); } catch (e) { status('video-status', 'The pose model could not run here: ' + e.message); return; }
    box.hidden = false;
    bar.value = 0;
    status('video-status', '');
    // Frames go to the model at most 640 px on their long side: the landmark model looks at a 256-px crop anyway,
    // and a smaller upload is a good share of the time per frame on a device without a GPU.
    var small = document.createElement('canvas');
    var k = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight));
    small.width = Math.round(video.videoWidth * k);
    small.height = Math.round(video.videoHeight * k);
    var smallCtx = small.getContext('2d');
    var frames = [], t0 = performance.now(), choice = $('video-rate').value;
    var rate = choice === 'auto' ? 10 : Number(choice);
    var probe = choice === 'auto' ? 3 : 0, probeMs = 0, clockBase = clock + 1000;
    var t = 0, i = 0;
    while (t < duration && !cancelled) {
      await seek(t);
      var s = performance.now();
      smallCtx.drawImage(video, 0, 0, small.width, small.height);
      var lms = await detect(small, clockBase + t * 1000);
      var ms = performance.now() - s;
      frames.push(frameOf(t, lms));
      i += 1;
      if (probe > 0) {
        probeMs += ms;
        if (i === probe) {
          // Automatic: as many frames per second of video as this device analyses in about real time (1 to 10).
          rate = Math.max(1, Math.min(10, Math.floor(0.9 * 1000 / (probeMs / probe))));
          // A short clip gets at least 30 frames (up to 10 per second), so its minute has a median worth the name.
          rate = Math.max(rate, Math.min(10, Math.ceil(30 / duration)));
          probe = 0;
          t = 0;
          frames = frames.filter(function (f) { return f.t === 0; });
        }
      }
      // While timing, probe 0.1 s apart; then one frame every 1/rate seconds after the last one kept.
      var next = probe > 0 ? t + 0.1 : frames[frames.length - 1].t + 1 / rate;
      t = Math.round(next * 1000) / 1000;
      var total = Math.max(1, Math.floor(duration * rate));
      var doneN = probe > 0 ? 0 : frames.length;
      var pct = Math.min(100, Math.round(100 * doneN / total));
      bar.value = pct;
      var elapsed = (performance.now() - t0) / 1000;
      var left = doneN > 0 ? Math.round(elapsed / doneN * (total - doneN)) : null;
      label.textContent = probe > 0 ? 'Timing this device…' : ('Frame ' + doneN + ' of ' + total + ' (' + rate + ' per second of video)' +
        (left !== null ? ', about ' + left + ' s left' : ''));
      await new Promise(function (res) { setTimeout(res, 0); });
    }
    video.pause();
    URL.revokeObjectURL(url);
    if (cancelled) { box.hidden = true; status('video-status', 'Cancelled; nothing was saved.'); return; }
    bar.value = 100;
    var seconds = ((performance.now() - t0) / 1000).toFixed(1);
    status('video-status', 'Analysed ' + frames.length + ' frames in ' + seconds + ' s; saving the summary…');
    var r = await post('/api/posture', {
      landmarks: {
        frames: frames, duration_s: duration, image: { width: video.videoWidth, height: video.videoHeight }, model: model
      },
      kind: 'run-video', taken_on: $('video-date').value
    });
    if (!r.ok) { status('video-status', 'Not saved: ' + await errorText(r)); return; }
    var check = await r.json();
    window.location.href = '/posture/' + check.id + '?analysed_s=' + seconds;
  }

  if (video) {
    $('video-file').addEventListener('change', function (ev) {
      var f = ev.target.files && ev.target.files[0];
      if (f) onVideo(f);
    });
    $('video-cancel').addEventListener('click', function () { cancelled = true; });
  }
})();
