// Clinic flows for run.mjs: a throwaway `runtall server` (SQLite) with one clinician and three athletes who sign up
// by invitation; the dashboard must put the athlete whose pain is worse first with the reason, and an adjusted dose
// must reach that athlete's Today. Screenshots of the dashboard and an athlete's page at 360 and 1280 px.
// RUNTALL_BIN names a built `runtall` binary; otherwise it is built here (debug).

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { axeViolations } from './axe.mjs';

const PASSWORD = 'a long enough password';

function runtallBinary(repo, log) {
  if (process.env.RUNTALL_BIN) return process.env.RUNTALL_BIN;
  log('building runtall (cargo build -p runtall) for the clinic server…');
  execFileSync('cargo', ['build', '-q', '-p', 'runtall'], { cwd: repo, stdio: 'inherit' });
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: repo }));
  return join(meta.target_directory, 'debug', 'runtall');
}

const example = {
  regions: ['neck', 'upper-trap-right', 'between-shoulder-blades'], when: ['long-runs', 'after-runs', 'at-desk', 'with-pack'],
  baseline_pain: 5, conditions: [], equipment: ['mat', 'band', 'foam-roller', 'towel'], age: 38,
  exposures: { runs_per_week: 4, weekly_km: 42, long_run_km: 18, speed_sessions_per_week: 1, surfaces: ['road', 'trail'],
    hydration_pack: 'long-runs', sitting_hours_per_day: 9, car_hours_per_week: 4, years_running: 3, destination_race: true },
  psfs: [{ activity: 'Run 90 minutes', score: 4 }, { activity: 'Laptop morning', score: 5 }, { activity: 'Sleep through', score: 7 }],
};

export async function clinicFlows({ flow, expect, repo, log, browser, shotsDir, takeShots, freePort }) {
  const bin = runtallBinary(repo, log);
  expect(existsSync(bin), `no runtall binary at ${bin}`);
  const dir = mkdtempSync(join(tmpdir(), 'runtall-clinic-'));
  const db = join(dir, 'clinic.db');
  const admin = JSON.parse(execFileSync(bin, ['--db', db, '--json', 'server', 'admin', 'add-clinician',
    '--email', 'pat@example.org', '--name', 'Pat Physio']));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(bin, ['--db', db, 'server', '--bind', `127.0.0.1:${port}`], { stdio: 'ignore' });
  const contexts = [];
  try {
    for (let i = 0; i < 100; i++) {
      try { if ((await fetch(`${base}/login`)).ok) break; } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    const csrf = (html) => html.match(/name="csrf-token" content="([^"]+)"/)[1];
    const client = async (width = 1280) => {
      const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 780 : 900 } });
      contexts.push(ctx);
      return { ctx, csrf: csrf(await (await ctx.request.get(`${base}/login`)).text()) };
    };
    const form = (c, path, data) => c.ctx.request.post(base + path, { form: { _csrf: c.csrf, ...data }, maxRedirects: 0 });
    const api = async (c, path, data) => {
      const r = await c.ctx.request.post(base + path, { data, headers: { 'x-csrf-token': c.csrf } });
      expect(r.ok(), `${path}: ${r.status()} ${await r.text()}`);
      return r.json();
    };
    const refresh = async (c, page) => { c.csrf = csrf(await (await c.ctx.request.get(base + page)).text()); };

    const pat = await client();
    const athletes = {};
    await flow('clinic: a clinician invites three athletes who sign up and log pain', async () => {
      const r = await form(pat, '/reset', { step: 'set', code: admin.code, password: PASSWORD });
      expect(r.status() === 303, `password set: ${r.status()}`);
      await refresh(pat, '/clinic');
      for (const [name, pain] of [['Ana Lima', 2], ['Ben Okafor', 8], ['Cai Müller', 5]]) {
        const code = (await (await form(pat, '/clinic/invitations', {})).text()).match(/class="token">([^<]+)</)[1];
        const a = await client();
        const email = `${name.split(' ')[0].toLowerCase()}@example.org`;
        expect((await form(a, '/signup', { code, name, email, password: PASSWORD })).status() === 303, 'signed up');
        await refresh(a, '/account');
        await api(a, '/api/screen', { yes: [], others: 'no' });
        await api(a, '/api/assessment', example);
        for (let d = 1; d <= 10; d++) {
          const at = new Date(Date.now() - d * 86400000).toISOString();
          await api(a, '/api/pain', { at, timing: 'right-after', region: 'neck', intensity: pain });
        }
        athletes[name] = a;
      }
    });

    let ben;
    await flow('clinic: the dashboard puts the worsening athlete first with the reason', async () => {
      const page = await pat.ctx.newPage();
      await page.goto(base + '/clinic');
      const names = await page.locator('.dashboard-row strong').allTextContents();
      expect(names[0] === 'Ben Okafor', `dashboard order: ${names.join(', ')}`);
      const first = await page.locator('.dashboard-row').first().textContent();
      expect(first.includes('Pain meaningfully worse'), `the reason is shown: ${first}`);
      ben = (await page.locator('.dashboard-row a').first().getAttribute('href')).split('/').pop();
      await page.close();
      if (takeShots) {
        for (const width of [360, 1280]) {
          const p = await pat.ctx.newPage();
          await p.setViewportSize({ width, height: width < 500 ? 780 : 900 });
          await p.goto(base + '/clinic');
          await p.screenshot({ path: join(shotsDir, `clinic-dashboard-${width}.png`), fullPage: true });
          await p.close();
        }
      }
    });

    await flow('clinic: an adjusted dose and a note reach the athlete\'s Today', async () => {
      const page = await pat.ctx.newPage();
      await page.goto(`${base}/clinic/athletes/${ben}`);
      await page.locator('summary', { hasText: 'Set a dose' }).click();
      const dose = page.locator('form:has(input[name=kind][value=dose])');
      await dose.locator('select[name=exercise]').selectOption('chin-tuck');
      await dose.locator('input[name=sets]').fill('2');
      await dose.locator('input[name=reps]').fill('8');
      await dose.locator('input[name=note]').fill('slowly, no pain');
      await dose.getByRole('button', { name: 'Set dose' }).click();
      await page.waitForURL(`**/clinic/athletes/${ben}**`);
      await page.locator('summary', { hasText: 'A note for Today' }).click();
      await page.locator('textarea[name=text]').first().fill('Easy week: keep runs short and log pain after each one.');
      await page.getByRole('button', { name: 'Save note' }).click();
      await page.waitForURL(`**/clinic/athletes/${ben}**`);
      expect((await page.content()).includes('Dose set by Pat Physio'), 'the change is in force on the page');
      await page.close();
      const today = await (await athletes['Ben Okafor'].ctx.request.get(`${base}/today?run=easy`)).text();
      expect(today.includes('2 × 8') && today.includes('Easy week: keep runs short'), 'dose and note on Today');
      if (takeShots) {
        for (const width of [360, 1280]) {
          const p = await pat.ctx.newPage();
          await p.setViewportSize({ width, height: width < 500 ? 780 : 900 });
          await p.goto(`${base}/clinic/athletes/${ben}`);
          const height = Math.min(await p.evaluate(() => document.documentElement.scrollHeight), 3000);
          await p.screenshot({ path: join(shotsDir, `clinic-athlete-${width}.png`), fullPage: true,
            clip: { x: 0, y: 0, width, height } });
          await p.close();
        }
      }
    });

    await flow('clinic: no WCAG 2 A/AA violations on the clinician pages and the audit log, phone and desktop (axe-core)', async () => {
      const found = [];
      const pages = [[pat, '/clinic'], [pat, `/clinic/athletes/${ben}`], [pat, `/clinic/athletes/${ben}/report`],
        [athletes['Ben Okafor'], '/settings/audit'], [athletes['Ben Okafor'], '/today?run=easy']];
      for (const width of [360, 1280]) {
        for (const [who, path] of pages) {
          const ctx = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true,
            storageState: await who.ctx.storageState() });
          const p = await ctx.newPage();
          await p.goto(base + path);
          found.push(...await axeViolations(p, `${path} @${width}`));
          await ctx.close();
        }
      }
      expect(found.length === 0, `accessibility violations:\n  ${found.join('\n  ')}`);
    });
  } finally {
    for (const c of contexts) await c.close();
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
