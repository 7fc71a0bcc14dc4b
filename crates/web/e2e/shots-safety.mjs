// Developer aid (issue 10): screenshots of the safety states at 360 and 1280 px into /tmp/shots.
//   node shots-safety.mjs BASE CASE   (CASE: rib | reduced | emergency | clear)
import { chromium } from 'playwright-core';
const [base, which] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const page = await browser.newPage();
await page.goto(base + '/api/session');
const { csrf_token: t } = await page.evaluate(async () => (await fetch('/api/session')).json());
const post = (url, body) => page.evaluate(async ([u, b, tok]) => (await fetch(u, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': tok }, body: JSON.stringify(b) })).status, [url, body, t]);
const a = { regions: ['neck', 'upper-trap-right', 'between-shoulder-blades'], when: ['long-runs', 'after-runs', 'at-desk', 'with-pack'], baseline_pain: 5, conditions: [], equipment: ['mat', 'band', 'foam-roller', 'towel'], age: 38, exposures: { runs_per_week: 4, weekly_km: 42, long_run_km: 18, speed_sessions_per_week: 1, surfaces: ['road', 'trail'], hydration_pack: 'long-runs', sitting_hours_per_day: 9, car_hours_per_week: 4, years_running: 3, destination_race: true }, psfs: [{ activity: 'Run 90 minutes without neck pain', score: 4 }, { activity: 'Work at the laptop for a morning', score: 5 }, { activity: 'Sleep through without upper-back ache', score: 7 }] };
await post('/api/profile', { name: '', units: 'km', country: 'GB' });
await post('/api/screen', { yes: [], others: 'no' });
if (which === 'rib') { a.regions = ['rib-side-left']; a.when = ['after-eating-before-run']; }
console.log('assess', await post('/api/assessment', a));
if (which === 'reduced') console.log(await post('/api/screen', { yes: ['night-pain-that-wakes'], others: 'no' }));
if (which === 'emergency') console.log(await post('/api/screen', { yes: ['chest-pain-during-or-after-run'], others: 'no' }));
const paths = { rib: ['/today?run=speed', '/plan', '/screen/result'], reduced: ['/today', '/experiments', '/run-mode?run=long&minutes=60'], emergency: ['/emergency'], clear: ['/sources', '/plan', '/today'] }[which];
for (const p of paths) {
  for (const width of [360, 1280]) {
    const pg = await browser.newPage({ viewport: { width, height: width < 500 ? 780 : 900 } });
    await pg.goto(base + '/api/session');
    await pg.goto(base + p);
    const name = `${which}-${p.replace(/[^a-z]+/g, '_')}-${width}.png`;
    const height = Math.min(await pg.evaluate(() => document.documentElement.scrollHeight), 2400);
    await pg.screenshot({ path: '/tmp/shots/' + name, fullPage: true, clip: { x: 0, y: 0, width, height } });
    await pg.close();
  }
}
await browser.close();
