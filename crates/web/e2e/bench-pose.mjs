// Benchmark (not a test): MediaPipe Pose speed in headless Chromium on this machine, as runtall serves it.
//
//   node crates/web/e2e/bench-pose.mjs        (needs `npm ci` here, Debian's chromium, and ffmpeg for the 1-minute clip)
//
// Prints milliseconds per frame for the lite and the full model (the corpus photo, and frames of the squat video
// with a seek before each, as the page's video path does), then times the page's own run-video path on a 1-minute
// clip (the squat video looped with ffmpeg) with the lite model and the automatic frame rate, against the target of
// less than twice the video's length. Uses ../shared/corpus/posture (or RUNTALL_CORPUS/posture).

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';
import { postureCorpus } from './posture.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const FRAMES = Number(process.env.BENCH_FRAMES || 12);

function serverBinary() {
  if (process.env.RUNTALL_WEB_BIN) return process.env.RUNTALL_WEB_BIN;
  execFileSync('cargo', ['build', '-q', '-p', 'runtall-web', '--example', 'serve'], { cwd: repo, stdio: 'inherit' });
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: repo }));
  return join(meta.target_directory, 'debug', 'examples', 'serve');
}

const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};

async function main() {
  const corpus = postureCorpus(repo);
  if (!corpus) { console.log('skipped: no posture corpus'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'runtall-bench-pose-'));
  const port = await freePort();
  const child = spawn(serverBinary(), ['--db', join(dir, 'b.db'), '--addr', `127.0.0.1:${port}`], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) { try { if ((await fetch(base + '/welcome')).ok) break; } catch { /* starting */ } await new Promise((r) => setTimeout(r, 100)); }
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    // Onboard through the API (screen clear, the example assessment) so /posture opens.
    await page.goto(base + '/welcome');
    await page.evaluate(async () => {
      const t = (await (await fetch('/api/session')).json()).csrf_token;
      const post = (u, b) => fetch(u, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': t }, body: JSON.stringify(b) });
      await post('/api/screen', { yes: [], others: 'no' });
      await post('/api/assessment', {
        regions: ['neck'], when: ['long-runs'], baseline_pain: 4, conditions: [], equipment: ['mat'], age: 38,
        exposures: { runs_per_week: 4, weekly_km: 42, long_run_km: 18, speed_sessions_per_week: 1, surfaces: ['road'],
          hydration_pack: 'never', sitting_hours_per_day: 8, car_hours_per_week: 2, years_running: 3, destination_race: false },
        psfs: [{ activity: 'Run 90 minutes', score: 4 }, { activity: 'Laptop morning', score: 5 }, { activity: 'Sleep through', score: 7 }],
      });
    });
    await page.goto(base + '/posture');
    if (!page.url().endsWith('/posture')) throw new Error(`onboarding failed: at ${page.url()}`);
    console.log(`MediaPipe Pose in headless Chromium (${(await browser.version())}), ${FRAMES} frames after one warm-up frame`);
    const photo = `/bench-photo`;
    await page.route('**' + photo, (r) => r.fulfill({ path: join(corpus, 'tfjs-pose.jpg'), contentType: 'image/jpeg' }));
    await page.route('**/bench-video', (r) => r.fulfill({ path: join(corpus, 'tfjs-pose-squats.mp4'), contentType: 'video/mp4' }));
    const perModel = {};
    for (const model of ['lite', 'full']) {
      const r = await page.evaluate(async ({ model, frames }) => {
        if (!window.Pose) await new Promise((res, rej) => { const s = document.createElement('script'); s.src = '/assets/pose/pose.js'; s.onload = res; s.onerror = rej; document.head.appendChild(s); });
        const pose = new window.Pose({ locateFile: (f) => '/assets/pose/' + f });
        pose.setOptions({ modelComplexity: model === 'full' ? 1 : 0, smoothLandmarks: false, enableSegmentation: false });
        let pending = null;
        pose.onResults((x) => { const f = pending; pending = null; if (f) f(x); });
        let clock = 0;
        const run = async (img) => { const got = new Promise((res) => { pending = res; }); clock += 100; await pose.send({ image: img }, clock); return got; };
        const t0 = performance.now();
        await pose.initialize();
        const init = performance.now() - t0;
        const img = new Image(); img.src = '/bench-photo'; await img.decode();
        let t = performance.now(); await run(img); const first = performance.now() - t;
        const photoMs = [];
        for (let i = 0; i < frames; i++) { t = performance.now(); await run(img); photoMs.push(performance.now() - t); }
        const v = document.createElement('video'); v.muted = true; v.src = '/bench-video';
        await new Promise((res) => { v.onloadeddata = res; });
        const videoMs = [];
        for (let i = 0; i < frames; i++) {
          t = performance.now();
          await new Promise((res) => { v.onseeked = res; v.currentTime = (i * 0.5) % v.duration; });
          await run(v);
          videoMs.push(performance.now() - t);
        }
        await pose.close();
        return { init, first, photoMs, videoMs };
      }, { model, frames: FRAMES });
      perModel[model] = r;
      const p = stats(r.photoMs), v = stats(r.videoMs);
      console.log(`${model.padEnd(4)}: model load ${r.init.toFixed(0)} ms, first frame ${r.first.toFixed(0)} ms; ` +
        `photo ${p.median.toFixed(0)} ms/frame (min ${p.min.toFixed(0)}, max ${p.max.toFixed(0)}); ` +
        `video frame with seek ${v.median.toFixed(0)} ms (min ${v.min.toFixed(0)}, max ${v.max.toFixed(0)})`);
    }
    const ratio = stats(perModel.full.photoMs).median / stats(perModel.lite.photoMs).median;
    console.log(`full / lite time per frame: ${ratio.toFixed(2)}×`);

    // The page's own video path on a 1-minute clip.
    let clip = null;
    try {
      clip = join(dir, 'squats-60s.mp4');
      execFileSync('ffmpeg', ['-loglevel', 'error', '-stream_loop', '5', '-i', join(corpus, 'tfjs-pose-squats.mp4'), '-t', '60', '-c', 'copy', clip]);
    } catch { clip = null; }
    if (!clip || !existsSync(clip)) { console.log('1-minute clip: skipped (ffmpeg not found)'); return; }
    await page.goto(base + '/posture');
    await page.selectOption('#pose-model', 'lite');
    const t0 = Date.now();
    await page.setInputFiles('#video-file', clip);
    await page.waitForURL(/\/posture\/\d+/, { timeout: 600000 });
    const wall = (Date.now() - t0) / 1000;
    const analysed = Number(new URL(page.url()).searchParams.get('analysed_s'));
    const check = await page.evaluate(async () => (await fetch('/api/posture/' + location.pathname.split('/').pop())).json());
    const s = check.summary;
    console.log(`1-minute clip (${s.duration_s.toFixed(1)} s of video), lite, automatic rate: ${s.frames_total} frames analysed ` +
      `(${(s.frames_total / s.duration_s).toFixed(1)} per second of video), ${s.minutes.length} minute(s) in the series; ` +
      `analysis ${analysed.toFixed(1)} s = ${(analysed / s.duration_s).toFixed(2)}× the video's length ` +
      `(${wall.toFixed(1)} s with model load and saving = ${(wall / s.duration_s).toFixed(2)}×; target < 2×)`);
  } finally {
    await browser.close();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
