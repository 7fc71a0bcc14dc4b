// Developer aid: screenshots of one page region, for looking at layout details.
//   node peek.mjs BASE PATH WIDTH OUT.png [SCROLL_Y] [HEIGHT]
import { chromium } from 'playwright-core';
const [base, path, width, out, scrollY = '0', height = '900'] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const page = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
await page.goto(base + '/api/session');
const { csrf_token: t } = await page.evaluate(async () => (await fetch('/api/session')).json());
const post = (url, body) => page.evaluate(async ([u, b, tok]) => (await fetch(u, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': tok }, body: JSON.stringify(b) })).status, [url, body, t]);
const state = await page.evaluate(async () => (await fetch('/api/state')).json());
if (state.state.state === 'not-screened') {
  await post('/api/screen', { yes: [], others: 'no' });
  await post('/api/assessment', { regions: ['neck', 'upper-trap-right', 'between-shoulder-blades'], when: ['long-runs', 'after-runs', 'at-desk', 'with-pack'], baseline_pain: 5, conditions: [], equipment: ['mat', 'band', 'foam-roller', 'towel'], age: 38, exposures: { runs_per_week: 4, weekly_km: 42, long_run_km: 18, speed_sessions_per_week: 1, surfaces: ['road', 'trail'], hydration_pack: 'long-runs', sitting_hours_per_day: 9, car_hours_per_week: 4, years_running: 3, destination_race: true }, psfs: [{ activity: 'Run 90 minutes without neck pain', score: 4 }, { activity: 'Work at the laptop for a morning', score: 5 }, { activity: 'Sleep through without upper-back ache', score: 7 }] });
}
await page.goto(base + path);
await page.evaluate((y) => window.scrollTo(0, y), Number(scrollY));
await page.screenshot({ path: out });
await browser.close();
