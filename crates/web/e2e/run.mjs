// End-to-end tests of the runtall web app in real headless Chromium.
//
//   node crates/web/e2e/run.mjs            (from the repository root; needs `npm ci` in crates/web/e2e once)
//
// Builds the `serve` example (unless RUNTALL_WEB_BIN points at a built one), starts it on a free loopback port
// with a fresh database and a few synthetic runs, runs the flows below, saves screenshots of the main pages at
// 360 px and 1280 px into docs/screenshots/, and exits non-zero when a flow fails. Chromium: /usr/bin/chromium
// (Debian), or CHROMIUM=/path. Set RUNTALL_E2E_SCREENSHOTS=0 to skip the screenshots.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { postureFlows } from './posture.mjs';
import { clinicFlows } from './clinic.mjs';
import { axeViolations } from './axe.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const shotsDir = join(repo, 'docs', 'screenshots');
const takeShots = process.env.RUNTALL_E2E_SCREENSHOTS !== '0';

function log(...a) { console.log(...a); }

function serverBinary() {
  if (process.env.RUNTALL_WEB_BIN) return process.env.RUNTALL_WEB_BIN;
  log('building the web server (cargo build -p runtall-web --example serve)…');
  execFileSync('cargo', ['build', '-q', '-p', 'runtall-web', '--example', 'serve'], { cwd: repo, stdio: 'inherit' });
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: repo }));
  return join(meta.target_directory, 'debug', 'examples', 'serve');
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
  });
}

async function startServer(bin, db, port, fitDir) {
  const child = spawn(bin, ['--db', db, '--addr', `127.0.0.1:${port}`, '--seed-runs', '--write-fit', fitDir, '--break-due'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUNTALL_WEB_PASSWORD: '' },
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    try { const r = await fetch(`${base}/welcome`); if (r.ok) return { child, base, output: () => output }; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`server did not start: ${output}`);
}

const results = [];
async function flow(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}
function expect(cond, msg) { if (!cond) throw new Error(msg); }

async function shoot(browser, base, name, path, prepare) {
  if (!takeShots) return;
  for (const width of [360, 1280]) {
    const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 780 : 900 }, storageState: shared.state });
    const page = await ctx.newPage();
    await page.goto(base + path);
    if (prepare) await prepare(page);
    // Whole page, cut at 3000 px so the long plan stays a reasonable file.
    const height = Math.min(await page.evaluate(() => document.documentElement.scrollHeight), 3000);
    await page.screenshot({ path: join(shotsDir, `${name}-${width}.png`), fullPage: true, clip: { x: 0, y: 0, width, height } });
    await ctx.close();
  }
}

const shared = { state: undefined };

async function main() {
  const bin = serverBinary();
  const dir = mkdtempSync(join(tmpdir(), 'runtall-e2e-'));
  const port = await freePort();
  const fitDir = join(dir, 'watch');
  const server = await startServer(bin, join(dir, 'e2e.db'), port, fitDir);
  const { base } = server;
  mkdirSync(shotsDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const problems = [];
  // 422 answers to deliberately invalid forms are expected; anything else (CSP, script errors) is not.
  // Requests that fail while the offline flow has the browser offline are expected too.
  const expected = /status of 422|ERR_INTERNET_DISCONNECTED/;
  page.on('console', (m) => { if (m.type() === 'error' && !expected.test(m.text())) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));

  try {
    await flow('welcome and safety check clear', async () => {
      await page.goto(base + '/');
      expect(page.url().endsWith('/welcome'), `expected /welcome, got ${page.url()}`);
      await shoot(browser, base, 'welcome', '/welcome');
      await page.getByRole('link', { name: 'Start the safety check' }).click();
      await page.waitForURL('**/screen');
      const noes = page.locator('input[type=radio][value=no]');
      const n = await noes.count();
      expect(n >= 10, `expected the red-flag questions, found ${n}`);
      // Leaving one unanswered is refused: an unanswered safety question is never taken as no.
      for (let i = 0; i < n - 1; i++) await noes.nth(i).check();
      await page.getByRole('button', { name: 'See my result' }).click();
      await page.locator('#error-summary').waitFor();
      expect((await page.locator('.field-error').count()) === 1, 'exactly the unanswered question is flagged');
      const summary = await page.locator('#error-summary li').textContent();
      expect(new RegExp(`^Question ${n}: please answer — \\S`).test(summary), `the summary names the question: ${summary}`);
      // Every question sits inside its card at both widths (long ones wrap over two lines).
      for (const width of [360, 1280]) {
        await page.setViewportSize({ width, height: 844 });
        const outside = await page.evaluate(() => [...document.querySelectorAll('fieldset')].filter((f) => {
          const l = f.querySelector('legend');
          if (!l) return false;
          const fb = f.getBoundingClientRect(), lb = l.getBoundingClientRect();
          const top = parseFloat(getComputedStyle(f).borderTopWidth);
          return lb.top < fb.top + top || lb.bottom > fb.bottom || lb.left < fb.left || lb.right > fb.right;
        }).map((f) => f.querySelector('legend').textContent.slice(0, 40)));
        expect(outside.length === 0, `questions across their card's border at ${width} px: ${outside.join(' | ')}`);
      }
      await page.setViewportSize({ width: 390, height: 844 });
      await page.locator('input[type=radio][value=no]').nth(n - 1).check();
      await page.getByRole('button', { name: 'See my result' }).click();
      await page.waitForURL('**/screen/result');
      await page.getByRole('heading', { name: 'Safety check clear' }).waitFor();
    });

    await flow('assessment with a range error, then the plan', async () => {
      await page.getByRole('link', { name: 'Continue to the assessment' }).click();
      await page.waitForURL('**/assess');
      await page.getByRole('checkbox', { name: 'neck', exact: true }).check();
      await page.getByRole('checkbox', { name: 'between the shoulder blades' }).check();
      await page.getByRole('checkbox', { name: 'on long runs' }).check();
      await page.getByRole('checkbox', { name: 'at the desk' }).check();
      await page.locator('[id="f-baseline_pain"]').fill('11');
      await page.locator('[id="f-exposures.runs_per_week"]').fill('4');
      await page.locator('[id="f-exposures.weekly_km"]').fill('40');
      await page.locator('[id="f-exposures.long_run_km"]').fill('16');
      await page.locator('[id="f-exposures.speed_sessions_per_week"]').fill('1');
      await page.getByRole('checkbox', { name: 'road', exact: true }).check();
      await page.locator('[id="f-exposures.years_running"]').fill('3');
      await page.locator('[id="f-exposures.sitting_hours_per_day"]').fill('8');
      const acts = ['Run 90 minutes without neck pain', 'Work at the laptop all morning', 'Sleep through the night'];
      for (let i = 0; i < 3; i++) {
        await page.locator(`[id="f-psfs[${i}].activity"]`).fill(acts[i]);
        await page.locator(`[id="f-psfs[${i}].score"]`).fill(String(4 + i));
      }
      await page.getByRole('button', { name: 'Make my plan' }).click();
      await page.locator('#error-summary').waitFor();
      const err = await page.locator('[id="e-baseline_pain"]').textContent();
      expect(/allowed 0–10/.test(err), `range message shown: ${err}`);
      expect((await page.locator('[id="f-psfs[0].activity"]').inputValue()) === acts[0], 'answers are kept');
      await page.locator('[id="f-baseline_pain"]').fill('5');
      await page.getByRole('button', { name: 'Make my plan' }).click();
      await page.waitForURL('**/plan');
      await page.getByRole('heading', { name: 'Your plan' }).waitFor();
      const text = await page.locator('main').textContent();
      expect(text.includes('Why:') && text.includes('From:'), 'items show why and where from');
      expect((await page.locator('.ev').count()) > 5, 'evidence strength shown on items');
      expect(text.includes('Your week'), 'the week is shown');
    });

    shared.state = await context.storageState();
    await shoot(browser, base, 'plan', '/plan');
    await shoot(browser, base, 'today', '/today?run=long');
    await shoot(browser, base, 'assess', '/assess');

    await flow('guided session to completion with the speed-up', async () => {
      const routines = await (await page.request.get(base + '/api/routines')).json();
      const mobility = routines.find((r) => r.routine.kind === 'daily-mobility');
      expect(mobility, 'a daily mobility routine exists');
      await page.goto(`${base}/session/${mobility.routine.id}?speed=200`);
      await page.locator('#player').waitFor();
      await page.getByRole('button', { name: 'Start' }).click();
      await page.waitForFunction(() => document.getElementById('player').dataset.state === 'running');
      await page.waitForTimeout(300);
      await page.getByRole('button', { name: 'Pause' }).click();
      expect((await page.locator('#player').getAttribute('data-state')) === 'paused', 'pauses');
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.waitForFunction(() => document.getElementById('player').dataset.state === 'done', null, { timeout: 90000 });
      const msg = await page.locator('#finished').textContent();
      expect(/recorded in today's log/.test(msg), `completion recorded: ${msg}`);
      await page.goto(base + '/day');
      expect(await page.getByLabel('Daily mobility').isChecked(), 'day log shows mobility done');
    });

    await flow('on a 360×800 phone, Pause and Skip are on screen during an exercise', async () => {
      const ctx = await browser.newContext({ viewport: { width: 360, height: 800 }, storageState: await context.storageState() });
      const p = await ctx.newPage();
      try {
        await p.goto(`${base}/session/daily-mobility`);
        await p.getByRole('button', { name: 'Start' }).click();
        await p.waitForFunction(() => document.getElementById('player').dataset.state === 'running');
        await p.waitForTimeout(500);
        const off = await p.evaluate(() => ['pause', 'skip', 'phase'].filter((id) => {
          const b = document.getElementById(id).getBoundingClientRect();
          return b.top < 0 || b.bottom > window.innerHeight;
        }));
        expect(off.length === 0, `off screen while running: ${off.join(', ')}`);
      } finally {
        await ctx.close();
      }
    });

    await flow('breathing pacer phases on a pre-run routine', async () => {
      const day = await (await page.request.get(base + '/api/plan/for-run/long')).json();
      await page.goto(`${base}/session/${day.pre_run.id}?speed=4`);
      await page.getByRole('button', { name: 'Start' }).click();
      const seen = new Set();
      for (let i = 0; i < 60 && seen.size < 3; i++) {
        seen.add(await page.locator('#player').getAttribute('data-kind'));
        await page.waitForTimeout(100);
      }
      expect(seen.has('inhale') || seen.has('move') || seen.has('ready'), `segments advance: ${[...seen]}`);
      await page.getByRole('button', { name: 'Pause' }).click();
      if (takeShots) {
        for (const width of [360, 1280]) {
          await page.setViewportSize({ width, height: width < 500 ? 780 : 900 });
          await page.screenshot({ path: join(shotsDir, `session-${width}.png`), fullPage: true });
        }
        await page.setViewportSize({ width: 390, height: 844 });
      }
      await page.getByRole('button', { name: 'Skip exercise' }).click();
      const name = await page.locator('#stepno').textContent();
      expect(/Exercise 2 of/.test(name), `skip moves to the next exercise: ${name}`);
    });

    await flow('the pacer respects prefers-reduced-motion', async () => {
      const ctx = await browser.newContext({ reducedMotion: 'reduce', storageState: await context.storageState() });
      const p = await ctx.newPage();
      const day = await (await p.request.get(base + '/api/plan/for-run/long')).json();
      await p.goto(`${base}/session/${day.pre_run.id}?speed=2`);
      await p.getByRole('button', { name: 'Start' }).click();
      await p.waitForTimeout(300);
      const duration = await p.locator('#circle').evaluate((c) => getComputedStyle(c).transitionDuration);
      expect(duration === '0s', `no animated growth with reduced motion (got ${duration})`);
      expect((await p.locator('#phase').textContent()).length > 0, 'the phase is still named in words');
      await ctx.close();
    });

    await flow('logging pain on the body map', async () => {
      await page.goto(base + '/pain');
      await page.locator('.bodymap figure').nth(1).locator('a[data-region="between-shoulder-blades"]').click();
      expect(await page.getByRole('radio', { name: 'Between shoulder blades' }).isChecked(), 'tapping the map chooses the region');
      expect((await page.locator('a.region.selected').count()) >= 1, 'the map marks the choice');
      await page.locator('#f-intensity').fill('6');
      expect((await page.locator('#intensity-out').textContent()) === '6', 'slider value shown');
      await page.getByRole('radio', { name: 'right after a run' }).check();
      await page.getByRole('button', { name: 'Log it' }).click();
      await page.waitForURL('**/pain?logged=*');
      const notice = await page.locator('.notice.ok').textContent();
      expect(/Between shoulder blades 6\/10/.test(notice), `confirmation: ${notice}`);
      expect(/Above 5\/10/.test(notice), 'advice above 5/10');
      await page.locator('.bodymap figure').first().locator('a[data-region="chest"]').click();
      await page.waitForURL('**/pain/chest');
      await page.getByRole('heading', { name: 'Chest pain goes to the safety check' }).waitFor();
    });

    await flow('every exercise is drawn: the library, an exercise page and the player show the drawings', async () => {
      await page.goto(base + '/library');
      const thumbs = page.locator('img.thumb');
      expect((await thumbs.count()) >= 20, 'a drawing per exercise in the library');
      // Every drawing loads (no broken image).
      const broken = await page.evaluate(async () => {
        const imgs = [...document.querySelectorAll('img.thumb')];
        // The thumbnails load lazily: load them all now, and give up on one after 10 s.
        imgs.forEach((i) => { i.loading = 'eager'; });
        const settle = (i) => Promise.race([i.decode().catch(() => null), new Promise((r) => setTimeout(r, 10000))]);
        await Promise.all(imgs.map(settle));
        return imgs.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src);
      });
      expect(broken.length === 0, `broken drawings: ${broken.join(', ')}`);
      await page.goto(base + '/library/exercises/prone-y');
      expect((await page.locator('.figure-panels figure').count()) === 2, 'start and end');
      expect(/From above/.test(await page.locator('.figure-panels').textContent()), 'captions in page text');
      expect((await page.getByText('What you should feel').count()) === 1, 'what to feel');
      await page.goto(`${base}/session/daily-mobility`);
      await page.locator('#step-figure').waitFor({ state: 'visible' });
      expect(/open-book|figures/.test(await page.locator('#step-figure').getAttribute('src')), 'the first step is drawn');
    });

    await flow('a breathing session on its own, recorded with the sessions', async () => {
      await page.goto(`${base}/breathe?pattern=box&minutes=1&speed=40`);
      expect(/in 4 s · hold 4 s · out 4 s · pause 4 s/.test(await page.locator('#breathe').textContent()), 'the box counts');
      await page.getByRole('button', { name: 'Start' }).click();
      const seen = new Set();
      for (let i = 0; i < 40 && seen.size < 4; i++) {
        seen.add(await page.locator('#phase').textContent());
        await page.waitForTimeout(60);
      }
      expect(seen.has('Breathe in') && seen.has('Hold'), `phases shown: ${[...seen]}`);
      await page.waitForFunction(() => document.getElementById('breathe').dataset.state === 'done', null, { timeout: 30000 });
      expect(/recorded/.test(await page.locator('#finished').textContent()), 'recorded');
      await page.goto(base + '/breathe');
      expect((await page.getByText('Box breathing, 1 min').count()) >= 1, 'listed under recent sessions');
      await shoot(browser, base, 'breathe', '/breathe');
    });

    await flow('the break page: a break due with its drawing, answered, then a countdown', async () => {
      // The server seeded a walk 40 minutes before it started; the schedulers' history window crosses local
      // midnight, so the break is due at any hour.
      await page.goto(base + '/breaks');
      await page.getByRole('heading', { name: 'Time to stand up and walk' }).waitFor();
      expect((await page.locator('.break-exercise img').count()) === 1, 'the micro-exercise is drawn');
      await shoot(browser, base, 'breaks', '/breaks');
      const before = (await (await page.request.get(base + '/api/breaks')).json()).today;
      await page.getByRole('button', { name: 'Done' }).click();
      await page.locator('#countdown').waitFor();
      const first = await page.locator('#countdown').textContent();
      await page.waitForTimeout(1600);
      const later = await page.locator('#countdown').textContent();
      expect(/^\d+:\d\d$/.test(first) && first !== later, `the countdown runs: ${first} → ${later}`);
      const history = await (await page.request.get(base + '/api/breaks')).json();
      // The server seeded a walk taken in the terminal; the one taken here is added to the same day's history.
      expect(history.today.taken === before.taken + 1,
        `the break is in the shared history: ${JSON.stringify(before)} → ${JSON.stringify(history.today)}`);
    });

    await flow('installable: manifest, icons and a service worker that controls the pages', async () => {
      await page.goto(base + '/today');
      const href = await page.locator('link[rel=manifest]').getAttribute('href');
      const manifest = await (await page.request.get(base + href)).json();
      expect(manifest.display === 'standalone' && manifest.start_url === '/today', 'standalone, starts at Today');
      for (const icon of manifest.icons) {
        const r = await page.request.get(base + icon.src);
        expect(r.ok(), `icon ${icon.src}`);
      }
      expect(manifest.icons.some((i) => i.sizes === '512x512' && i.purpose === 'maskable'), 'a maskable icon');
      await page.evaluate(async () => { await navigator.serviceWorker.ready; });
      await page.reload();
      expect(await page.evaluate(() => !!navigator.serviceWorker.controller), 'the worker controls the page');
    });

    await flow('offline: the player, run mode and breathing keep working, and a pain log waits until the server is back', async () => {
      // Open the pages once online, as a runner would before heading out.
      for (const path of ['/session/daily-mobility', '/run-mode', '/breathe', '/pain']) await page.goto(base + path);
      const before = (await (await page.request.get(base + '/api/pain')).json()).length;
      await context.setOffline(true);
      try {
        await page.goto(`${base}/session/daily-mobility?speed=100`);
        await page.getByRole('button', { name: 'Start' }).click();
        await page.waitForFunction(() => document.getElementById('player').dataset.state === 'running');
        await page.getByRole('button', { name: 'Skip exercise' }).click();
        expect(/Exercise 2 of/.test(await page.locator('#stepno').textContent()), 'the player runs offline');
        await page.goto(base + '/run-mode');
        expect((await page.locator('h1').textContent()).length > 0, 'run mode opens offline');
        await page.goto(`${base}/breathe?speed=60`);
        await page.getByRole('button', { name: 'Start' }).click();
        await page.waitForFunction(() => document.getElementById('breathe').dataset.state === 'running');
        await page.goto(base + '/pain');
        await page.getByRole('radio', { name: 'Neck' }).check();
        await page.locator('#f-intensity').fill('4');
        await page.getByRole('radio', { name: 'at the desk' }).check();
        await page.getByRole('button', { name: 'Log it' }).click();
        await page.getByText('Saved on this device').waitFor();
      } finally {
        await context.setOffline(false);
      }
      // Back online: the next page the runner opens sends what waited.
      await page.goto(base + '/today');
      let after = before;
      for (let i = 0; i < 40 && after === before; i++) {
        await page.waitForTimeout(250);
        after = (await (await page.request.get(base + '/api/pain')).json()).length;
      }
      expect(after === before + 1, `the pain report made offline is stored (${before} → ${after})`);
      const pains = await (await page.request.get(base + '/api/pain')).json();
      expect(pains.some((p) => p.region === 'neck' && p.intensity === 4 && p.timing === 'at-desk'), 'with its answers');
    });

    await flow('runs list, run detail chart and context', async () => {
      await page.goto(base + '/runs');
      expect((await page.locator('.run-row').count()) === 6, 'six seeded runs');
      await page.locator('.run-row').first().click();
      // The chart comes as a phone and a desktop drawing; CSS shows one.
      await page.locator('svg.chart:visible').waitFor();
      expect((await page.locator('svg.chart:visible polyline').count()) >= 3, 'pace, HR and elevation lines');
      expect((await page.locator('.chart-figure figcaption').textContent()).includes('Pace from'), 'text alternative');
      await page.locator('input[name=pack][value=yes]').check();
      await page.getByRole('button', { name: 'Save context' }).click();
      await page.waitForURL('**/runs/*#context');
      expect(await page.locator('input[name=pack][value=yes]').isChecked(), 'context saved');
    });

    await flow('importing FIT files by drag-and-drop, with a result per file', async () => {
      await page.goto(base + '/import');
      // Drop two files on the zone, as a file manager would: a real FIT run and a damaged file.
      const files = ['morning-run.fit', 'broken.fit'].map((name) => ({ name, b64: readFileSync(join(fitDir, name)).toString('base64') }));
      await page.evaluate((list) => {
        const dt = new DataTransfer();
        for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
        const zone = document.getElementById('dropzone');
        zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, files);
      const chosen = await page.locator('#chosen').textContent();
      expect(chosen.includes('morning-run.fit') && chosen.includes('2 files'), `dropped files listed: ${chosen}`);
      await page.getByRole('button', { name: 'Import' }).click();
      await page.waitForURL('**/import/jobs/*');
      await page.getByText('Import finished').waitFor({ timeout: 15000 });
      const good = page.locator('table.results tr', { hasText: 'morning-run.fit' });
      expect((await good.textContent()).includes('added #'), 'the FIT run was added');
      const bad = page.locator('table.results tr', { hasText: 'broken.fit' });
      expect((await bad.textContent()).includes('could not be read'), 'the damaged file is named with its reason');
      // On a phone the reasons wrap inside the table instead of pushing the page sideways.
      const viewport = page.viewportSize();
      await page.setViewportSize({ width: 360, height: 800 });
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      await page.setViewportSize(viewport);
      expect(wide <= 360, `the job page scrolls sideways on a 360 px phone: ${wide} px wide`);
      await page.getByRole('link', { name: 'See your runs' }).click();
      expect((await page.locator('.run-row').count()) === 7, 'six seeded runs and the imported one');
    });

    await flow('the same FIT file chosen with the file picker is recognised as already imported', async () => {
      await page.goto(base + '/import');
      await page.locator('#f-files').setInputFiles(join(fitDir, 'morning-run.fit'));
      await page.getByRole('button', { name: 'Import' }).click();
      await page.waitForURL('**/import/jobs/*');
      await page.getByText('Import finished').waitFor({ timeout: 15000 });
      expect((await page.locator('table.results').textContent()).includes('already in the journal'), 'duplicate recognised');
      await shoot(browser, base, 'import-result', new URL(page.url()).pathname);
    });

    await flow('insights page with the trend chart and the forest plot', async () => {
      await page.goto(base + '/insights');
      await page.locator('svg.chart[aria-labelledby="trend-title trend-desc"]').waitFor();
      expect((await page.locator('svg.chart rect.km').count()) >= 2, 'weekly distance bars');
      const report = await page.evaluate(async () => (await fetch('/api/insights')).json());
      expect(report.runs === 7, `seven runs analysed, got ${report.runs}`);
      expect((await page.locator('svg.forest-row').count()) === report.factors.length, 'one forest row per factor');
      expect((await page.locator('#trend-desc').textContent()).includes('km run in all'), 'text alternative');
      const text = await page.locator('main').textContent();
      expect(!/causes? (your )?pain/i.test(text), 'never says causes');
    });

    await flow('the report for a physical therapist prints on paper', async () => {
      await page.goto(base + '/report');
      const headings = await page.locator('main h2').allTextContents();
      for (const h of ['Safety screen', 'Outcome measures', 'Posture, measured from photos and run videos', 'The program']) {
        expect(headings.some((x) => x.includes(h)), `report section "${h}" in ${headings.join(' | ')}`);
      }
      // On screen the report sits in the app's layout: none of the app's own table and chart rules may leak in
      // (they made the tables one line each, 1,400–4,100 px wide, and the charts' text overlap).
      const viewport = page.viewportSize();
      for (const width of [360, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        const fit = await page.evaluate(() => {
          const figures = [...document.querySelectorAll('.pt-report figure svg')].map((svg) => ({
            svg: svg.getBoundingClientRect().width, box: svg.closest('section').getBoundingClientRect().width,
            text: svg.querySelector('text') ? parseFloat(getComputedStyle(svg.querySelector('text')).fontSize) : 0 }));
          return { page: document.documentElement.scrollWidth, figures };
        });
        expect(fit.page <= width, `the report scrolls sideways at ${width} px: ${fit.page} px wide`);
        const charts = fit.figures.filter((f) => f.svg > 200);
        expect(charts.length >= 2, `the report's charts at ${width} px: ${JSON.stringify(fit.figures)}`);
        for (const f of charts) expect(f.svg >= f.box - 2 && f.text < 12, `a chart at its full width, with its own text size: ${JSON.stringify(f)}`);
      }
      await page.setViewportSize(viewport);
      // Print as the browser would: the print style hides the menus; a paper page, not a phone screen.
      await page.emulateMedia({ media: 'print' });
      expect(!(await page.locator('header.top').isVisible()), 'menus hidden in print');
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
      expect(pages >= 1 && pages <= 4, `printed on 1–4 A4 pages, got ${pages}`);
      if (takeShots) {
        await page.setViewportSize({ width: 794, height: 1123 });
        await page.screenshot({ path: join(shotsDir, 'report-print.png'), fullPage: false });
        await page.setViewportSize({ width: 1280, height: 900 });
      }
      await page.emulateMedia({ media: 'screen' });
    });

    await flow('a self-experiment from start to its schedule', async () => {
      await page.goto(base + '/experiments');
      await page.getByRole('radio', { name: /pack on and pack off/ }).check();
      await page.getByRole('button', { name: 'Start the experiment' }).click();
      await page.waitForURL('**/experiments');
      const next = await page.locator('.assignment').textContent();
      expect(/pack/i.test(next), `an instruction for the next run: ${next}`);
      expect((await page.locator('ol.blocks li').count()) === 12, 'twelve runs scheduled by default');
      await page.getByRole('link', { name: 'Take an early look anyway' }).click();
      expect((await page.locator('main').textContent()).includes('0 of 12'), 'nothing recorded yet');
    });

    await flow('a breathing lesson marked done shows as course progress', async () => {
      await page.goto(base + '/learn/1');
      await page.getByRole('button', { name: 'Mark lesson done' }).click();
      await page.goto(base + '/learn');
      expect((await page.locator('main').textContent()).includes('1 of 8 lessons done'), 'progress shown');
    });

    await flow('reminder settings: a field error first, then saved and summed up', async () => {
      await page.goto(base + '/settings');
      await page.locator('#f-walk_every_min').fill('2');
      await page.getByRole('button', { name: 'Save reminders' }).click();
      const err = await page.locator('#error-summary').textContent();
      expect(/walk|5/i.test(err), `the walk interval is refused: ${err}`);
      expect(await page.evaluate(() => document.activeElement && document.activeElement.id === 'error-summary'), 'the error summary takes focus');
      await page.locator('#f-walk_every_min').fill('45');
      await page.getByRole('button', { name: 'Save reminders' }).click();
      const now = await page.locator('p.hint', { hasText: 'Now: On' }).textContent();
      expect(now.includes('45'), `saved: ${now}`);
      const api = await (await page.request.get(base + '/api/reminders')).json();
      expect(JSON.stringify(api).includes('45'), `the API agrees: ${JSON.stringify(api)}`);
    });

    await flow('a season of 400 files imports with live progress on the job page', async () => {
      const season = join(fitDir, 'season');
      const files = readdirSync(season).map((n) => join(season, n));
      expect(files.length === 400, `400 files written, found ${files.length}`);
      const polls = [];
      const onRequest = (r) => { if (/\/import\/jobs\/\d+\/status$/.test(r.url())) polls.push(r.url()); };
      page.on('request', onRequest);
      await page.goto(base + '/import');
      await page.locator('#f-files').setInputFiles(files);
      expect((await page.locator('#chosen').textContent()).includes('400 files'), 'the choice is summed up');
      await page.getByRole('button', { name: 'Import' }).click();
      await page.waitForURL('**/import/jobs/*');
      const openedRunning = await page.locator('#job-status').getAttribute('data-running');
      await page.evaluate(() => { window.runtallSameDocument = true; });
      await page.getByText('Import finished').waitFor({ timeout: 120000 });
      page.off('request', onRequest);
      expect(openedRunning === 'true', 'the job page opened while the import was running');
      expect(polls.length >= 1, 'the page polled the status fragment');
      expect(await page.evaluate(() => window.runtallSameDocument === true), 'updated in place, not by reloading');
      const counts = await page.locator('ul.counts').textContent();
      expect(/400\s*added/.test(counts), `all 400 runs added: ${counts}`);
    });

    await shoot(browser, base, 'import', '/import');
    await shoot(browser, base, 'insights', '/insights');
    await shoot(browser, base, 'experiments', '/experiments');
    await shoot(browser, base, 'pain', '/pain?region=neck');
    await flow('the laps table reads on a 360 px phone without sideways scrolling', async () => {
      const ctx = await browser.newContext({ viewport: { width: 360, height: 800 }, storageState: await context.storageState() });
      const p = await ctx.newPage();
      try {
        await p.goto(`${base}/runs/3`);
        const laps = p.locator('table.laps');
        expect((await laps.locator('tbody tr').count()) >= 3, 'the seeded run has laps');
        const fit = await p.evaluate(() => {
          const t = document.querySelector('table.laps');
          const cells = [...t.querySelectorAll('tbody td')];
          const outside = cells.filter((c) => { const b = c.getBoundingClientRect(); return b.left < 0 || b.right > window.innerWidth; });
          return { page: document.documentElement.scrollWidth, table: t.scrollWidth, box: t.clientWidth, outside: outside.length,
            label: getComputedStyle(cells[1], '::before').content };
        });
        expect(fit.page <= 360, `the page scrolls sideways: ${fit.page} px wide`);
        expect(fit.table <= fit.box && fit.outside === 0, `laps clipped: ${JSON.stringify(fit)}`);
        expect(fit.label === '"Distance"', `each value is labelled on a phone: ${fit.label}`);
        // The column headers are still there for screen readers.
        expect((await p.getByRole('columnheader', { name: 'Pace' }).count()) === 1, 'table semantics kept');
      } finally {
        await ctx.close();
      }
    });

    await shoot(browser, base, 'runs', '/runs');
    await shoot(browser, base, 'run', '/runs/3');
    await shoot(browser, base, 'library', '/library');
    await shoot(browser, base, 'exercise', '/library/exercises/chin-tuck');
    await shoot(browser, base, 'learn', '/learn');
    await shoot(browser, base, 'day', '/day');
    await shoot(browser, base, 'settings', '/settings');

    await postureFlows({ flow, expect, page, base, repo, log, shoot, browser });
    await clinicFlows({ flow, expect, repo, log, browser, shotsDir, takeShots, freePort });

    await flow('no WCAG 2 A/AA violations on the main pages, phone and desktop (axe-core)', async () => {
      // axe is injected through the DevTools protocol (bypassCSP), so the app's strict CSP stays as it is for the
      // pages under test; the rules checked include colour contrast, labels, names, landmarks and ARIA use.
      const pages = ['/today', '/plan', '/pain', '/day', '/runs', '/runs/3', '/import', '/insights', '/experiments',
        '/library', '/learn', '/learn/2', '/settings', '/session/daily-mobility', '/rescore', '/run-mode', '/travel', '/posture',
        '/travel?race=2027-03-14&mode=drive&hours=4', '/sources', '/breathe', '/breaks', '/library/exercises/prone-y'];
      const found = [];
      for (const width of [360, 1280]) {
        const ctx = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true, storageState: await context.storageState() });
        const p = await ctx.newPage();
        for (const path of pages) {
          await p.goto(base + path);
          found.push(...await axeViolations(p, `${path} @${width}`));
        }
        await ctx.close();
      }
      expect(found.length === 0, `accessibility violations:\n  ${found.join('\n  ')}`);
    });

    await flow('no console errors or CSP violations so far', async () => {
      expect(problems.length === 0, `browser reported: ${problems.join(' | ')}`);
    });

    await flow('level A shows only the emergency screen until a clinician has checked', async () => {
      await page.goto(base + '/settings');
      await page.locator('#f-country').fill('GB');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.goto(base + '/screen');
      const qs = page.locator('fieldset.question');
      const n = await qs.count();
      for (let i = 0; i < n; i++) await qs.nth(i).locator('input[value=no]').check();
      await page.locator('input[name="q-chest-pain-during-or-after-run"][value=yes]').check();
      await page.getByRole('button', { name: 'See my result' }).click();
      await page.waitForURL('**/emergency');
      expect((await page.locator('a.call-link[href="tel:999"]').count()) === 1, 'the country number is a tap-to-call link');
      expect((await page.content()).includes('do not drive yourself'), 'do not drive yourself is kept');
      expect((await page.locator('header nav').count()) === 0, 'no navigation on the emergency screen');
      await page.goto(base + '/plan');
      expect(page.url().endsWith('/emergency'), 'other pages lead back to the emergency screen');
      await shoot(browser, base, 'emergency', '/emergency');
      await page.getByLabel('A clinician has checked me for these answers.').check();
      await page.getByRole('button', { name: 'Unlock the program' }).click();
      await page.waitForURL((u) => !u.pathname.startsWith('/emergency'));
      await page.goto(base + '/plan');
      expect(page.url().endsWith('/plan'), 'unlocked');
    });
  } finally {
    await browser.close();
    server.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  const failed = results.filter((r) => !r.ok).length;
  log(`\n${results.length - failed} passed, ${failed} failed`);
  if (takeShots) log(`screenshots in ${shotsDir}`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
