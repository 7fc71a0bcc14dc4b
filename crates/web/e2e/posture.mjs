// Posture flows for run.mjs: MediaPipe Pose (served by runtall itself) on the real photo and videos of
// ../shared/corpus/posture (RUNTALL_CORPUS overrides the corpus folder). Skipped with a message when it is missing.
// POSTURE_NO_VIDEO=1 leaves out the two video flows (about a minute each on a 2-core machine) for quick local runs.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function postureCorpus(repo) {
  const root = process.env.RUNTALL_CORPUS || resolve(repo, '..', 'shared', 'corpus');
  const dir = join(root, 'posture');
  return existsSync(join(dir, 'tfjs-pose.jpg')) ? dir : null;
}

// Markers as { name: { x, y } } in image pixels, and the picture's size from the overlay's viewBox.
async function markers(page) {
  return page.evaluate(() => {
    const svg = document.querySelector('#photo-markers');
    const w = Number(svg.getAttribute('data-width')), h = Number(svg.getAttribute('data-height'));
    const out = {};
    for (const g of svg.querySelectorAll('.marker')) {
      const c = g.querySelector('circle.dot');
      out[g.getAttribute('data-name')] = { x: Number(c.getAttribute('cx')), y: Number(c.getAttribute('cy')) };
    }
    return { w, h, points: out };
  });
}

// The CVA from tragus and C7 (image pixels, y down) for a runner facing `facing`: an independent check of the
// server's number.
function cva(tragus, c7, facing) {
  const forward = (tragus.x - c7.x) * (facing === 'left' ? -1 : 1);
  return Math.atan2(c7.y - tragus.y, forward) * 180 / Math.PI;
}

export async function postureFlows({ flow, expect, page, base, repo, log, shoot, browser }) {
  const dir = postureCorpus(repo);
  if (!dir) {
    log('skip posture flows: no posture corpus (../shared/corpus/posture next to the repository, or RUNTALL_CORPUS)');
    return;
  }

  await flow('posture: the model finds one person in the real photo, with every landmark inside the picture', async () => {
    await page.goto(base + '/posture');
    const t0 = Date.now();
    await page.setInputFiles('#photo-file', join(dir, 'tfjs-pose.jpg'));
    await page.waitForFunction(() => document.querySelector('#photo-measures')?.getAttribute('data-cva'), null, { timeout: 120000 });
    log(`     photo: model loaded and landmarks found in ${Date.now() - t0} ms`);
    const status = await page.textContent('#photo-status');
    expect(status.includes('Found one person'), `status: ${status}`);
    const { w, h, points } = await markers(page);
    expect(w === 1000 && h === 667, `picture size ${w}×${h}`);
    for (const name of ['tragus', 'c7', 'shoulder', 'hip']) {
      const p = points[name];
      expect(p && p.x >= 0 && p.x <= w && p.y >= 0 && p.y <= h, `${name} inside the picture: ${JSON.stringify(p)}`);
    }
    // The man's head is in profile, in the middle third of the picture, above his hip.
    expect(points.tragus.x > w / 3 && points.tragus.x < 2 * w / 3, `tragus x ${points.tragus.x}`);
    expect(points.tragus.y < points.hip.y, 'ear above hip');
    const quality = await page.textContent('#photo-quality');
    expect(quality.includes('C7 is estimated'), `C7 said to be estimated: ${quality}`);
  });

  let savedId = null;
  await flow('posture: dragging the C7 marker changes the stored CVA by the expected amount; the kept photo goes with delete', async () => {
    const before = await markers(page);
    const facing = (await page.textContent('#photo-measures')).includes('Facing') &&
      /Facing\s*left/.test(await page.textContent('#photo-measures')) ? 'left' : 'right';
    const shown = Number(await page.getAttribute('#photo-measures', 'data-cva'));
    expect(Math.abs(shown - cva(before.points.tragus, before.points.c7, facing)) < 0.05, 'the page shows the CVA of its markers');
    await page.locator('#photo-markers .m-c7').scrollIntoViewIfNeeded();
    const box = await page.locator('#photo-markers').boundingBox();
    const scale = box.width / before.w;
    const dxImage = facing === 'left' ? 40 : -40; // C7 40 image px further back: a flatter C7→tragus line, a smaller CVA
    const sx = box.x + before.points.c7.x * scale, sy = box.y + before.points.c7.y * scale;
    await page.mouse.move(sx, sy);
    await page.mouse.down();
    await page.mouse.move(sx + dxImage * scale / 2, sy, { steps: 4 });
    await page.mouse.move(sx + dxImage * scale, sy, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction((old) => Number(document.querySelector('#photo-measures').getAttribute('data-cva')) !== old, shown);
    const after = await markers(page);
    expect(Math.abs(after.points.c7.x - (before.points.c7.x + dxImage)) < 1.5, `C7 moved by ${after.points.c7.x - before.points.c7.x} px`);
    expect(Math.abs(after.points.c7.y - before.points.c7.y) < 1.5, 'C7 moved horizontally only');
    const expected = cva(before.points.tragus, { x: before.points.c7.x + dxImage, y: before.points.c7.y }, facing);
    expect(expected < shown - 1, `moving C7 back should lower the CVA (${shown.toFixed(1)} → ${expected.toFixed(1)})`);
    await page.check('#photo-keep');
    await page.click('#photo-save');
    await page.waitForURL(/\/posture\/\d+$/);
    savedId = Number(page.url().split('/').pop());
    const check = await page.evaluate(async (id) => (await fetch(`/api/posture/${id}`)).json(), savedId);
    expect(Math.abs(check.measures.cva_deg - expected) < 0.5, `stored CVA ${check.measures.cva_deg} vs expected ${expected}`);
    expect(check.landmarks.c7_estimated === false, 'a moved C7 is no longer the estimate');
    expect(!check.measures.quality.some((q) => q.flag === 'c7-estimated'), 'no C7 flag once placed');
    expect(check.photo_kept === true, 'photo kept when ticked');
    const photo = await page.evaluate(async (id) => { const r = await fetch(`/posture/${id}/photo`); return [r.status, r.headers.get('content-type')]; }, savedId);
    expect(photo[0] === 200 && photo[1] === 'image/jpeg', `kept photo served: ${photo}`);
    expect((await page.textContent('#check-measures')).includes('CVA'), 'the check page shows the measures');
    await page.getByRole('button', { name: 'Delete this check and its photo' }).click();
    await page.waitForURL(/\/posture\?deleted=1$/);
    // Through the context's request client (same cookies), so the expected 404s are not browser console errors.
    const gone = [(await page.request.get(`${base}/api/posture/${savedId}`)).status(), (await page.request.get(`${base}/posture/${savedId}/photo`)).status()];
    expect(gone[0] === 404 && gone[1] === 404, `check and photo gone: ${gone}`);
  });

  for (const [file, seconds] of (process.env.POSTURE_NO_VIDEO ? [] : [['tfjs-pose-squats.mp4', 13], ['tfjs-pose-walk.mp4', 4]])) {
    await flow(`posture: the run-video path turns ${file} into a per-minute series with a progress bar`, async () => {
      await page.goto(base + '/posture');
      const t0 = Date.now();
      await page.setInputFiles('#video-file', join(dir, file));
      await page.locator('#video-progress-box').waitFor({ state: 'visible', timeout: 60000 });
      let maxValue = 0, sawFrameLabel = false;
      while (!/\/posture\/\d+/.test(page.url())) {
        const v = await page.evaluate(() => [document.querySelector('#video-progress')?.value, document.querySelector('#video-progress-label')?.textContent, document.querySelector('#video-status')?.textContent]).catch(() => null);
        if (v) {
          maxValue = Math.max(maxValue, v[0] || 0);
          sawFrameLabel = sawFrameLabel || /Frame \d+ of \d+/.test(v[1] || '');
          if (/Not saved|cannot/.test(v[2] || '')) throw new Error(`video: ${v[2]}`);
        }
        if (Date.now() - t0 > 240000) throw new Error('video analysis took over 4 minutes');
        await page.waitForTimeout(200);
      }
      log(`     ${file} (${seconds} s): analysed and saved in ${Date.now() - t0} ms`);
      expect(maxValue > 0 && sawFrameLabel, `progress bar moved (max ${maxValue}) with frame counts`);
      const id = Number(new URL(page.url()).pathname.split('/').pop());
      const check = await page.evaluate(async (i) => (await fetch(`/api/posture/${i}`)).json(), id);
      expect(check.kind === 'run-video', 'stored as a run video');
      expect(check.summary.frames_total >= seconds, `at least one frame per second: ${check.summary.frames_total}`);
      expect(check.summary.minutes.length === 1, `one minute in the series, got ${check.summary.minutes.length}`);
      expect(check.summary.minutes[0].frames === check.summary.frames_used, 'the minute holds the usable frames');
      expect(!('frames' in check.summary) && !('frames' in check), 'frames are not stored, only the summary');
      expect((await page.locator('#video-minutes tbody tr').count()) === 1, 'per-minute table');
      expect((await page.locator('svg.video-chart').count()) === 1, 'chart');
    });
  }

  await flow('posture: history and the Insights card show the trend', async () => {
    await page.goto(base + '/posture');
    expect((await page.locator('#history').textContent()).includes('Run video of'), 'videos in the history');
    await page.goto(base + '/insights');
    expect((await page.locator('#h-posture').count()) === 1, 'posture card on Insights');
    const progress = await page.evaluate(async () => (await fetch('/api/progress')).json());
    expect(progress.posture && progress.posture.videos.length >= 1, 'posture in /api/progress');
  });

  if (shoot) {
    await shoot(browser, base, 'posture', '/posture', async (p) => {
      await p.setInputFiles('#photo-file', join(dir, 'tfjs-pose.jpg'));
      await p.waitForFunction(() => document.querySelector('#photo-measures')?.getAttribute('data-cva'), null, { timeout: 120000 });
    });
  }
}
